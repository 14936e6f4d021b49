// Live capture of a classroom visit, built for a phone on a flaky school network.
//
// Every change (a note, an edit, a tally tap, a feedback event) is first written to
// localStorage, in order, with an id made here (client_id), and only then sent to the
// server in batches. A change leaves the queue only when the server answers "applied"
// or "duplicate", so nothing is lost when the connection drops and nothing is stored
// twice when a batch is re-sent. The status line says plainly what is saved and what
// is waiting. All text comes from the page (translated on the server); user text is
// only ever set with textContent.
(function () {
  "use strict";

  var root = document.getElementById("capture");
  var configEl = document.getElementById("capture-config");
  if (!root || !configEl) return;
  var config = JSON.parse(configEl.textContent);
  var S = config.strings;

  var SYNC_DELAY = 1200; // autosave this long after the last change
  var RETRY_DELAYS = [2000, 4000, 8000, 15000]; // then every 15 s while changes wait
  var SESSION = uuid(); // tells changes queued by an earlier page load from this page's own

  var statusEl = document.getElementById("capture-status");
  var noteForm = document.getElementById("note-form");
  var noteInput = document.getElementById("id_text");
  var noteList = document.getElementById("note-list");
  var noteCount = document.getElementById("note-count");
  var tallyList = document.getElementById("tally-list");
  var tallyForm = document.getElementById("tally-form");
  var tallyName = document.getElementById("tally-name");
  var tallyError = document.getElementById("tally-error");
  var feedbackList = document.getElementById("feedback-list");
  var feedbackNote = document.getElementById("feedback-note");
  var feedbackStatus = document.getElementById("feedback-status");
  var uploadForm = document.getElementById("upload-form");
  var uploadStatus = document.getElementById("upload-status");
  var fileList = document.getElementById("file-list");
  var finishForm = document.getElementById("finish-form");
  var finishStatus = document.getElementById("finish-status");

  var components = config.components || [];
  var componentById = {};
  components.forEach(function (c) { componentById[c.id] = c; });
  var valenceLabel = {};
  (config.valences || []).forEach(function (v) { valenceLabel[v.value] = v.label; });
  var modeLabel = {};
  (config.modes || []).forEach(function (v) { modeLabel[v.value] = v.label; });

  // What the server has, as far as this page knows.
  var server = { notes: {}, tallies: {}, tallyOrder: [], feedback: {} };
  (config.notes || []).forEach(function (n) { server.notes[n.client_id] = n; });
  (config.tallies || []).forEach(function (t) { server.tallies[t.label] = t.count; server.tallyOrder.push(t.label); });
  (config.feedback || []).forEach(function (f) { server.feedback[f.client_id] = f; });
  var files = (config.files || []).slice();

  // Problems to show next to a note: client_id -> {kind: "conflict" | "rejected", text}
  var problems = {};
  var storageWorks = true;
  var store = load();

  var syncing = false;
  var timer = null;
  var failures = 0; // consecutive failed attempts: the connection is in trouble
  var halted = null; // {reason, error}: the server will not take these changes
  var finishing = false;
  var signedOut = false; // the last answer was "signed out": keep everything and try again now and then
  var editing = null; // the client_id of the note open in the editor

  // The next note's kind and tags.
  var next = { nodes: [], step: false };

  // Storage ------------------------------------------------------------------------------------------------

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    var empty = { ops: [], counters: [], failed: {} };
    try {
      var raw = window.localStorage.getItem(config.storageKey);
      var data = raw ? JSON.parse(raw) : null;
      if (data && Array.isArray(data.ops)) {
        data.ops.forEach(function (op) { delete op.inflight; });
        return { ops: data.ops, counters: data.counters || [], failed: data.failed || {} };
      }
    } catch (e) {
      storageWorks = false;
    }
    return empty;
  }

  function persist() {
    try {
      var copy = store.ops.map(function (op) {
        var o = Object.assign({}, op);
        delete o.inflight;
        return o;
      });
      if (!copy.length && !store.counters.length && !Object.keys(store.failed).length) {
        window.localStorage.removeItem(config.storageKey);
      } else {
        window.localStorage.setItem(
          config.storageKey,
          JSON.stringify({ ops: copy, counters: store.counters, failed: store.failed })
        );
      }
      storageWorks = true;
    } catch (e) {
      storageWorks = false;
    }
  }

  function enqueue(op) {
    op.qid = uuid();
    op.session = SESSION;
    store.ops.push(op);
    persist();
    render();
    scheduleSync(SYNC_DELAY);
  }

  function opsFor(clientId) {
    return store.ops.filter(function (op) { return op.client_id === clientId && op.op.indexOf("note.") === 0; });
  }

  function removeOp(op) {
    var i = store.ops.indexOf(op);
    if (i >= 0) store.ops.splice(i, 1);
  }

  // The notes as the person should see them: the server's, with the waiting changes applied on top.
  function currentNotes() {
    var notes = {};
    Object.keys(server.notes).forEach(function (cid) {
      notes[cid] = Object.assign({}, server.notes[cid], { pending: false });
    });
    Object.keys(store.failed).forEach(function (cid) {
      if (!notes[cid]) notes[cid] = Object.assign({}, store.failed[cid], { pending: false, failed: true });
    });
    store.ops.forEach(function (op) {
      if (op.op === "note.add") {
        if (!notes[op.client_id]) notes[op.client_id] = pick(op, { pending: true });
      } else if (op.op === "note.edit" && notes[op.client_id]) {
        Object.assign(notes[op.client_id], pick(op, { pending: true }), { at: notes[op.client_id].at });
      } else if (op.op === "note.delete" && notes[op.client_id]) {
        notes[op.client_id].deleted = true;
      }
    });
    return Object.keys(notes)
      .map(function (cid) { return notes[cid]; })
      .filter(function (n) { return !n.deleted; })
      .sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : 0; });
  }

  function pick(op, extra) {
    return Object.assign(
      { client_id: op.client_id, at: op.at, text: op.text, valence: op.valence, nodes: op.nodes || [], step: op.step || null },
      extra
    );
  }

  // Changes ------------------------------------------------------------------------------------------------

  function addNote(text, valence, nodes, step) {
    enqueue({
      op: "note.add",
      client_id: uuid(),
      at: new Date().toISOString(),
      text: text,
      valence: valence,
      nodes: nodes,
      step: step,
    });
  }

  function editNote(cid, fields) {
    var failed = store.failed[cid];
    if (failed) {
      // A note the server refused: send it again as a new note with the same id.
      delete store.failed[cid];
      delete problems[cid];
      enqueue(Object.assign({ op: "note.add", client_id: cid, at: failed.at }, fields));
      return;
    }
    var ops = opsFor(cid);
    var waiting = ops.filter(function (op) { return !op.inflight && (op.op === "note.add" || op.op === "note.edit"); });
    if (waiting.length) {
      // Not sent yet: change the waiting change instead of adding another.
      Object.assign(waiting[waiting.length - 1], fields);
      persist();
      render();
      scheduleSync(SYNC_DELAY);
      return;
    }
    var known = server.notes[cid];
    var inFlight = ops.some(function (op) { return op.inflight; });
    enqueue(
      Object.assign(
        // The revision this person saw: if another device changed the note since, the server keeps theirs.
        { op: "note.edit", client_id: cid, base_revision: known && !inFlight ? known.revision : null },
        fields
      )
    );
  }

  function deleteNote(cid) {
    delete problems[cid];
    if (store.failed[cid]) {
      delete store.failed[cid];
      persist();
      render();
      return;
    }
    var ops = opsFor(cid);
    var sent = server.notes[cid] || ops.some(function (op) { return op.inflight; });
    ops.forEach(function (op) { if (!op.inflight) removeOp(op); });
    if (sent) {
      enqueue({ op: "note.delete", client_id: cid });
    } else {
      persist();
      render();
    }
  }

  function tap(label, delta) {
    enqueue({ op: "tally.add", client_id: uuid(), at: new Date().toISOString(), label: label, delta: delta });
  }

  function giveFeedback(mode, note) {
    enqueue({
      op: "feedback.add",
      client_id: uuid(),
      at: new Date().toISOString(),
      mode: mode,
      note: note,
      step: config.step ? config.step.id : null,
    });
  }

  // Sync ---------------------------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function scheduleSync(delay) {
    if (halted) return;
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(sync, delay);
  }

  function retryDelay() {
    return RETRY_DELAYS[Math.min(failures - 1, RETRY_DELAYS.length - 1)];
  }

  // What goes on the wire: only the fields the server reads. Within one batch only the first change
  // to a note carries the revision it was based on; the later ones build on it.
  function wire(batch) {
    var touched = {};
    return batch.map(function (op) {
      var out = { op: op.op, client_id: op.client_id };
      ["at", "text", "valence", "nodes", "step", "label", "delta", "mode", "note"].forEach(function (k) {
        if (op[k] !== undefined && op[k] !== null) out[k] = op[k];
      });
      if (op.op === "note.edit") {
        var base = op.base_revision;
        if (base === null || base === undefined) base = server.notes[op.client_id] ? server.notes[op.client_id].revision : null;
        if (!touched[op.client_id] && base !== null && base !== undefined) out.base_revision = base;
        // A note's text, kind and tags always travel together: an edit replaces all of them.
        if (out.nodes === undefined) out.nodes = [];
      }
      if (op.op.indexOf("note.") === 0) touched[op.client_id] = true;
      return out;
    });
  }

  function sync() {
    timer = null;
    if (syncing || halted) return;
    if (!store.ops.length) {
      failures = 0;
      afterSync();
      return;
    }
    if (navigator.onLine === false) {
      // Wait for the "online" event; the status says the changes are waiting.
      render();
      afterSync();
      return;
    }
    var batch = store.ops.slice(0, config.maxOps || 500);
    var body = JSON.stringify({ ops: wire(batch) });
    batch.forEach(function (op) { op.inflight = true; });
    syncing = true;
    render();
    var retry = false;
    window
      .fetch(config.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: body,
      })
      .then(function (response) {
        if (response.type === "opaqueredirect") return { status: 401, body: {} };
        return response
          .json()
          .catch(function () { return {}; })
          .then(function (data) { return { status: response.status, body: data }; });
      })
      .then(function (answer) {
        if (answer.status === 200) {
          failures = 0;
          applyResults(batch, answer.body.results || []);
        } else if (answer.status === 409) {
          halted = { reason: "closed" };
        } else if (answer.status === 401) {
          // Signed out: keep everything, try again now and then (they may sign in in another tab).
          failures += 1;
          retry = true;
          halted = null;
          signedOut = true;
        } else if (answer.status === 400 || answer.status === 403 || answer.status === 404) {
          halted = { reason: "refused", error: (answer.body && answer.body.error) || String(answer.status) };
        } else {
          failures += 1;
          retry = true;
        }
        if (answer.status !== 401) signedOut = false;
      })
      .catch(function () {
        failures += 1;
        retry = true;
      })
      .then(function () {
        batch.forEach(function (op) { delete op.inflight; });
        syncing = false;
        persist();
        render();
        if (halted) return afterSync();
        if (store.ops.length) {
          scheduleSync(retry ? retryDelay() : 0);
        } else {
          afterSync();
        }
        if (retry) afterSync();
      });
  }

  function applyResults(batch, results) {
    batch.forEach(function (op, i) {
      var result = results[i];
      if (!result) return;
      if (result.status === "applied" || result.status === "duplicate") {
        removeOp(op);
        remember(op, result);
      } else if (result.status === "conflict") {
        removeOp(op);
        var known = server.notes[op.client_id];
        if (known) {
          problems[op.client_id] = { kind: "conflict", text: S.conflict.replace("%(text)s", op.text || "") };
          known.text = result.text;
          known.revision = result.revision;
        }
      } else {
        removeOp(op);
        var error = result.error || "";
        if (op.op === "note.add") {
          // Keep the words on this device: the person can fix the note or delete it.
          store.failed[op.client_id] = pick(op, {});
        }
        if (op.op.indexOf("note.") === 0) {
          problems[op.client_id] = { kind: "rejected", text: S.rejected.replace("%(error)s", error) };
        } else if (op.op === "feedback.add" && feedbackStatus) {
          feedbackStatus.textContent = S.rejected.replace("%(error)s", error);
        } else if (tallyError) {
          tallyError.textContent = S.rejected.replace("%(error)s", error);
        }
      }
    });
  }

  function remember(op, result) {
    var cid = op.client_id;
    if (op.op === "note.add") {
      server.notes[cid] = pick(op, { id: result.id, revision: result.revision || 1 });
      delete problems[cid];
    } else if (op.op === "note.edit") {
      var known = server.notes[cid];
      if (known) {
        Object.assign(known, pick(op, { at: known.at, id: known.id }));
        known.revision = result.revision;
      }
    } else if (op.op === "note.delete") {
      delete server.notes[cid];
    } else if (op.op === "tally.add") {
      if (!(op.label in server.tallies)) {
        server.tallies[op.label] = 0;
        server.tallyOrder.push(op.label);
      }
      // A tap queued by an earlier page load and already stored was counted in the page's own numbers.
      if (result.status === "applied" || op.session === SESSION) server.tallies[op.label] += op.delta;
    } else if (op.op === "feedback.add") {
      server.feedback[cid] = { client_id: cid, at: op.at, mode: op.mode, note: op.note, step: op.step };
    }
  }

  function afterSync() {
    if (!finishing) return;
    if (!store.ops.length && !halted) {
      finishForm.submit();
    } else if (!syncing) {
      finishing = false;
      if (finishStatus) finishStatus.textContent = S.finishWaiting;
    }
  }

  // Status -------------------------------------------------------------------------------------------------

  function plural(forms, n) {
    return (n === 1 ? forms[0] : forms[1]).replace("%(n)s", String(n));
  }

  function statusText() {
    if (halted) {
      return halted.reason === "closed" ? S.closed : S.refused.replace("%(error)s", halted.error || "");
    }
    var noteIds = {};
    var others = 0;
    store.ops.forEach(function (op) {
      if (op.op.indexOf("note.") === 0) noteIds[op.client_id] = true;
      else others += 1;
    });
    var notes = Object.keys(noteIds).length;
    if (!notes && !others) return S.allSaved;
    if (signedOut) return S.signedOut;
    if (navigator.onLine !== false && !failures) return S.saving;
    if (!others) return plural(S.waitingNotes, notes);
    if (!notes) return plural(S.waitingChanges, others);
    return plural(S.waitingNotes, notes) + " " + plural(S.alsoChanges, others);
  }

  function setStatus() {
    var text = statusText();
    if (!storageWorks && store.ops.length) text += " " + S.memoryOnly;
    if (statusEl.textContent !== text) statusEl.textContent = text;
    var state = halted ? "error" : !store.ops.length ? "saved" : navigator.onLine === false || failures ? "waiting" : "saving";
    statusEl.setAttribute("data-state", state);
  }

  // Rendering ----------------------------------------------------------------------------------------------

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
        if (k === "className") node.className = attrs[k];
        else node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
      });
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function timeOf(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return "";
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function tagText(note) {
    var parts = (note.nodes || [])
      .map(function (id) { var c = componentById[id]; return c ? (c.code + " " + c.title).trim() : null; })
      .filter(Boolean);
    if (note.step && config.step && note.step === config.step.id) parts.push(S.step + ": " + config.step.label);
    return parts.join(" · ");
  }

  function render() {
    renderNotes();
    renderTallies();
    renderFeedback();
    setStatus();
  }

  function renderNotes() {
    var notes = currentNotes();
    if (noteCount) noteCount.textContent = "(" + notes.length + ")";
    var existing = {};
    Array.prototype.slice.call(noteList.children).forEach(function (li) {
      if (li.dataset.cid) existing[li.dataset.cid] = li;
      else li.remove();
    });
    if (!notes.length) {
      noteList.replaceChildren(el("li", { className: "note-empty muted" }, S.noNotes));
      return;
    }
    var wanted = [];
    notes.forEach(function (note) {
      var li = existing[note.client_id];
      var sig = JSON.stringify([note.text, note.valence, note.nodes, note.step, note.pending, note.failed, problems[note.client_id]]);
      if (!li) li = el("li", { "data-cid": note.client_id });
      if (editing !== note.client_id && li.dataset.sig !== sig) {
        li.dataset.sig = sig;
        fillNote(li, note);
      }
      wanted.push(li);
      delete existing[note.client_id];
    });
    Object.keys(existing).forEach(function (cid) { if (cid !== editing) existing[cid].remove(); });
    var empty = noteList.querySelector(".note-empty");
    if (empty) empty.remove();
    wanted.forEach(function (li, i) {
      if (noteList.children[i] !== li) noteList.insertBefore(li, noteList.children[i] || null);
    });
  }

  function fillNote(li, note) {
    li.className = "note note-" + note.valence + (note.pending ? " note-pending" : "") + (note.failed ? " note-failed" : "");
    var meta = el("p", { className: "note-meta" });
    meta.appendChild(el("time", { datetime: note.at }, timeOf(note.at)));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("span", { className: "badge valence valence-" + note.valence }, valenceLabel[note.valence] || note.valence));
    meta.appendChild(document.createTextNode(" "));
    if (note.failed) {
      meta.appendChild(el("span", { className: "badge badge-danger" }, S.notSaved));
    } else if (note.pending) {
      meta.appendChild(el("span", { className: "badge badge-warn" }, S.noteWaiting));
    } else {
      meta.appendChild(el("span", { className: "note-saved muted small" }, S.noteSaved));
    }
    var children = [meta, el("p", { className: "note-text" }, note.text)];
    var tags = tagText(note);
    if (tags) children.push(el("p", { className: "note-tags small" }, tags));
    var problem = problems[note.client_id];
    if (problem) {
      var p = el("p", { className: "note-problem" }, problem.text + " ");
      var dismiss = el("button", { type: "button", className: "link-button" }, S.dismiss);
      dismiss.addEventListener("click", function () {
        delete problems[note.client_id];
        render();
      });
      p.appendChild(dismiss);
      children.push(p);
    }
    var actions = el("p", { className: "note-actions" });
    var when = timeOf(note.at);
    var edit = el("button", { type: "button", className: "button button-secondary button-small" }, S.edit);
    edit.appendChild(el("span", { className: "visually-hidden" }, " " + S.noteAt.replace("%(time)s", when)));
    edit.addEventListener("click", function () { openEditor(li, note); });
    var del = el("button", { type: "button", className: "button button-secondary button-small" }, S.delete);
    del.appendChild(el("span", { className: "visually-hidden" }, " " + S.noteAt.replace("%(time)s", when)));
    del.addEventListener("click", function () {
      if (window.confirm(S.confirmDelete)) {
        deleteNote(note.client_id);
        noteInput.focus();
      }
    });
    actions.appendChild(edit);
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(del);
    children.push(actions);
    li.replaceChildren.apply(li, children);
  }

  function chipButton(label, pressed, onToggle) {
    var b = el("button", { type: "button", className: "chip", "aria-pressed": pressed ? "true" : "false" }, label);
    b.addEventListener("click", function () {
      var now = b.getAttribute("aria-pressed") !== "true";
      b.setAttribute("aria-pressed", now ? "true" : "false");
      onToggle(now);
    });
    return b;
  }

  function openEditor(li, note) {
    editing = note.client_id;
    var nodes = (note.nodes || []).slice();
    var step = note.step || null;
    var idBase = "edit-" + note.client_id;
    var box = el("div", { className: "note-editor stack" });
    var label = el("label", { for: idBase }, S.noteText);
    var area = el("textarea", { id: idBase, rows: "3", maxlength: "4000" });
    area.value = note.text;
    box.appendChild(label);
    box.appendChild(area);
    var kinds = el("fieldset", { className: "valence-toggle" });
    kinds.appendChild(el("legend", null, S.kind));
    (config.valences || []).forEach(function (v) {
      var rid = idBase + "-" + v.value;
      var wrap = el("label", { for: rid, className: "valence-option valence-" + v.value });
      var radio = el("input", { type: "radio", name: idBase + "-valence", id: rid, value: v.value });
      radio.checked = note.valence === v.value;
      wrap.appendChild(radio);
      wrap.appendChild(document.createTextNode(" " + v.label));
      kinds.appendChild(wrap);
    });
    box.appendChild(kinds);
    var chips = el("div", { className: "chips", role: "group", "aria-label": S.tags });
    orderedComponents().forEach(function (c) {
      chips.appendChild(
        chipButton((c.code + " " + c.title).trim(), nodes.indexOf(c.id) >= 0, function (on) {
          nodes = nodes.filter(function (n) { return n !== c.id; });
          if (on) nodes.push(c.id);
        })
      );
    });
    if (config.step) {
      chips.appendChild(
        chipButton(S.step + ": " + config.step.label, step === config.step.id, function (on) {
          step = on ? config.step.id : null;
        })
      );
    }
    box.appendChild(chips);
    var buttons = el("p", { className: "actions" });
    var save = el("button", { type: "button", className: "button button-small" }, S.save);
    var cancel = el("button", { type: "button", className: "button button-secondary button-small" }, S.cancel);
    function close() {
      editing = null;
      li.dataset.sig = "";
      render();
      var again = noteList.querySelector('[data-cid="' + note.client_id + '"] .note-actions button');
      if (again) again.focus();
    }
    save.addEventListener("click", function () {
      var text = area.value.trim();
      if (!text) {
        area.focus();
        return;
      }
      var chosen = kinds.querySelector("input:checked");
      editing = null;
      editNote(note.client_id, { text: text, valence: chosen ? chosen.value : note.valence, nodes: nodes, step: step });
      close();
    });
    cancel.addEventListener("click", close);
    buttons.appendChild(save);
    buttons.appendChild(document.createTextNode(" "));
    buttons.appendChild(cancel);
    box.appendChild(buttons);
    li.replaceChildren(box);
    area.focus();
  }

  function orderedComponents() {
    var focus = components.filter(function (c) { return c.focus; });
    var rest = components.filter(function (c) { return !c.focus; });
    return focus.concat(rest);
  }

  function tallyView() {
    var counts = {};
    var order = server.tallyOrder.slice();
    server.tallyOrder.forEach(function (label) { counts[label] = server.tallies[label]; });
    store.counters.forEach(function (label) {
      if (!(label in counts)) {
        counts[label] = 0;
        order.push(label);
      }
    });
    store.ops.forEach(function (op) {
      if (op.op !== "tally.add") return;
      if (!(op.label in counts)) {
        counts[op.label] = 0;
        order.push(op.label);
      }
      counts[op.label] += op.delta;
    });
    return order.map(function (label) { return { label: label, count: counts[label] }; });
  }

  function renderTallies() {
    if (!tallyList) return;
    var rows = tallyView();
    var focused = document.activeElement && tallyList.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    var items = rows.map(function (row) {
      var li = el("li", { className: "tally" });
      li.appendChild(el("span", { className: "tally-label" }, row.label));
      li.appendChild(el("span", { className: "tally-count", "aria-hidden": "true" }, String(row.count)));
      var minus = el("button", {
        type: "button",
        className: "button button-secondary tally-button",
        "aria-label": S.decrease.replace("%(label)s", row.label) + " (" + row.count + ")",
        "data-key": "-" + row.label,
      }, "−");
      minus.disabled = row.count <= 0;
      minus.addEventListener("click", function () { tap(row.label, -1); });
      var plus = el("button", {
        type: "button",
        className: "button tally-button",
        "aria-label": S.increase.replace("%(label)s", row.label) + " (" + row.count + ")",
        "data-key": "+" + row.label,
      }, "+1");
      plus.addEventListener("click", function () { tap(row.label, 1); });
      li.appendChild(minus);
      li.appendChild(plus);
      return li;
    });
    if (!items.length) items = [el("li", { className: "muted" }, S.noTallies)];
    tallyList.replaceChildren.apply(tallyList, items);
    if (focused) {
      var again = Array.prototype.find.call(tallyList.querySelectorAll("button"), function (b) { return b.dataset.key === focused; });
      if (again && !again.disabled) again.focus();
    }
  }

  function renderFeedback() {
    if (!feedbackList) return;
    var events = {};
    Object.keys(server.feedback).forEach(function (cid) { events[cid] = Object.assign({ pending: false }, server.feedback[cid]); });
    store.ops.forEach(function (op) {
      if (op.op === "feedback.add" && !events[op.client_id]) {
        events[op.client_id] = { client_id: op.client_id, at: op.at, mode: op.mode, note: op.note, pending: true };
      }
    });
    var list = Object.keys(events)
      .map(function (k) { return events[k]; })
      .sort(function (a, b) { return a.at < b.at ? 1 : -1; });
    var items = list.map(function (ev) {
      var li = el("li", { className: "feedback-event" });
      li.appendChild(el("time", { datetime: ev.at }, timeOf(ev.at)));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("strong", null, modeLabel[ev.mode] || ev.mode));
      if (ev.note) li.appendChild(document.createTextNode(" — " + ev.note));
      if (ev.pending) {
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", { className: "badge badge-warn" }, S.noteWaiting));
      }
      return li;
    });
    if (!items.length) items = [el("li", { className: "muted" }, S.noFeedback)];
    feedbackList.replaceChildren.apply(feedbackList, items);
  }

  function renderFiles() {
    if (!fileList) return;
    var items = files.map(function (f) {
      var li = el("li", { className: "evidence-file" });
      var a = el("a", { href: f.url });
      if (f.is_image) {
        a.appendChild(el("img", { src: f.url, alt: f.caption || f.name, width: "96", height: "96", loading: "lazy", className: "thumb" }));
      } else {
        a.appendChild(el("span", { className: "doc-icon", "aria-hidden": "true" }, "📄"));
        a.appendChild(el("span", { className: "visually-hidden" }, f.caption || f.name));
      }
      li.appendChild(a);
      li.appendChild(el("span", { className: "small file-caption" }, f.caption || f.name));
      return li;
    });
    if (!items.length) items = [el("li", { className: "muted" }, S.noFiles)];
    fileList.replaceChildren.apply(fileList, items);
  }

  // The next note: kind and tags --------------------------------------------------------------------------

  function selectedValence() {
    var chosen = noteForm.querySelector("input[name=valence]:checked");
    return chosen ? chosen.value : "neutral";
  }

  function buildTagger() {
    var tagger = document.getElementById("tagger");
    if (!tagger || (!components.length && !config.step)) return;
    var focusBox = document.getElementById("focus-chips");
    var allBox = document.getElementById("all-chips");
    var chipsById = {};
    function toggle(id, on) {
      next.nodes = next.nodes.filter(function (n) { return n !== id; });
      if (on) next.nodes.push(id);
      (chipsById[id] || []).forEach(function (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); });
    }
    function chipFor(c) {
      var b = chipButton((c.code + " " + c.title).trim(), false, function (on) { toggle(c.id, on); });
      (chipsById[c.id] = chipsById[c.id] || []).push(b);
      return b;
    }
    components.filter(function (c) { return c.focus; }).forEach(function (c) { focusBox.appendChild(chipFor(c)); });
    if (config.step) {
      var stepChip = chipButton(S.step + ": " + config.step.label, false, function (on) { next.step = on; });
      stepChip.classList.add("chip-step");
      stepChip.id = "step-chip";
      focusBox.appendChild(stepChip);
    }
    var domain = null;
    var group = null;
    components.forEach(function (c) {
      if (c.domain !== domain || !group) {
        domain = c.domain;
        if (domain) allBox.appendChild(el("p", { className: "chip-domain small" }, domain));
        group = el("div", { className: "chips" });
        allBox.appendChild(group);
      }
      group.appendChild(chipFor(c));
    });
    if (!components.length) {
      var details = document.getElementById("all-chips-details");
      if (details) details.hidden = true;
    }
    if (!focusBox.children.length) focusBox.hidden = true;
    tagger.hidden = false;
    return function reset() {
      next.nodes.slice().forEach(function (id) { toggle(id, false); });
      next.step = false;
      var s = document.getElementById("step-chip");
      if (s) s.setAttribute("aria-pressed", "false");
    };
  }

  // Wiring -------------------------------------------------------------------------------------------------

  var resetTags = buildTagger() || function () {};

  noteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = noteInput.value.trim();
    if (!text) {
      noteInput.focus();
      return;
    }
    addNote(text, selectedValence(), next.nodes.slice(), next.step && config.step ? config.step.id : null);
    noteInput.value = "";
    var neutral = noteForm.querySelector("input[name=valence][value=neutral]");
    if (neutral) neutral.checked = true;
    resetTags();
    noteInput.focus();
  });

  if (tallyForm) {
    tallyForm.hidden = false;
    tallyForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var label = tallyName.value.trim().slice(0, 80);
      tallyError.textContent = "";
      if (!label) {
        tallyError.textContent = S.counterName;
        tallyName.focus();
        return;
      }
      var exists = tallyView().some(function (row) { return row.label.toLowerCase() === label.toLowerCase(); });
      if (exists) {
        tallyError.textContent = S.counterExists;
        tallyName.focus();
        return;
      }
      store.counters.push(label);
      persist();
      tallyName.value = "";
      renderTallies();
      var plus = Array.prototype.find.call(tallyList.querySelectorAll("button"), function (b) { return b.dataset.key === "+" + label; });
      if (plus) plus.focus();
    });
  }

  var feedbackPanel = document.getElementById("feedback-panel");
  if (feedbackPanel) {
    feedbackPanel.hidden = false;
    Array.prototype.forEach.call(feedbackPanel.querySelectorAll("[data-mode]"), function (button) {
      button.addEventListener("click", function () {
        var mode = button.getAttribute("data-mode");
        giveFeedback(mode, (feedbackNote && feedbackNote.value.trim()) || "");
        if (feedbackNote) feedbackNote.value = "";
        if (feedbackStatus) feedbackStatus.textContent = S.feedbackRecorded.replace("%(mode)s", modeLabel[mode] || mode);
      });
    });
  }

  if (uploadForm) {
    uploadForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (navigator.onLine === false) {
        uploadStatus.textContent = S.uploadOffline;
        return;
      }
      var button = uploadForm.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      uploadStatus.textContent = S.uploading;
      window
        .fetch(config.uploadUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
          body: new FormData(uploadForm),
        })
        .then(function (response) {
          return response
            .json()
            .catch(function () { return {}; })
            .then(function (data) { return { status: response.status, body: data }; });
        })
        .then(function (answer) {
          if (answer.status === 201) {
            files.push(answer.body);
            renderFiles();
            uploadForm.reset();
            uploadStatus.textContent = S.uploaded.replace("%(name)s", answer.body.name || "");
          } else {
            uploadStatus.textContent = S.uploadFailed.replace("%(error)s", (answer.body && answer.body.error) || String(answer.status));
          }
        })
        .catch(function () { uploadStatus.textContent = S.uploadOffline; })
        .then(function () { if (button) button.disabled = false; });
    });
  }

  if (finishForm) {
    finishForm.addEventListener("submit", function (event) {
      if (!store.ops.length) return;
      event.preventDefault();
      finishing = true;
      if (finishStatus) finishStatus.textContent = S.saving;
      if (!syncing) scheduleSync(0);
    });
  }

  window.addEventListener("online", function () {
    failures = 0;
    render();
    scheduleSync(0);
  });
  window.addEventListener("offline", render);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && store.ops.length && !syncing) scheduleSync(0);
  });
  // Another tab of the same observation changed the queue: take its version.
  window.addEventListener("storage", function (event) {
    if (event.key !== config.storageKey || syncing) return;
    store = load();
    render();
  });

  root.classList.add("capture-live");
  renderFiles();
  render();
  if (store.ops.length) scheduleSync(0);
})();
