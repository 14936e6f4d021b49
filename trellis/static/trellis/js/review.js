// The review page: offer the library steps that serve the growth area chosen above them.
(function () {
  "use strict";

  function setUp() {
    var select = document.querySelector("select[data-step-select]");
    var radios = document.querySelectorAll("input[name=growth_node]");
    if (!select || !radios.length) return;
    function chosen() {
      var checked = document.querySelector("input[name=growth_node]:checked");
      return checked ? checked.value : null;
    }
    function update() {
      var area = chosen();
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var nodes = (option.getAttribute("data-nodes") || "").split(" ");
        var fits = !area || nodes.indexOf(area) >= 0;
        option.hidden = !fits;
        option.disabled = !fits;
        if (!fits && option.selected) select.value = "";
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
        group.hidden = !any;
      });
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
