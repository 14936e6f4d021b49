"""Writes for observations and check-ins: the lifecycle, live capture, sharing, reflection.

Lifecycle: planned -> in progress -> draft -> shared -> discussed, or cancelled
before it is shared. Every transition is checked here; an illegal one raises a
ValidationError that says what is possible instead.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.frameworks.models import ActionStep, FrameworkNode
from trellis.observations import models as m
from trellis.observations.access import may_observe
from trellis.observations.uploads import check_upload

PLAN_FIELDS = [
    "kind",
    "purpose",
    "campus",
    "class_name",
    "subject",
    "grade_band",
    "lesson_objective",
    "framework_version",
    "focus_step",
    "scheduled_for",
    "ratings_enabled",
]

_TRANSITIONS = {
    "start": ({m.State.PLANNED}, m.State.IN_PROGRESS),
    "finish": ({m.State.IN_PROGRESS}, m.State.DRAFT),
    "reopen": ({m.State.DRAFT}, m.State.IN_PROGRESS),
    "cancel": ({m.State.PLANNED, m.State.IN_PROGRESS, m.State.DRAFT}, m.State.CANCELLED),
    "share": ({m.State.DRAFT}, m.State.SHARED),
    "discuss": ({m.State.SHARED}, m.State.DISCUSSED),
}


def _move(obs: m.Observation, action: str) -> str:
    allowed_from, target = _TRANSITIONS[action]
    if obs.state not in allowed_from:
        raise ValidationError(
            _("This observation is %(state)s; it cannot be %(action)s now.")
            % {"state": obs.get_state_display().lower(), "action": _ACTION_WORDS[action]}
        )
    before = obs.state
    obs.state = target
    return before


_ACTION_WORDS = {
    "start": _("started"),
    "finish": _("finished"),
    "reopen": _("reopened"),
    "cancel": _("cancelled"),
    "share": _("shared"),
    "discuss": _("marked as discussed"),
}


def _lock(obs: m.Observation) -> m.Observation:
    return m.Observation.objects.select_for_update().get(pk=obs.pk)


def observation_plan(*, actor, teacher, focus_nodes=(), **fields) -> m.Observation:
    """Plan a visit to a teacher the observer supports (or leads, or themselves for a self-review)."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not a planning field: {sorted(unknown)}")
    if teacher.district_id is None:
        raise ValidationError({"teacher": _("Choose an educator from a district.")})
    if not may_observe(actor, teacher):
        raise ValidationError({"teacher": _("You can observe teachers you coach or whose campus you lead.")})
    version = fields.get("framework_version")
    focus_nodes = list(focus_nodes)
    if version is not None and any(node.version_id != version.pk for node in focus_nodes):
        raise ValidationError({"focus_nodes": _("Choose focus areas from the observation's framework.")})
    campus = fields.get("campus")
    if campus is not None and campus.district_id != teacher.district_id:
        raise ValidationError({"campus": _("Choose a campus of the teacher's district.")})
    with transaction.atomic():
        obs = m.Observation.objects.create(district_id=teacher.district_id, observer=actor, teacher=teacher, **fields)
        obs.focus_nodes.set(focus_nodes)
        audit_record(
            actor=actor, action="observation.plan", obj=obs, after=snapshot(obs, ["teacher", "kind", "purpose"])
        )
    return obs


def observation_update_plan(*, actor, obs: m.Observation, focus_nodes=None, **fields) -> m.Observation:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not a planning field: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(obs)
        if locked.state not in (m.State.PLANNED, m.State.IN_PROGRESS, m.State.DRAFT):
            raise ValidationError(_("A shared observation's plan can no longer change."))
        before = snapshot(locked, list(fields))
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.save()
        if focus_nodes is not None:
            locked.focus_nodes.set(focus_nodes)
        audit_record(
            actor=actor, action="observation.update", obj=locked, before=before, after=snapshot(locked, list(fields))
        )
    return locked


def _transition(actor, obs, action, **stamp) -> m.Observation:
    with transaction.atomic():
        locked = _lock(obs)
        before = _move(locked, action)
        for key, value in stamp.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            actor=actor,
            action=f"observation.{action}",
            obj=locked,
            before={"state": before},
            after={"state": locked.state},
        )
    return locked


