"""Reads that feed pages about organizations, people and caseloads.

Each function runs a fixed number of queries whatever the data size.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from trellis.coaching.models import CoachingNote
from trellis.observations.models import CheckIn
from trellis.orgs.access import (
    active_grants,
    active_memberships,
    current_caseload,
    current_caseload_of_teacher,
    grant_covers_teacher,
)
from trellis.orgs.models import AccessGrant, CaseloadAssignment, Organization, OrgKind, Role

User = get_user_model()


def month_start(day: datetime.date | None = None) -> datetime.date:
    day = day or timezone.localdate()
    return day.replace(day=1)


def campus_names_by_teacher(teacher_ids) -> dict[int, str]:
    """Each teacher's current campus names, joined, in one query."""
    rows = (
        active_memberships()
        .filter(person_id__in=list(teacher_ids), role=Role.TEACHER)
        .values_list("person_id", "organization__name")
        .order_by("organization__name")
    )
    names: dict[int, list[str]] = {}
    for person_id, name in rows:
        names.setdefault(person_id, []).append(name)
    return {pid: ", ".join(n) for pid, n in names.items()}


# A person's columns that lists show (User.display_name reads them).
_SHOWN_PERSON = ("full_name", "preferred_name", "email")


def coach_caseload(coach) -> list[dict]:
    """The teachers a coach or facilitator supports now, with the last conversation and this month's count."""
    notes = CoachingNote.objects.filter(coach=coach, teacher=OuterRef("teacher_id"))
    rows = list(
        current_caseload(coach)
        .select_related("teacher", "district")
        # Only what the home page's table shows: a caseload can be long.
        .only("id", "teacher_id", "district_id", *(f"teacher__{f}" for f in _SHOWN_PERSON), "district__name")
        .annotate(
            last_met=Subquery(notes.order_by("-met_on").values("met_on")[:1]),
            this_month=Subquery(
                notes.filter(met_on__gte=month_start()).values("teacher_id").annotate(n=Count("id")).values("n")[:1]
            ),
        )
        .order_by("teacher__full_name")
    )
    campuses = campus_names_by_teacher(r.teacher_id for r in rows)
    return [
        {
            "assignment": r,
            "teacher": r.teacher,
            "district": r.district,
            "campuses": campuses.get(r.teacher_id, ""),
            "last_met": r.last_met,
            "this_month": r.this_month or 0,
        }
        for r in rows
    ]


def facilitator_pending(facilitator) -> int:
    """Caseload rows of a facilitator that give no access now (no grant covers the teacher)."""
    today = timezone.localdate()
    total = CaseloadAssignment.objects.filter(coach=facilitator).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today
    )
    return total.count() - current_caseload(facilitator).count()


def teacher_home(teacher) -> dict:
    coaches = list(current_caseload_of_teacher(teacher).select_related("coach", "coach__service_center"))
    notes = list(CoachingNote.objects.filter(teacher=teacher).select_related("coach").order_by("-met_on", "-id")[:5])
    campuses = list(active_memberships().filter(person=teacher, role=Role.TEACHER).select_related("organization"))
    # The next meeting agreed with a coach: the soonest upcoming date set at a check-in.
    next_check_in = (
        CheckIn.objects.filter(teacher=teacher, next_check_in__gte=timezone.localdate())
        .select_related("coach")
        .order_by("next_check_in")
        .first()
    )
    return {
        "next_check_in": next_check_in,
        "coaches": coaches,
        "recent_notes": notes,
        "latest_note": notes[0] if notes else None,
        "campuses": [m.organization for m in campuses],
    }


def leader_home(leader, campus_ids) -> dict:
    """A campus leader's view: staff and coaching dosage (counts only), plus what teachers shared."""
    from trellis.coaching.access import shared_with

    campuses = list(Organization.objects.filter(pk__in=campus_ids).order_by("name"))
    staff = (
        active_memberships()
        .filter(organization__in=campus_ids, role=Role.TEACHER, person__is_active=True)
        .values("person_id")
    )
    since = month_start()
    dosage = CoachingNote.objects.filter(teacher_id__in=staff, met_on__gte=since).aggregate(
        conversations=Count("id"), teachers=Count("teacher_id", distinct=True)
    )
    relationships = _coaching_dosage(staff, since)
    shared = list(
        CoachingNote.objects.filter(shared_with(leader, CoachingNote), teacher_id__in=staff)
        .select_related("teacher")
        .order_by("-met_on")[:10]
    )
    return {
        "campuses": campuses,
        "staff_count": User.objects.filter(pk__in=staff).count(),
        "coached_count": CaseloadAssignment.objects.filter(teacher_id__in=staff)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()), valid_from__lte=timezone.localdate())
        .values("teacher_id")
        .distinct()
        .count(),
        "conversations_this_month": dosage["conversations"],
        "teachers_met_this_month": dosage["teachers"],
        "relationships_active": relationships["active"],
        "sessions_this_month": relationships["sessions"],
        "shared_notes": shared,
    }


def _coaching_dosage(staff, since) -> dict:
    """Counts only (the coaching firewall): active coaching relationships and sessions held since ``since``."""
    from trellis.coaching.models import Relationship, RelationshipStatus, SessionStatus

    return Relationship.objects.filter(members__teacher_id__in=staff).aggregate(
        active=Count("id", filter=Q(status=RelationshipStatus.ACTIVE), distinct=True),
        sessions=Count(
            "sessions",
            filter=Q(sessions__status=SessionStatus.HELD, sessions__starts_at__date__gte=since),
            distinct=True,
        ),
    )


