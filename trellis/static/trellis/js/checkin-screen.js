// The facilitator's check-in screen: the live count of people checked in, and a full-screen toggle.
// No inline scripts: the Content Security Policy forbids them. Without JavaScript the page still shows
// the code, the QR code and the count when it was loaded.
(function () {
  "use strict";

  var EVERY_MS = 4000;

  function setUpCount(stage) {
    var url = stage.getAttribute("data-status-url");
    var count = document.getElementById("screen-count");
    if (!url || !count || !window.fetch) return;
    var timer = null;
    var failures = 0;

    function poll() {
      if (document.hidden) return;
      window
        .fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          if (!data.open) {
            // Closed elsewhere (another tab, a colleague): show the closed page.
            window.clearInterval(timer);
            window.location.reload();
            return;
          }
          var text = String(data.checked_in);
          if (count.textContent !== text) count.textContent = text;
        })
        .catch(function () {
          failures += 1;
          if (failures >= 5) window.clearInterval(timer); // signed out or lost access: stop asking
        });
    }

    timer = window.setInterval(poll, EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) poll();
    });
  }

  function setUpFullScreen(stage) {
    var button = document.getElementById("checkin-fullscreen");
    if (!button || !document.fullscreenEnabled || !stage.requestFullscreen) return;
    button.hidden = false;
    function sync() {
      button.setAttribute("aria-pressed", String(document.fullscreenElement === stage));
    }
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        stage.requestFullscreen().catch(function () {});
      }
    });
    document.addEventListener("fullscreenchange", sync);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var stage = document.getElementById("checkin-stage");
    if (!stage) return;
    setUpCount(stage);
    setUpFullScreen(stage);
  });
})();