def observation_start(*, actor, obs):
    return _transition(actor, obs, "start", started_at=timezone.now())


def observation_finish(*, actor, obs):
    return _transition(actor, obs, "finish", ended_at=timezone.now())


def observation_reopen(*, actor, obs):
    return _transition(actor, obs, "reopen")


def observation_cancel(*, actor, obs):
    return _transition(actor, obs, "cancel")


# Live capture -----------------------------------------------------------------------

MAX_OPS_PER_SYNC = 500


def capture_sync(*, actor, obs: m.Observation, ops: list) -> dict:
    """Apply a batch of capture operations from a device, in order, each at most once.

    Operations: ``note.add``, ``note.edit``, ``note.delete``, ``tally.add``, ``feedback.add``.
    Each carries the device's ``client_id``; an operation already applied is
    acknowledged again without a second write. Returns per-operation results so
    the device can clear exactly what the server has.
    """
    if not isinstance(ops, list) or len(ops) > MAX_OPS_PER_SYNC:
        raise ValidationError(_("Send a list of at most %(n)s changes.") % {"n": MAX_OPS_PER_SYNC})
    results, applied = [], 0
    with transaction.atomic():
        locked = _lock(obs)
        if not locked.is_open_for_capture:
            raise ValidationError(
                _("This observation is %(state)s; notes can no longer be added.")
                % {"state": locked.get_state_display().lower()}
            )
        if locked.state == m.State.PLANNED:
            _move(locked, "start")
            locked.started_at = timezone.now()
            locked.save(update_fields=["state", "started_at", "updated_at"])
        nodes = _allowed_nodes(locked)
        for op in ops:
            result = _apply(actor, locked, op, nodes)
            applied += result.get("status") == "applied"
            results.append(result)
        if applied:
            audit_record(actor=actor, action="observation.capture", obj=locked, after={"changes": applied})
    return {"results": results, "state": locked.state}


def _allowed_nodes(obs) -> dict:
    if obs.framework_version_id is None:
        return {}
    return {str(n.pk): n for n in FrameworkNode.objects.filter(version_id=obs.framework_version_id).only("pk")}


def _client_id(op) -> uuid.UUID:
    try:
        return uuid.UUID(str(op.get("client_id")))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError(_("Each change needs a client_id (a UUID).")) from None


def _when(op) -> datetime.datetime:
    try:
        value = parse_datetime(str(op.get("at") or "")) if op.get("at") else None
    except ValueError:  # shaped like a date but not one (month 13): the server's time is better than none
        value = None
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    # A device clock far in the future is not trusted.
    return min(value, timezone.now() + datetime.timedelta(minutes=5))


def _step(op, obs):
    """The library step a change names: a shipped one or one of the observation's district, else none."""
    step_id = op.get("step")
    if not step_id or not str(step_id).isdigit():
        return None
    own = Q(district__isnull=True) | Q(district_id=obs.district_id)
    return ActionStep.objects.filter(own, pk=step_id).first()


def _apply(actor, obs, op, nodes) -> dict:
    if not isinstance(op, dict):
        return {"status": "rejected", "error": _("Not a change.")}
    kind = op.get("op")
    try:
        client_id = _client_id(op)
        handler = _HANDLERS.get(kind)
        if handler is None:
            return {"client_id": str(op.get("client_id")), "status": "rejected", "error": _("Unknown change.")}
        return {"client_id": str(client_id), **handler(actor, obs, op, client_id, nodes)}
    except ValidationError as exc:
        return {"client_id": str(op.get("client_id")), "status": "rejected", "error": " ".join(exc.messages)}


def _clean_note(op, nodes):
    text = str(op.get("text") or "").strip()
    if not text:
        raise ValidationError(_("A note needs some text."))
    if len(text) > 4000:
        raise ValidationError(_("A note can be at most 4,000 characters."))
    valence = op.get("valence") or m.Valence.NEUTRAL
    if valence not in m.Valence.values:
        raise ValidationError(_("Mark a note as strength, growth or neutral."))
    raw_nodes = op.get("nodes") or []
    node_ids = [str(n) for n in raw_nodes] if isinstance(raw_nodes, list) else []
    chosen = [nodes[n] for n in node_ids if n in nodes]
    return text, valence, chosen