def district_overview(district) -> dict:
    from trellis.audit.models import AuditEntry

    today = timezone.localdate()
    counts = Organization.objects.filter(district=district, kind=OrgKind.CAMPUS).aggregate(
        campuses=Count("id", filter=Q(is_active=True))
    )
    people = User.objects.filter(district=district).aggregate(
        active=Count("id", filter=Q(is_active=True)), inactive=Count("id", filter=Q(is_active=False))
    )
    roles = dict(
        active_memberships(today)
        .filter(district=district)
        .values_list("role")
        .annotate(n=Count("person_id", distinct=True))
    )
    caseloads = (
        CaseloadAssignment.objects.filter(district=district)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
        .count()
    )
    grants = active_grants(today).filter(district=district).count()
    recent = list(AuditEntry.objects.filter(district=district, is_read=False).select_related("actor")[:6])
    return {
        "campuses": counts["campuses"],
        "people_active": people["active"],
        "people_inactive": people["inactive"],
        "role_counts": {label: roles.get(value, 0) for value, label in Role.choices},
        "caseloads": caseloads,
        "grants": grants,
        "recent_audit": recent,
    }


def service_center_overview(sc_ids) -> dict:
    grants = list(
        AccessGrant.objects.filter(service_center__in=sc_ids).select_related("district", "service_center")[:20]
    )
    facilitators = list(
        User.objects.filter(
            service_center__in=sc_ids,
            pk__in=active_memberships().filter(role=Role.FACILITATOR).values("person_id"),
        )
        .annotate(caseload_count=Count("caseload", filter=Q(caseload__valid_to__isnull=True)))
        .order_by("full_name")
    )
    return {"grants": grants, "facilitators": facilitators}


# District admin pages (trellis/orgs/views) --------------------------------------------


def role_organizations(district):
    """Where a district admin can give a role: the district itself, then its open campuses."""
    # "district" sorts after "campus", so a descending kind puts the district first.
    return Organization.objects.filter(
        district=district, is_active=True, kind__in=[OrgKind.DISTRICT, OrgKind.CAMPUS]
    ).order_by("-kind", "name", "pk")


def campuses_with_teacher_counts(queryset):
    """Campuses with their number of active teachers, counted in the same query as the list."""
    today = timezone.localdate()
    teaching = Q(
        Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today),
        memberships__role=Role.TEACHER,
        memberships__valid_from__lte=today,
        memberships__person__is_active=True,
    )
    return queryset.annotate(teacher_count=Count("memberships__person", filter=teaching, distinct=True))


def campus_memberships(campus):
    """Today's memberships at a campus with their people, grouped by role."""
    return (
        active_memberships()
        .filter(organization=campus)
        .select_related("person")
        .order_by("role", "person__full_name", "pk")
    )


def campus_role_counts(campus) -> list[tuple[str, int]]:
    """How many people hold each role at a campus today, in role order, in one query."""
    rows = dict(
        active_memberships()
        .filter(organization=campus)
        .order_by()
        .values_list("role")
        .annotate(n=Count("person_id", distinct=True))
    )
    return [(label, rows[value]) for value, label in Role.choices if rows.get(value)]


def with_current_memberships(queryset):
    """People with today's memberships (and their organizations) in ``current_memberships``: one extra query."""
    current = active_memberships().select_related("organization").order_by("role", "organization__name", "pk")
    return queryset.prefetch_related(Prefetch("memberships", queryset=current, to_attr="current_memberships"))


def caseloads_with_coverage(queryset):
    """Caseload rows with coach and teacher; ``grant_covers`` says whether a facilitator's access holds today.

    A facilitator works with a district's teacher only while an active grant from
    that district to the facilitator's service center covers the teacher; the
    flag is computed in the list query so the page needs no query per row.
    """
    grants = active_grants().filter(service_center_id=OuterRef("coach__service_center_id"))
    return queryset.select_related("coach", "coach__service_center", "teacher").annotate(
        grant_covers=Exists(grant_covers_teacher(grants))
    )


def caseload_coaches_in_use(district):
    """Everyone who coaches someone in the district (now or before), for the caseload filter."""
    coaching_here = CaseloadAssignment.objects.filter(district=district).values("coach_id")
    return User.objects.filter(pk__in=coaching_here).select_related("service_center").order_by("full_name", "pk")


def caseload_coach_options(district):
    """Who may take a teacher of ``district`` on their caseload today.

    The district's coaches and campus leaders, and the facilitators of service
    centers the district currently grants access to.
    """
    today = timezone.localdate()
    held = active_memberships(today).filter(person=OuterRef("pk"), organization__is_active=True)
    district_coach = Q(district=district) & Q(
        Exists(held.filter(district=district, role__in=[Role.COACH, Role.CAMPUS_LEADER]))
    )
    granted = active_grants(today).filter(district=district).values("service_center_id")
    facilitator = Q(service_center__in=granted) & Q(
        Exists(held.filter(role=Role.FACILITATOR, organization=OuterRef("service_center_id")))
    )
    return (
        User.objects.filter(is_active=True)
        .filter(district_coach | facilitator)
        .select_related("service_center")
        .order_by("full_name", "pk")
    )


def caseload_teacher_options(district):
    """The district's active people who teach at one of its open campuses today."""
    teaching = active_memberships().filter(
        person=OuterRef("pk"), district=district, role=Role.TEACHER, organization__is_active=True
    )
    return User.objects.filter(district=district, is_active=True).filter(Exists(teaching)).order_by("full_name", "pk")
