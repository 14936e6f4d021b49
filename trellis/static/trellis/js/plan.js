// Planning a visit: show only the focus components of the framework chosen above them.
(function () {
  "use strict";

  function setUp() {
    var select = document.getElementById("id_framework");
    var groups = document.querySelectorAll(".focus-framework[data-framework]");
    if (!select || groups.length < 2) return;
    function update() {
      Array.prototype.forEach.call(groups, function (group) {
        var shown = group.getAttribute("data-framework") === select.value;
        group.hidden = !shown;
        if (!shown) {
          Array.prototype.forEach.call(group.querySelectorAll("input[type=checkbox]"), function (box) {
            box.checked = false;
          });
        }
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