def _note_add(actor, obs, op, client_id, nodes) -> dict:
    existing = m.EvidenceNote.objects.filter(observation=obs, client_id=client_id).first()
    if existing:
        return {"status": "duplicate", "id": existing.pk, "revision": existing.revision}
    text, valence, chosen = _clean_note(op, nodes)
    try:
        with transaction.atomic():
            note = m.EvidenceNote.objects.create(
                observation=obs,
                district_id=obs.district_id,
                author=actor,
                client_id=client_id,
                at=_when(op),
                text=text,
                valence=valence,
                step=_step(op, obs),
            )
    except IntegrityError:
        # The same note arrived from a parallel request a moment ago.
        note = m.EvidenceNote.objects.get(observation=obs, client_id=client_id)
        return {"status": "duplicate", "id": note.pk, "revision": note.revision}
    note.nodes.set(chosen)
    return {"status": "applied", "id": note.pk, "revision": note.revision}


def _note_edit(actor, obs, op, client_id, nodes) -> dict:
    note = m.EvidenceNote.objects.select_for_update().filter(observation=obs, client_id=client_id).first()
    if note is None or note.deleted:
        raise ValidationError(_("That note no longer exists."))
    base = op.get("base_revision")
    if base is not None:
        try:
            base = int(base)
        except (TypeError, ValueError):
            raise ValidationError(_("base_revision must be a whole number.")) from None
    if base is not None and base != note.revision:
        # Another device changed this note first: keep theirs, tell this device.
        return {"status": "conflict", "id": note.pk, "revision": note.revision, "text": note.text}
    text, valence, chosen = _clean_note(op, nodes)
    note.text, note.valence, note.step = text, valence, _step(op, obs)
    note.revision += 1
    note.save()
    note.nodes.set(chosen)
    return {"status": "applied", "id": note.pk, "revision": note.revision}


def _note_delete(actor, obs, op, client_id, nodes) -> dict:
    note = m.EvidenceNote.objects.filter(observation=obs, client_id=client_id).first()
    if note is None or note.deleted:
        return {"status": "duplicate"}
    note.deleted = True
    note.revision += 1
    note.save(update_fields=["deleted", "revision", "updated_at"])
    return {"status": "applied", "id": note.pk, "revision": note.revision}


def _tally_add(actor, obs, op, client_id, nodes) -> dict:
    label = str(op.get("label") or "").strip()[:80]
    if not label:
        raise ValidationError(_("A tally needs a name."))
    delta = op.get("delta", 1)
    if delta not in (1, -1):
        raise ValidationError(_("A tally changes by one at a time."))
    counter, _created = m.TallyCounter.objects.get_or_create(
        observation=obs, label=label, defaults={"district_id": obs.district_id, "position": obs.tallies.count()}
    )
    if m.TallyMark.objects.filter(counter=counter, client_id=client_id).exists():
        return {"status": "duplicate", "label": label}
    m.TallyMark.objects.create(
        counter=counter, district_id=obs.district_id, client_id=client_id, delta=delta, at=_when(op)
    )
    return {"status": "applied", "label": label}


def _feedback_add(actor, obs, op, client_id, nodes) -> dict:
    if m.FeedbackEvent.objects.filter(observation=obs, client_id=client_id).exists():
        return {"status": "duplicate"}
    mode = op.get("mode")
    if mode not in m.FeedbackMode.values:
        raise ValidationError(_("Say how the feedback was given."))
    event = m.FeedbackEvent.objects.create(
        observation=obs,
        district_id=obs.district_id,
        client_id=client_id,
        at=_when(op),
        mode=mode,
        step=_step(op, obs) or obs.focus_step,
        note=str(op.get("note") or "").strip()[:2000],
    )
    return {"status": "applied", "id": event.pk}


_HANDLERS = {
    "note.add": _note_add,
    "note.edit": _note_edit,
    "note.delete": _note_delete,
    "tally.add": _tally_add,
    "feedback.add": _feedback_add,
}


