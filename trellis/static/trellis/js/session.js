// The session screen: a timer for the current step and the whole session, one step open at a time on a
// phone, and feedback while htmx saves the notes. Without this script the page is a plain form: every step
// shows, and "Save notes" saves them all.
(function () {
  "use strict";

  var NARROW = "(max-width: 48rem)";

  function readConfig() {
    var node = document.getElementById("session-config");
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function clock(ms) {
    var negative = ms < 0;
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var text = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    return negative ? "+" + text : text;
  }

  function setUp() {
    var config = readConfig();
    var container = document.getElementById("session-steps");
    if (!config || !container) return;
    var sections = Array.prototype.slice.call(container.querySelectorAll(".session-step"));
    if (!sections.length) return;
    var storeKey = "trellis-session-" + config.session;
    var state = load();
    var timerBox = document.getElementById("session-timer");
    var stepValue = document.getElementById("timer-step");
    var stepLabel = document.getElementById("timer-step-label");
    var stepSuffix = document.getElementById("timer-step-suffix");
    var totalValue = document.getElementById("timer-total");
    var toggle = document.getElementById("timer-toggle");
    var announce = document.getElementById("timer-announce");
    var narrow = window.matchMedia ? window.matchMedia(NARROW) : { matches: false, addEventListener: null };
    var ticking = null;
    var dirty = {};

    function load() {
      var fallback = {
        running: false,
        total: 0,
        spent: config.steps.map(function () { return 0; }),
        announced: {},
        current: parseInt(container.getAttribute("data-current"), 10) || 0,
        last: null,
      };
      try {
        var saved = JSON.parse(window.sessionStorage.getItem(storeKey) || "null");
        if (saved && Array.isArray(saved.spent) && saved.spent.length === config.steps.length) return saved;
      } catch (e) { /* storage off: the timer still runs for this page */ }
      return fallback;
    }

    function save() {
      try {
        window.sessionStorage.setItem(storeKey, JSON.stringify(state));
      } catch (e) { /* ignore */ }
    }

    function limit(index) {
      return (config.steps[index].minutes || 0) * 60 * 1000;
    }

    function render() {
      var left = limit(state.current) - state.spent[state.current];
      stepLabel.textContent = config.steps[state.current].label;
      stepValue.textContent = clock(left);
      stepSuffix.textContent = left < 0 ? stepSuffix.getAttribute("data-over") : stepSuffix.getAttribute("data-left");
      timerBox.classList.toggle("is-over", left < 0);
      totalValue.textContent = clock(state.total);
      timerBox.classList.toggle("is-over-total", state.total > config.total * 60 * 1000);
      toggle.textContent = state.running
        ? toggle.getAttribute("data-pause")
        : toggle.getAttribute(state.total ? "data-resume" : "data-start");
      toggle.setAttribute("aria-pressed", String(state.running));
    }

    function tick() {
      var now = Date.now();
      if (state.running && state.last) {
        var delta = Math.max(0, Math.min(now - state.last, 60 * 60 * 1000));
        state.total += delta;
        state.spent[state.current] += delta;
        if (state.spent[state.current] > limit(state.current) && !state.announced[state.current]) {
          state.announced[state.current] = true;
          announce.textContent = announce.getAttribute("data-text").replace("%s", config.steps[state.current].label);
        }
      }
      state.last = now;
      save();
      render();
    }

    function run(on) {
      state.running = on;
      state.last = Date.now();
      if (ticking) window.clearInterval(ticking);
      ticking = on ? window.setInterval(tick, 1000) : null;
      save();
      render();
    }

    function layout() {
      var collapsible = narrow.matches;
      container.classList.toggle("is-collapsible", collapsible);
      sections.forEach(function (section, index) {
        var button = section.querySelector(".step-toggle");
        var open = !collapsible || index === state.current;
        if (button) button.setAttribute("aria-expanded", String(open));
      });
    }

    function go(index, focus) {
      if (index < 0 || index >= sections.length) return;
      state.current = index;
      sections.forEach(function (section, i) {
        section.classList.toggle("is-current", i === index);
      });
      Array.prototype.forEach.call(document.querySelectorAll("[data-step-link]"), function (link) {
        if (parseInt(link.getAttribute("data-step-link"), 10) === index) link.setAttribute("aria-current", "step");
        else link.removeAttribute("aria-current");
      });
      layout();
      save();
      render();
      if (focus || narrow.matches) {
        var heading = sections[index].querySelector(".step-toggle") || sections[index];
        sections[index].scrollIntoView({ block: "start", behavior: "smooth" });
        if (focus) heading.focus({ preventScroll: true });
      }
    }

    // Headings become buttons that open their step (on a phone, one step at a time).
    sections.forEach(function (section, index) {
      var heading = section.querySelector(".session-step-heading");
      var body = section.querySelector(".session-step-body");
      if (!heading || !body) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "step-toggle";
      button.setAttribute("aria-controls", body.id);
      while (heading.firstChild) button.appendChild(heading.firstChild);
      heading.appendChild(button);
      button.addEventListener("click", function () { go(index, false); });
      var nav = section.querySelector(".step-nav");
      if (nav) nav.hidden = false;
    });

    container.addEventListener("click", function (event) {
      var target = event.target.closest("[data-go]");
      if (target) go(parseInt(target.getAttribute("data-go"), 10), true);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-step-link]"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        go(parseInt(link.getAttribute("data-step-link"), 10), true);
      });
    });
    toggle.addEventListener("click", function () { run(!state.running); });
    document.getElementById("timer-prev").addEventListener("click", function () { go(state.current - 1, true); });
    document.getElementById("timer-next").addEventListener("click", function () { go(state.current + 1, true); });
    if (narrow.addEventListener) narrow.addEventListener("change", layout);

    // Saving: say what is happening, and warn before leaving with notes not yet saved.
    function statusFor(elt) {
      return elt && elt.id && elt.id.indexOf("note-") === 0 ? document.getElementById("save-" + elt.id.slice(5)) : null;
    }
    document.body.addEventListener("input", function (event) {
      if (statusFor(event.target)) dirty[event.target.id] = true;
    });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var status = statusFor(event.detail.elt);
      if (status) status.textContent = status.getAttribute("data-saving") || "";
    });
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var elt = event.detail.elt;
      var status = statusFor(elt);
      if (!status) return;
      if (event.detail.successful) {
        delete dirty[elt.id];
      } else {
        status.textContent = status.getAttribute("data-failed") || "";
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (Object.keys(dirty).length) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    var form = document.getElementById("session-notes-form");
    if (form) form.addEventListener("submit", function () { dirty = {}; });

    timerBox.hidden = false;
    go(Math.min(state.current, sections.length - 1), false);
    if (state.running) run(true);
    else render();
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
