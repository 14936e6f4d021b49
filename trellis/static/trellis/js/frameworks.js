// Framework page: a link to a component (#node-<id>) targets its table row, which a phone does not show.
// On a phone, open that component's card instead and bring it into view. No inline scripts (CSP).
(function () {
  "use strict";

  function openTargetCard() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!/^node-\d+$/.test(id)) return;
    var target = document.getElementById(id);
    var card = document.getElementById(id + "-card");
    if (!card || (target && target.getClientRects().length)) return;
    card.open = true;
    card.scrollIntoView();
    var summary = card.querySelector("summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", openTargetCard);
  window.addEventListener("hashchange", openTargetCard);
})();