def evidence_file_add(*, actor, obs: m.Observation, upload, caption: str = "") -> m.EvidenceFile:
    """Attach a photo or document. Checked by content; images re-encoded without location data."""
    if not obs.is_open_for_capture:
        raise ValidationError(_("Files can be added until the observation is shared."))
    checked = check_upload(upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    with transaction.atomic():
        record = m.EvidenceFile(
            observation=obs,
            district_id=obs.district_id,
            uploaded_by=actor,
            original_name=checked.name[:255],
            content_type=checked.content_type,
            size=checked.size,
            caption=(caption or "").strip()[:300],
        )
        record.file.save(f"{uuid.uuid4().hex}{checked.extension}", checked.content, save=False)
        record.save()
        audit_record(actor=actor, action="observation.file_add", obj=obs, after={"file": record.original_name})
    return record


# After the visit --------------------------------------------------------------------


def observation_set_focus(
    *,
    actor,
    obs,
    growth_node=None,
    growth_rationale="",
    proposed_step=None,
    proposed_step_text="",
    strengths_summary="",
) -> m.Observation:
    """Choose the ONE highest-leverage growth area and propose one action step, with the evidence for it."""
    if growth_node is not None and obs.framework_version_id and growth_node.version_id != obs.framework_version_id:
        raise ValidationError({"growth_node": _("Choose a growth area from the observation's framework.")})
    if proposed_step is not None and (proposed_step_text or "").strip():
        raise ValidationError({"proposed_step_text": _("Choose a step from the library or write one, not both.")})
    with transaction.atomic():
        locked = _lock(obs)
        if locked.state not in (m.State.IN_PROGRESS, m.State.DRAFT):
            raise ValidationError(_("The growth area is chosen after the visit and before sharing."))
        fields = ["growth_node", "growth_rationale", "proposed_step", "proposed_step_text", "strengths_summary"]
        before = snapshot(locked, fields)
        locked.growth_node = growth_node
        locked.growth_rationale = (growth_rationale or "").strip()
        locked.proposed_step = proposed_step
        locked.proposed_step_text = (proposed_step_text or "").strip()
        locked.strengths_summary = (strengths_summary or "").strip()
        locked.save()
        audit_record(actor=actor, action="observation.focus", obj=locked, before=before, after=snapshot(locked, fields))
    return locked


def observation_rate(*, actor, obs, node, level, rationale: str = "") -> m.Rating:
    if not obs.ratings_enabled:
        raise ValidationError(_("Ratings are off for this observation."))
    if obs.framework_version_id is None or node.version_id != obs.framework_version_id:
        raise ValidationError({"node": _("Choose an area from the observation's framework.")})
    if level.scale.version_id != obs.framework_version_id:
        raise ValidationError({"level": _("Choose a level of this framework's continuum.")})
    with transaction.atomic():
        rating, _created = m.Rating.objects.update_or_create(
            observation=obs,
            node=node,
            defaults={"district_id": obs.district_id, "level": level, "rationale": (rationale or "").strip()},
        )
        audit_record(actor=actor, action="observation.rate", obj=obs, after={"node": node.pk, "level": level.position})
    return rating


def _ready_to_share(obs: m.Observation) -> None:
    if obs.observer_id == obs.teacher_id:
        raise ValidationError(_("A self-review is already yours; there is no one to share it with."))
    chose_focus = obs.growth_node_id or obs.proposed_step_id or obs.proposed_step_text
    if obs.purpose == m.Purpose.COACHING and not chose_focus:
        raise ValidationError(
            _("Choose the one highest-leverage growth area (or propose an action step) before sharing.")
        )


def observation_share(*, actor, obs) -> m.Observation:
    """Publish to the teacher: they are told in Trellis and by email (sent in the background)."""
    from trellis.observations.tasks import send_observation_shared_email

    with transaction.atomic():
        locked = _lock(obs)
        before = _move(locked, "share")
        _ready_to_share(locked)
        locked.shared_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor, action="observation.share", obj=locked, before={"state": before}, after={"state": locked.state}
        )
        m.Notice.objects.create(
            district_id=locked.district_id,
            recipient=locked.teacher,
            url=reverse("observations:detail", args=[locked.pk]),
            text=_("%(observer)s shared feedback from a classroom visit.") % {"observer": locked.observer.display_name},
        )
        transaction.on_commit(lambda: send_observation_shared_email.enqueue(locked.pk))
    return locked


