"""Coaching relationships (agreement, consent, status), intake and continuum placements.

A relationship is proposed by a coach for teachers on their caseload. It becomes
active once every teacher has consented to its agreement; changing the agreement
asks them to consent again. Ending it cancels the sessions still to come.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.models import (
    CoachingSession,
    CycleModel,
    Intake,
    Placement,
    PlacementSource,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    SessionStatus,
)
from trellis.coaching.services.common import clean_text, notify, require_coach_of
from trellis.frameworks.models import FrameworkNode, ScaleLevel

__all__ = [
    "AGREEMENT_FIELDS",
    "MAX_GROUP_SIZE",
    "relationship_create",
    "relationship_update",
    "relationship_consent",
    "relationship_pause",
    "relationship_resume",
    "relationship_end",
    "intake_record",
    "intake_confirm_focus",
    "placement_record",
]

AGREEMENT_FIELDS = ["title", "cycle_model", "norms", "sharing", "meetings_per_month", "meeting_minutes", "location"]
MAX_GROUP_SIZE = 6
_ST = RelationshipStatus


def _clean_agreement(fields: dict, district_id) -> dict:
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"Not an agreement field: {sorted(unknown)}")
    errors = {}
    cycle_model = fields.get("cycle_model")
    if cycle_model is not None and not (cycle_model.is_active and cycle_model.district_id in (None, district_id)):
        errors["cycle_model"] = _("Choose one of the cycle models your district offers.")
    for name, low, high in (("meetings_per_month", 1, 8), ("meeting_minutes", 10, 120)):
        value = fields.get(name)
        if value is not None and not low <= value <= high:
            errors[name] = _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)
    for name in ("title", "norms", "sharing", "location"):
        if name in fields:
            fields[name] = clean_text(fields[name])
    return fields


def relationship_create(*, actor, teachers, cycle_model: CycleModel, **agreement) -> Relationship:
    """A coach proposes to coach one teacher, or a small group, under an agreement they will consent to."""
    teachers = list(dict.fromkeys(teachers))
    if not teachers:
        raise ValidationError({"teachers": _("Choose at least one teacher.")})
    if len(teachers) > MAX_GROUP_SIZE:
        raise ValidationError({"teachers": _("A group has at most %(n)s teachers.") % {"n": MAX_GROUP_SIZE}})
    for teacher in teachers:
        require_coach_of(actor, teacher, "teachers")
    district_id = teachers[0].district_id
    if any(t.district_id != district_id for t in teachers):
        raise ValidationError({"teachers": _("A group's teachers all work in one district.")})
    fields = _clean_agreement({"cycle_model": cycle_model, **agreement}, district_id)
    open_states = [_ST.PROPOSED, _ST.ACTIVE, _ST.PAUSED]
    with_teacher = Relationship.objects.filter(coach=actor, status__in=open_states, members__teacher=teachers[0])
    if (
        len(teachers) == 1
        and Relationship.objects.filter(pk__in=with_teacher.values("pk"))
        .annotate(n=Count("members"))
        .filter(n=1)
        .exists()
    ):
        raise ValidationError(
            {
                "teachers": _("You already coach %(name)s one-on-one: end that relationship before starting another.")
                % {"name": teachers[0].display_name}
            }
        )
    with transaction.atomic():
        rel = Relationship.objects.create(district_id=district_id, coach=actor, **fields)
        RelationshipMember.objects.bulk_create(
            RelationshipMember(relationship=rel, teacher=t, district_id=district_id) for t in teachers
        )
        audit_record(actor=actor, action="coaching_relationship.create", obj=rel, after=snapshot(rel))
        url = reverse("coaching:relationship-detail", args=[rel.pk])
        for teacher in teachers:
            notify(
                teacher,
                text=_("%(coach)s proposes a coaching agreement: please read it and consent.")
                % {"coach": actor.display_name},
                url=url,
            )
    return rel


def _lock(rel: Relationship) -> Relationship:
    return Relationship.objects.select_for_update().get(pk=rel.pk)


def relationship_update(*, actor, relationship: Relationship, **agreement) -> Relationship:
    """The coach edits the agreement. A change to what teachers agreed to asks for their consent again."""
    with transaction.atomic():
        rel = _lock(relationship)
        if rel.coach_id != actor.pk:
            raise ValidationError(_("Only the coach edits the agreement."))
        if rel.status == _ST.ENDED:
            raise ValidationError(_("This relationship has ended; its agreement can no longer change."))
        fields = _clean_agreement(dict(agreement), rel.district_id)
        before = snapshot(rel, AGREEMENT_FIELDS)
        for name, value in fields.items():
            setattr(rel, name, value)
        rel.save()
        after = snapshot(rel, AGREEMENT_FIELDS)
        if before.get("norms") != after.get("norms") or before.get("sharing") != after.get("sharing"):
            rel.members.update(consented_at=None)
            for member in rel.members.select_related("teacher"):
                notify(
                    member.teacher,
                    text=_("Your coaching agreement changed: please read it and consent again."),
                    url=reverse("coaching:relationship-detail", args=[rel.pk]),
                )
        audit_record(actor=actor, action="coaching_relationship.update", obj=rel, before=before, after=after)
    return rel


def relationship_consent(*, actor, relationship: Relationship) -> Relationship:
    """A teacher consents to the agreement; once everyone has, a proposed relationship becomes active."""
    with transaction.atomic():
        rel = _lock(relationship)
        member = rel.members.filter(teacher=actor).first()
        if member is None:
            raise ValidationError(_("Only the teachers in this relationship consent to it."))
        if rel.status == _ST.ENDED:
            raise ValidationError(_("This relationship has ended."))
        if member.consented_at is None:
            member.consented_at = timezone.now()
            member.save(update_fields=["consented_at"])
        before = rel.status
        if rel.status == _ST.PROPOSED and not rel.members.filter(consented_at__isnull=True).exists():
            rel.status = _ST.ACTIVE
            rel.started_on = timezone.localdate()
            rel.save(update_fields=["status", "started_on", "updated_at"])
            notify(
                rel.coach,
                text=_("Your coaching agreement is active: everyone has consented."),
                url=reverse("coaching:relationship-detail", args=[rel.pk]),
            )
        audit_record(
            actor=actor,
            action="coaching_relationship.consent",
            obj=rel,
            before={"status": before},
            after={"status": rel.status, "consented": actor.pk},
        )
    return rel


_STATUS_MOVES = {
    "pause": ({_ST.ACTIVE}, _ST.PAUSED),
    "resume": ({_ST.PAUSED}, _ST.ACTIVE),
    "end": ({_ST.PROPOSED, _ST.ACTIVE, _ST.PAUSED}, _ST.ENDED),
}


def _set_status(actor, relationship: Relationship, action: str) -> Relationship:
    with transaction.atomic():
        rel = _lock(relationship)
        is_member = rel.members.filter(teacher=actor).exists()
        if rel.coach_id != actor.pk and not (action == "end" and is_member):
            raise ValidationError(_("Only the coach can do this."))
        allowed, target = _STATUS_MOVES[action]
        if rel.status not in allowed:
            raise ValidationError(
                _("This relationship is %(status)s; it cannot be %(action)s.")
                % {"status": rel.get_status_display().lower(), "action": _STATUS_WORDS[action]}
            )
        before = rel.status
        rel.status = target
        if target == _ST.ENDED:
            rel.ended_on = timezone.localdate()
            _cancel_future_sessions(rel)
        rel.save()
        audit_record(
            actor=actor,
            action=f"coaching_relationship.{action}",
            obj=rel,
            before={"status": before},
            after={"status": rel.status},
        )
    return rel


_STATUS_WORDS = {"pause": _("paused"), "resume": _("resumed"), "end": _("ended")}


def _cancel_future_sessions(rel: Relationship) -> None:
    from trellis.coaching.services.schedule import send_cancellations
    from trellis.coaching.tasks import send_series_invitation

    future = list(rel.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()))
    # One-off sessions carry their own SEQUENCE: the cancellation must outrank the invitation.
    CoachingSession.objects.filter(pk__in=[s.pk for s in future]).update(
        status=SessionStatus.CANCELLED,
        cancel_reason=_("The coaching relationship ended."),
        sequence=F("sequence") + 1,
    )
    for series in rel.series.filter(stopped_at__isnull=True):
        series.stopped_at = timezone.now()
        series.until = min(series.until, timezone.localdate())
        series.sequence += 1
        series.save(update_fields=["stopped_at", "until", "sequence"])
        transaction.on_commit(lambda pk=series.pk: send_series_invitation.enqueue(pk))
    send_cancellations(rel, [s for s in future if s.series_id is None])


def relationship_pause(*, actor, relationship):
    return _set_status(actor, relationship, "pause")


def relationship_resume(*, actor, relationship):
    return _set_status(actor, relationship, "resume")


def relationship_end(*, actor, relationship):
    """The coach or a teacher ends the relationship; sessions still to come are cancelled."""
    return _set_status(actor, relationship, "end")


INTAKE_FIELDS = ["strengths", "interests", "prior_pd", "constraints", "preferred_times"]


def _may_record_intake(actor, rel: Relationship, teacher) -> bool:
    is_member = rel.members.filter(teacher=teacher).exists()
    return is_member and (actor.pk == teacher.pk or actor.pk == rel.coach_id)


def _clean_placements(placements: dict, version) -> list[tuple[FrameworkNode, ScaleLevel]]:
    """``placements`` maps node ids to scale level ids; both must belong to the framework version."""
    if not placements:
        return []
    try:
        node_ids = [int(k) for k in placements]
        level_ids = [int(v) for v in placements.values()]
    except (TypeError, ValueError):
        raise ValidationError({"placements": _("A placement is not on this framework's continuum.")}) from None
    nodes = {n.pk: n for n in FrameworkNode.objects.filter(version=version, pk__in=node_ids)}
    levels = {lv.pk: lv for lv in ScaleLevel.objects.filter(scale__version=version, pk__in=level_ids)}
    cleaned = []
    for node_id, level_id in placements.items():
        try:
            node, level = nodes.get(int(node_id)), levels.get(int(level_id))
        except (TypeError, ValueError):
            node = level = None
        if node is None or level is None:
            raise ValidationError({"placements": _("A placement is not on this framework's continuum.")})
        cleaned.append((node, level))
    return cleaned


def intake_record(
    *, actor, relationship: Relationship, teacher, framework_version, placements: dict | None = None, **answers
) -> Intake:
    """Record (or update) a teacher's intake: their answers and where they place themselves on the continuum."""
    unknown = set(answers) - set(INTAKE_FIELDS)
    if unknown:
        raise ValueError(f"Not an intake field: {sorted(unknown)}")
    if not _may_record_intake(actor, relationship, teacher):
        raise ValidationError(_("Only the teacher and their coach record this intake."))
    if relationship.status == _ST.ENDED:
        raise ValidationError(_("This relationship has ended."))
    cleaned = _clean_placements(placements or {}, framework_version)
    answers = {k: clean_text(v) for k, v in answers.items()}
    with transaction.atomic():
        intake, created = Intake.objects.get_or_create(
            relationship=relationship,
            teacher=teacher,
            defaults={"district_id": relationship.district_id, "framework_version": framework_version, **answers},
        )
        before = None if created else snapshot(intake, INTAKE_FIELDS + ["framework_version"])
        if not created:
            intake.framework_version = framework_version
            for name, value in answers.items():
                setattr(intake, name, value)
            intake.save()
        intake.placements.all().delete()
        today = timezone.localdate()
        Placement.objects.bulk_create(
            Placement(
                teacher=teacher,
                district_id=relationship.district_id,
                node=node,
                level=level,
                placed_on=today,
                source=PlacementSource.INTAKE,
                intake=intake,
            )
            for node, level in cleaned
        )
        audit_record(
            actor=actor,
            action="coaching_intake.create" if created else "coaching_intake.update",
            obj=intake,
            before=before,
            after=snapshot(intake, INTAKE_FIELDS + ["framework_version"]),
        )
    return intake


