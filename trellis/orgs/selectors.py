"""Reads that feed pages about organizations, people and caseloads.

Each function runs a fixed number of queries whatever the data size.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from trellis.coaching.models import CoachingNote
from trellis.orgs.access import active_grants, active_memberships, current_caseload, current_caseload_of_teacher
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


def coach_caseload(coach) -> list[dict]:
    """The teachers a coach or facilitator supports now, with the last conversation and this month's count."""
    notes = CoachingNote.objects.filter(coach=coach, teacher=OuterRef("teacher_id"))
    rows = list(
        current_caseload(coach)
        .select_related("teacher", "district")
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
    return {
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
        "shared_notes": shared,
    }


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
        .annotate(caseload=Count("caseload", filter=Q(caseload__valid_to__isnull=True)))
        .order_by("full_name")
    )
    return {"grants": grants, "facilitators": facilitators}
