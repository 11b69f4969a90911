/* The activity form: when the start changes, the end moves with it and the activity keeps its length (a phone
 * user who moves a two-hour activity to tomorrow should not have to set the end again). Served from static/:
 * the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var start = document.getElementById("id_starts_at");
  var end = document.getElementById("id_ends_at");
  if (!start || !end) {
    return;
  }

  function parse(value) {
    // "YYYY-MM-DDTHH:MM" from a datetime-local input, read as local time
    var match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    if (!match) {
      return null;
    }
    return new Date(+match[1], +match[2] - 1, +match[3], +match[4], +match[5]);
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function format(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  var previous = parse(start.value);
  start.addEventListener("change", function () {
    var moved = parse(start.value);
    var oldEnd = parse(end.value);
    if (moved && previous && oldEnd && oldEnd > previous) {
      end.value = format(new Date(moved.getTime() + (oldEnd - previous)));
    }
    if (moved) {
      previous = moved;
    }
  });
  // a new end sets the length the next start change keeps
  end.addEventListener("change", function () {
    previous = parse(start.value) || previous;
  });
})();
