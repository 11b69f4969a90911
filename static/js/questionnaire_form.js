// Answer sheet helpers (public page and paper entry). Only convenience: the server enforces every rule itself.
// 1. Questions shown only to some respondent categories (data-shown-to="<option ids>") are hidden, and their
//    inputs disabled so they are not sent, unless the category picked in the category question matches.
// 2. A multiple-choice question with data-max-picks disables its other boxes once the maximum is ticked.
// 3. Typing after 其他 (data-other-for="<box id>") ticks the 其他 box: the text means 其他 was chosen (the server
//    reads it so too, for phones without JavaScript and for paper forms).
(function () {
  "use strict";
  document.querySelectorAll("form[data-questionnaire-form]").forEach(function (form) {
    var category = form.querySelector("[data-category-question]");

    function pickedCategory() {
      if (!category) return null;
      var checked = category.querySelector("input[type=radio]:checked");
      return checked ? checked.value : null;
    }

    function applyConditions() {
      var picked = pickedCategory();
      form.querySelectorAll("[data-shown-to]").forEach(function (question) {
        var applies = picked !== null && question.dataset.shownTo.split(" ").indexOf(picked) !== -1;
        question.hidden = !applies;
        question.querySelectorAll("input, textarea").forEach(function (input) {
          input.disabled = !applies;
        });
      });
    }

    function applyMaxPicks(question) {
      var max = parseInt(question.dataset.maxPicks, 10);
      var boxes = question.querySelectorAll("input[type=checkbox]");
      var ticked = question.querySelectorAll("input[type=checkbox]:checked").length;
      boxes.forEach(function (box) {
        if (!box.checked) box.disabled = ticked >= max;
      });
    }

    form.querySelectorAll("[data-other-for]").forEach(function (text) {
      text.addEventListener("input", function () {
        var box = document.getElementById(text.dataset.otherFor);
        if (!box || box.checked || box.disabled || text.value.trim() === "") return;
        box.checked = true;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });

    if (category) category.addEventListener("change", applyConditions);
    form.querySelectorAll("[data-max-picks]").forEach(function (question) {
      question.addEventListener("change", function () { applyMaxPicks(question); });
      applyMaxPicks(question);
    });
    applyConditions();
  });
})();