def observation_acknowledge(*, actor, obs, reflection: str = "") -> m.Observation:
    """The teacher confirms they read the feedback and may add a reflection."""
    if obs.teacher_id != actor.pk:
        raise ValidationError(_("Only the teacher who was observed can acknowledge it."))
    with transaction.atomic():
        locked = _lock(obs)
        if locked.state not in (m.State.SHARED, m.State.DISCUSSED):
            raise ValidationError(_("This observation has not been shared with you."))
        before = snapshot(locked, ["acknowledged_at", "teacher_reflection"])
        if locked.acknowledged_at is None:
            locked.acknowledged_at = timezone.now()
        if reflection is not None:
            locked.teacher_reflection = reflection.strip()
        locked.save()
        audit_record(
            actor=actor,
            action="observation.acknowledge",
            obj=locked,
            before=before,
            after=snapshot(locked, ["acknowledged_at", "teacher_reflection"]),
        )
    return locked


def observation_discussed(*, actor, obs) -> m.Observation:
    return _transition(actor, obs, "discuss", discussed_at=timezone.now())


# Check-ins ----------------------------------------------------------------------------


def check_in_record(
    *, actor, teacher, held_on, priorities, progress="", alignment_notes="", blockers="", next_check_in=None
):
    from trellis.orgs.access import coached_teachers

    if not coached_teachers(actor).filter(teacher_id=teacher.pk).exists():
        raise ValidationError({"teacher": _("This teacher is not on your caseload.")})
    if not (priorities or "").strip():
        raise ValidationError({"priorities": _("Write the priorities you agreed on.")})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("A check-in is recorded after it happens.")})
    if next_check_in is None:
        next_check_in = held_on + datetime.timedelta(days=cadence_days(actor, teacher))
    if next_check_in <= held_on:
        raise ValidationError({"next_check_in": _("The next check-in comes after this one.")})
    with transaction.atomic():
        check_in = m.CheckIn.objects.create(
            district_id=teacher.district_id,
            coach=actor,
            teacher=teacher,
            held_on=held_on,
            priorities=priorities.strip(),
            progress=(progress or "").strip(),
            alignment_notes=(alignment_notes or "").strip(),
            blockers=(blockers or "").strip(),
            next_check_in=next_check_in,
        )
        audit_record(
            actor=actor,
            action="check_in.record",
            obj=check_in,
            after=snapshot(check_in, ["teacher", "held_on", "next_check_in"]),
        )
    return check_in


def cadence_days(coach, teacher) -> int:
    row = m.CheckInCadence.objects.filter(coach=coach, teacher=teacher).first()
    return row.every_days if row else settings.CHECK_IN_EVERY_DAYS


def cadence_set(*, actor, teacher, every_days: int) -> m.CheckInCadence:
    from trellis.orgs.access import coached_teachers

    if not coached_teachers(actor).filter(teacher_id=teacher.pk).exists():
        raise ValidationError({"teacher": _("This teacher is not on your caseload.")})
    if not 1 <= int(every_days) <= 120:
        raise ValidationError({"every_days": _("Choose between 1 and 120 days.")})
    with transaction.atomic():
        cadence, _created = m.CheckInCadence.objects.update_or_create(
            coach=actor, teacher=teacher, defaults={"district_id": teacher.district_id, "every_days": every_days}
        )
        audit_record(actor=actor, action="check_in.cadence", obj=cadence, after={"every_days": every_days})
    return cadence


def notice_mark_read(*, actor, notice: m.Notice) -> None:
    if notice.recipient_id == actor.pk and notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])


def notice_mark_all_read(*, actor) -> int:
    """Mark every unread notice of the actor as read, in one UPDATE. Returns how many were unread."""
    return m.Notice.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
