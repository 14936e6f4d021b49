// Professional learning, participant pages. No inline scripts: the Content Security Policy forbids them.
(function () {
  "use strict";

  // Buttons marked data-print print the page (the transcript has a print stylesheet).
  function setUpPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  // A button marked data-select-all="<name>" ticks every checkbox of that name in its form
  // (shown only when this script runs).
  function setUpSelectAll() {
    document.querySelectorAll("[data-select-all]").forEach(function (button) {
      var form = button.closest("form");
      var name = button.getAttribute("data-select-all");
      if (!form) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
          box.checked = true;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPrint();
    setUpSelectAll();
  });
})();
