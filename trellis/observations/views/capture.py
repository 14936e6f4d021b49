"""Live capture: the phone screen, its sync endpoint, evidence uploads and the file view.

The capture screen works from a queue kept in the browser (capture.js): every
change is written to ``localStorage`` first and sent to ``sync`` in batches; the
service applies each change at most once (by its ``client_id``), so a batch sent
twice after a dropped connection is stored once.
"""

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from trellis.observations import models as m
from trellis.observations import selectors
from trellis.observations.access import access_evidence_file, access_observation
from trellis.observations.forms import QuickNoteForm, UploadForm
from trellis.observations.services import (
    MAX_OPS_PER_SYNC,
    capture_sync,
    evidence_file_add,
    observation_finish,
    observation_start,
)
from trellis.observations.views.common import json_error, wants_json


def _plural(singular: str, plural: str) -> list[str]:
    # The browser picks [one, other] by count; the server translates both forms with the count placeholder kept.
    return [ngettext(singular, plural, 1), ngettext(singular, plural, 2)]


def _strings() -> dict:
    """Every sentence the capture script shows, translated here (no text lives in the script)."""
    return {
        "allSaved": _("All notes saved."),
        "saving": _("Saving…"),
        "waitingNotes": _plural(
            "%(n)s note waiting for a connection — it is kept on this device.",
            "%(n)s notes waiting for a connection — they are kept on this device.",
        ),
        "waitingChanges": _plural(
            "%(n)s change waiting for a connection — it is kept on this device.",
            "%(n)s changes waiting for a connection — they are kept on this device.",
        ),
        "alsoChanges": _plural("Also %(n)s other change.", "Also %(n)s other changes."),
        "closed": _(
            "This observation is no longer open for notes, so these changes cannot be saved. They stay on this device: copy them before you leave."
        ),
        "signedOut": _("You are signed out. Sign in again in another tab: your notes are kept on this device."),
        "refused": _("Trellis refused these changes: %(error)s"),
        "conflict": _(
            "This note was changed on another device first, and Trellis kept that version. Yours was: “%(text)s”"
        ),
        "rejected": _("Not saved: %(error)s"),
        "noteWaiting": _("waiting"),
        "noteSaved": _("saved"),
        "notSaved": _("not saved"),
        "noteAt": _("the note at %(time)s"),
        "memoryOnly": _(
            "This browser does not let Trellis keep them on the device: stay on this page until they are saved."
        ),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "dismiss": _("Dismiss"),
        "confirmDelete": _("Delete this note?"),
        "noteText": _("Note text"),
        "kind": _("Kind"),
        "tags": _("Components"),
        "noNotes": _("No notes yet. Type one above and press Enter."),
        "noTallies": _("No counters yet. Name something to count, such as “Questions asked”."),
        "noFeedback": _("No real-time feedback recorded yet."),
        "noFiles": _("No photos or documents yet."),
        "counterExists": _("There is already a counter with that name."),
        "counterName": _("Name the counter first."),
        "increase": _("Add one to “%(label)s”"),
        "decrease": _("Take one from “%(label)s”"),
        "feedbackRecorded": _("Recorded: %(mode)s."),
        "uploadOffline": _(
            "Photos and documents are sent only while connected. Try again when the connection is back."
        ),
        "uploading": _("Uploading…"),
        "uploaded": _("Attached: %(name)s"),
        "uploadFailed": _("The file was not attached: %(error)s"),
        "finishWaiting": _(
            "Some changes are still waiting for a connection. Finish the visit once everything is saved."
        ),
        "tagged": _("Tagged: %(tags)s"),
        "step": _("Action step"),
        "open": _("Open"),
    }


def _note_json(note, node_ids) -> dict:
    return {
        "client_id": str(note.client_id),
        "id": note.pk,
        "at": note.at.isoformat(),
        "text": note.text,
        "valence": note.valence,
        "nodes": node_ids.get(note.pk, []),
        "step": note.step_id,
        "revision": note.revision,
    }


def _file_json(record) -> dict:
    return {
        "id": record.pk,
        "name": record.original_name,
        "caption": record.caption,
        "content_type": record.content_type,
        "size": record.size,
        "is_image": record.content_type.startswith("image/"),
        "url": reverse("observations:file", args=[record.pk]),
    }


