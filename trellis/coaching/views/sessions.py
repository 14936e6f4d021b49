"""The session screen: the protocol's steps in order, time-boxed, with notes and the panels each step pulls in.

The coach runs the screen; the teachers of the relationship may open it read-only.
Everyone else gets 404 (the coaching firewall, through ``access_session``).
Notes save per step with htmx, or the whole form without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trellis.coaching.access import access_session
from trellis.coaching.forms.sessions import SessionCompleteForm
from trellis.coaching.models import RoundQuality, SessionStatus
from trellis.coaching.selectors import dashboards as selectors
from trellis.coaching.services import session_complete, session_mark_missed, session_save_notes

NOTE_PREFIX = "note__"


def _session_url(session, anchor: str = "") -> str:
    url = reverse("coaching:session-run", args=[session.pk])
    return f"{url}#{anchor}" if anchor else url


def _steps(session) -> list[dict]:
    """The protocol's steps with their notes, in order, for the template."""
    steps = []
    for index, step in enumerate(session.protocol.steps):
        key = str(step.get("key", ""))
        steps.append(
            {
                "index": index,
                "number": index + 1,
                "key": key,
                "label": step.get("label") or key,
                "prompts": step.get("prompts") or [],
                "minutes": int(step.get("minutes") or 0),
                "pulls": step.get("pulls") or [],
                "note": session.step_notes.get(key, ""),
            }
        )
    return steps


def _first_open_step(steps) -> int:
    """Where to start: the first step without notes (the whole protocol done: the first)."""
    return next((s["index"] for s in steps if not s["note"]), 0)


@login_required
@require_GET
def session_run(request, pk):
    session = access_session(request.user, pk)
    is_coach = session.relationship.coach_id == request.user.pk
    members = selectors.session_members(session)
    # A teacher of a group sees their own panels only: the others' steps and goals are theirs and the coach's.
    panel_members = members if is_coach else [t for t in members if t.pk == request.user.pk]
    panels = selectors.session_panels(request.user, session, panel_members)
    steps = _steps(session)
    now = timezone.now()
    context = {
        "session": session,
        "title": session.relationship.title or ", ".join(t.display_name for t in members),
        "qualities": RoundQuality.choices,
        "relationship": session.relationship,
        "members": members,
        "panels": [panels[t.pk] for t in panel_members],
        "is_group": len(panel_members) > 1,
        "steps": steps,
        "current_index": _first_open_step(steps),
        "is_coach": is_coach,
        "can_write": is_coach and session.status != SessionStatus.CANCELLED,
        "can_close": is_coach and session.status in (SessionStatus.SCHEDULED, SessionStatus.NO_SHOW),
        "can_miss": is_coach and session.status == SessionStatus.SCHEDULED and session.starts_at <= now,
        "not_started": session.starts_at > now,
        "complete_form": SessionCompleteForm(initial={"next_steps": session.next_steps}),
        "follow_up_default": selectors.session_default_follow_up(session.district_id) if is_coach else None,
        "today": timezone.localdate(),
        "timer": {
            "session": session.pk,
            "steps": [{"key": s["key"], "label": s["label"], "minutes": s["minutes"]} for s in steps],
            "total": session.minutes,
        },
    }
    return render(request, "coaching/session_run.html", context)


@login_required
@require_POST
def session_notes_view(request, pk):
    """Save the notes of one step (htmx, as the coach types) or of every step (the plain form)."""
    session = access_session(request.user, pk, write=True)
    notes = {name[len(NOTE_PREFIX) :]: value for name, value in request.POST.items() if name.startswith(NOTE_PREFIX)}
    anchor = request.POST.get("at", "")
    error = ""
    if not notes:
        error = _("There were no notes to save.")
    else:
        try:
            session = session_save_notes(actor=request.user, session=session, notes=notes)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:
        return render(
            request,
            "coaching/_session_saved.html",
            {"error": error, "saved_at": timezone.localtime(), "session": session},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your session notes are saved."))
    known = {str(step.get("key")) for step in session.protocol.steps}
    return redirect(_session_url(session, f"step-{anchor}" if anchor in known else ""))


@login_required
@require_POST
def session_complete_view(request, pk):
    session = access_session(request.user, pk, write=True)
    form = SessionCompleteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(_session_url(session, "close"))
    # Notes typed and not yet saved (no JavaScript) are kept with the closing.
    notes = {name[len(NOTE_PREFIX) :]: value for name, value in request.POST.items() if name.startswith(NOTE_PREFIX)}
    try:
        if notes:
            session = session_save_notes(actor=request.user, session=session, notes=notes)
        session = session_complete(actor=request.user, session=session, next_steps=form.cleaned_data["next_steps"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_session_url(session, "close"))
    messages.success(request, _("The session is recorded as held. Its next steps are saved."))
    return redirect(_session_url(session))


@login_required
@require_POST
def session_missed_view(request, pk):
    session = access_session(request.user, pk, write=True)
    try:
        session_mark_missed(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_session_url(session, "close"))
    messages.success(
        request, _("The session is recorded as missed. If you meet after all, you can still mark it held.")
    )
    return redirect(_session_url(session))
