/* 全选: a checkbox with data-select-all="NAME" ticks or clears every enabled, visible checkbox named NAME in its
 * form, and shows itself half-ticked when only some are. Used by the hours queue and the attendance roster.
 * No inline scripts (Content-Security-Policy: script-src 'self'). */
(function () {
  "use strict";

  function boxes(master) {
    var form = master.form || document;
    var name = master.getAttribute("data-select-all");
    return Array.prototype.filter.call(form.querySelectorAll('input[type="checkbox"]'), function (box) {
      // hidden rows (a filtered roster) are left as they are: "all" means all that the user can see
      return box.name === name && !box.disabled && box.offsetParent !== null;
    });
  }

  function sync(master) {
    var all = boxes(master);
    var ticked = all.filter(function (box) { return box.checked; }).length;
    master.checked = all.length > 0 && ticked === all.length;
    master.indeterminate = ticked > 0 && ticked < all.length;
  }

  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      boxes(master).forEach(function (box) { box.checked = master.checked; });
      sync(master);
    });
    (master.form || document).addEventListener("change", function (event) {
      if (event.target !== master && event.target.name === master.getAttribute("data-select-all")) {
        sync(master);
      }
    });
    // the roster's name filter hides rows: the master then counts only the visible ones
    document.addEventListener("portal:filtered", function () { sync(master); });
    sync(master);
  });
})();