def intake_confirm_focus(*, actor, intake: Intake, nodes) -> Intake:
    """The coach and teacher confirm the focus areas to start with (one to three)."""
    rel = intake.relationship
    if not _may_record_intake(actor, rel, intake.teacher):
        raise ValidationError(_("Only the teacher and their coach confirm the focus."))
    nodes = list(nodes)
    if rel.status == _ST.ENDED:
        raise ValidationError(_("This relationship has ended."))
    if not 1 <= len(nodes) <= 3:
        raise ValidationError({"nodes": _("Choose one to three focus areas.")})
    if any(n.version_id != intake.framework_version_id for n in nodes):
        raise ValidationError({"nodes": _("A focus area is not in this intake's framework.")})
    with transaction.atomic():
        intake.focus_nodes.set(nodes)
        intake.confirmed_at = timezone.now()
        intake.save(update_fields=["confirmed_at"])
        audit_record(actor=actor, action="coaching_intake.confirm_focus", obj=intake, after={"focus_nodes": len(nodes)})
    return intake


def placement_record(*, actor, node: FrameworkNode, level: ScaleLevel) -> Placement:
    """A teacher places themselves on one area of the continuum today (their own view of their growth)."""
    if level.scale.version_id != node.version_id:
        raise ValidationError({"level": _("This level is not on the area's continuum.")})
    if node.version.framework.district_id not in (None, actor.district_id):
        raise ValidationError({"node": _("That area is not in a framework your district uses.")})
    if actor.district_id is None:
        raise ValidationError(_("Only district staff place themselves on a district continuum."))
    with transaction.atomic():
        placement = Placement.objects.create(
            teacher=actor,
            district_id=actor.district_id,
            node=node,
            level=level,
            placed_on=timezone.localdate(),
            source=PlacementSource.SELF,
        )
        audit_record(actor=actor, action="coaching_placement.create", obj=placement, after={"node": node.pk})
    return placement