def _config(request, obs, evidence, components, focus_ids) -> dict:
    step = obs.focus_step
    return {
        "observation": obs.pk,
        # Per person and observation: a shared device never shows one person's queue to another.
        "storageKey": f"trellis.capture.{request.user.pk}.{obs.pk}",
        "syncUrl": reverse("observations:sync", args=[obs.pk]),
        "uploadUrl": reverse("observations:upload", args=[obs.pk]),
        "maxOps": MAX_OPS_PER_SYNC,
        "notes": [_note_json(n, evidence.node_ids) for n in evidence.notes],
        "tallies": evidence.tallies,
        "feedback": [
            {
                "client_id": str(f.client_id),
                "at": f.at.isoformat(),
                "mode": f.mode,
                "note": f.note,
                "step": f.step_id,
            }
            for f in evidence.feedback
        ],
        "files": [_file_json(f) for f in evidence.files],
        "components": [
            {"id": c.id, "code": c.code, "title": c.title, "domain": c.domain, "focus": c.id in focus_ids}
            for c in components
        ],
        "step": {"id": step.pk, "label": f"{step.code} {step.title}"} if step else None,
        "modes": [{"value": v, "label": str(label)} for v, label in m.FeedbackMode.choices],
        "valences": [{"value": v, "label": str(label)} for v, label in m.Valence.choices],
        "strings": _strings(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def capture(request, pk):
    obs = access_observation(request.user, pk, write=True)
    if not obs.is_open_for_capture:
        messages.info(request, _("This observation is %(state)s.") % {"state": obs.get_state_display().lower()})
        return redirect("observations:detail", obs.pk)
    # Without script the note field still works: one note per submit, with a client id so a resend is a no-op.
    form = QuickNoteForm(request.POST or None, initial={"client_id": uuid.uuid4(), "valence": m.Valence.NEUTRAL})
    if request.method == "POST" and form.is_valid():
        op = {
            "op": "note.add",
            "client_id": str(form.cleaned_data["client_id"]),
            "at": timezone.now().isoformat(),
            "text": form.cleaned_data["text"],
            "valence": form.cleaned_data["valence"],
        }
        try:
            result = capture_sync(actor=request.user, obs=obs, ops=[op])["results"][0]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result["status"] == "rejected":
                form.add_error("text", result.get("error"))
            else:
                return redirect(reverse("observations:capture", args=[obs.pk]) + "#notes-heading")
    evidence = selectors.evidence_of(obs)
    components = selectors.components_of(obs.framework_version_id)
    focus_ids = set(selectors.focus_ids_of(obs))
    by_id = {c.id: c for c in components}
    for note in evidence.notes:
        note.tags = [by_id[n] for n in evidence.node_ids.get(note.pk, []) if n in by_id]
    return render(
        request,
        "observations/capture.html",
        {
            "obs": obs,
            "form": form,
            "evidence": evidence,
            "notes_newest_first": list(reversed(evidence.notes)),
            "upload_form": UploadForm(),
            "modes": m.FeedbackMode.choices,
            "config": _config(request, obs, evidence, components, focus_ids),
            "max_mb": round(settings.EVIDENCE_MAX_BYTES / 1_048_576, 1),
        },
    )


@require_POST
def capture_sync_view(request, pk):
    """Apply a batch of capture changes: JSON ``{"ops": [...]}`` in, the service's per-change results out.

    Errors are JSON too: 400 for a malformed body, 401 when signed out, 404 for an
    observation the person cannot work on, 409 once it is no longer open for notes.
    """
    if not request.user.is_authenticated:
        return json_error(_("You are signed out. Sign in again; your notes are kept on this device."), 401)
    try:
        obs = access_observation(request.user, pk, write=True)
    except Http404:
        return json_error(_("There is no such observation."), 404)
    except PermissionDenied:
        return json_error(_("Only the observer can add notes to this observation."), 403)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return json_error(_('Send the changes as JSON: {"ops": [...]}.'), 400)
    ops = payload.get("ops") if isinstance(payload, dict) else None
    if not isinstance(ops, list):
        return json_error(_('Send the changes as JSON: {"ops": [...]}.'), 400)
    if len(ops) > MAX_OPS_PER_SYNC:
        return json_error(_("Send at most %(n)s changes at a time.") % {"n": MAX_OPS_PER_SYNC}, 400)
    if not obs.is_open_for_capture:
        return _closed(obs)
    try:
        result = capture_sync(actor=request.user, obs=obs, ops=ops)
    except ValidationError as exc:
        state = m.Observation.objects.filter(pk=obs.pk).values_list("state", flat=True).first()
        if state not in (m.State.PLANNED, m.State.IN_PROGRESS, m.State.DRAFT):
            obs.state = state
            return _closed(obs)
        return json_error(" ".join(exc.messages), 400)
    return JsonResponse(result)


def _closed(obs) -> JsonResponse:
    return json_error(
        _("This observation is %(state)s; notes can no longer be added.") % {"state": obs.get_state_display().lower()},
        409,
        state=obs.state,
    )


@require_POST
def evidence_upload(request, pk):
    """Attach a photo or document. Answers JSON to the capture script, else redirects back with a message."""
    as_json = wants_json(request)
    if not request.user.is_authenticated:
        if as_json:
            return json_error(_("You are signed out. Sign in again to attach files."), 401)
        return redirect_to_login(request.get_full_path())
    try:
        obs = access_observation(request.user, pk, write=True)
    except Http404:
        if as_json:
            return json_error(_("There is no such observation."), 404)
        raise
    except PermissionDenied:
        if as_json:
            return json_error(_("Only the observer can attach files to this observation."), 403)
        raise
    form = UploadForm(request.POST, request.FILES)
    error = None
    record = None
    if form.is_valid():
        try:
            record = evidence_file_add(
                actor=request.user, obs=obs, upload=form.cleaned_data["file"], caption=form.cleaned_data["caption"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(msg for errors in form.errors.values() for msg in errors)
    if as_json:
        if record is None:
            return json_error(error, 409 if not obs.is_open_for_capture else 400)
        return JsonResponse(_file_json(record), status=201)
    if record is None:
        messages.error(request, _("The file was not attached: %(error)s") % {"error": error})
    else:
        messages.success(request, _("Attached: %(name)s") % {"name": record.original_name})
    if obs.is_open_for_capture:
        return redirect(reverse("observations:capture", args=[obs.pk]) + "#files-heading")
    return redirect("observations:detail", obs.pk)


@login_required
def evidence_file(request, pk):
    """Stream an evidence file to someone who may read its observation, and to no one else (404)."""
    record = access_evidence_file(request.user, pk)
    try:
        handle = record.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    is_image = record.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=record.content_type,
        as_attachment=not is_image,
        filename=record.original_name or f"evidence-{record.pk}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A file never runs as a page of this site, whatever is inside it.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
@require_POST
def observation_finish_view(request, pk):
    obs = access_observation(request.user, pk, write=True)
    try:
        if obs.state == m.State.PLANNED:
            obs = observation_start(actor=request.user, obs=obs)
        if obs.state == m.State.IN_PROGRESS:
            observation_finish(actor=request.user, obs=obs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("observations:detail", obs.pk)
    return redirect("observations:review", obs.pk)
