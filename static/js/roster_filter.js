/* A text box with data-filter-list="#LIST" narrows the list as one types: rows (with data-name) whose name does
 * not contain the text are hidden. Ticked rows stay ticked when hidden; "全选" counts only the visible ones.
 * Pressing 查找 still asks the server (rosters longer than the page). No inline scripts (CSP). */
(function () {
  "use strict";

  document.querySelectorAll("input[data-filter-list]").forEach(function (box) {
    var list = document.querySelector(box.getAttribute("data-filter-list"));
    var none = document.getElementById("roster-none");
    if (!list) {
      return;
    }
    function apply() {
      var text = box.value.trim();
      var shown = 0;
      list.querySelectorAll("[data-name]").forEach(function (row) {
        var match = !text || row.getAttribute("data-name").indexOf(text) !== -1;
        row.classList.toggle("d-none", !match);
        if (match) {
          shown += 1;
        }
      });
      if (none) {
        none.hidden = shown > 0 || !list.querySelector("[data-name]");
      }
      document.dispatchEvent(new CustomEvent("portal:filtered"));
    }
    box.addEventListener("input", apply);
    apply();
  });
})();
