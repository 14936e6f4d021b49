"""Who opens which page in the page benchmarks: typical people picked from the generated data.

Everyone comes from the first generated district (the same people at district and region
scale, so the two runs compare like with like): the coach with the median caseload, a
teacher of theirs with the median number of observations, that coach's campus leader,
the district's first admin, and the service-center facilitator of the latest past cohort
day. Each gets a signed-in session; the page list carries the ids each page (and its SQL
floor, bench/floors.py) needs.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count, Q
from django.utils import timezone

from trellis.accounts.models import User
from trellis.datagen.generate import SERVICE_CENTER_SLUG
from trellis.frameworks.models import DistrictFrameworkChoice
from trellis.learning.models import Session
from trellis.observations.models import Observation
from trellis.orgs.models import CaseloadAssignment, Membership, Organization, OrgKind, Role


@dataclass
class Page:
    name: str
    path: str
    viewer_id: int
    ids: dict = field(default_factory=dict)
    session_key: str = ""

    @property
    def cookie(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.session_key}"


def _median(rows: list, key) -> object:
    rows = sorted(rows, key=key)
    return rows[len(rows) // 2]


def sign_in(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def pick_pages() -> list[Page]:
    sc = Organization.objects.get(parent=None, slug=SERVICE_CENTER_SLUG)
    district = Organization.objects.filter(kind=OrgKind.DISTRICT, parent=sc).order_by("id").first()
    coach_rows = list(
        CaseloadAssignment.objects.filter(district=district, valid_to=None)
        .values("coach")
        .annotate(n=Count("id"))
        .order_by("coach")
    )
    coach_id = _median(coach_rows, lambda r: (r["n"], r["coach"]))["coach"]
    teachers = CaseloadAssignment.objects.filter(coach_id=coach_id, valid_to=None).values("teacher")
    teacher_rows = list(
        User.objects.filter(pk__in=teachers, coaching_relationships__status="active")
        .annotate(n=Count("observations", distinct=True))
        .values("pk", "n")
        .order_by("pk")
    )
    teacher_id = _median(teacher_rows, lambda r: (r["n"], r["pk"]))["pk"]
    home_campus = Membership.objects.filter(person_id=coach_id, role=Role.COACH).values("organization")[:1]
    leader_id = (
        Membership.objects.filter(organization__in=home_campus, role=Role.CAMPUS_LEADER)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    admin_id = (
        Membership.objects.filter(organization=district, role=Role.DISTRICT_ADMIN)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    mine = Observation.objects.filter(observer_id=coach_id).order_by("-started_at", "-id")
    capture_obs = mine.filter(state="in_progress").first() or mine.filter(state="draft").first()
    review_obs = mine.filter(state="draft").first()
    roster = (
        Session.objects.filter(owner=sc, starts_at__lt=timezone.now())
        .annotate(n=Count("registrations", filter=Q(registrations__status="confirmed")))
        .order_by("-starts_at", "-id")
        .first()
    )
    facilitator_id = roster.facilitators.order_by("id").values_list("id", flat=True).first()
    framework_id = DistrictFrameworkChoice.objects.get(district=district, is_default=True).framework_id
    common = {"district_id": district.pk, "service_center_id": sc.pk}
    pages = [
        Page("coach home", "/", coach_id, {**common}),
        Page("coach caseload", "/coaching/caseload/", coach_id, {**common}),
        Page(
            "teacher timeline",
            f"/observations/teachers/{teacher_id}/timeline/",
            teacher_id,
            {**common, "teacher_id": teacher_id},
        ),
        Page("teacher my growth", "/coaching/growth/", teacher_id, {**common}),
        Page(
            "observation capture",
            f"/observations/{capture_obs.pk}/capture/",
            coach_id,
            {**common, "observation_id": capture_obs.pk},
        ),
        Page(
            "observation review",
            f"/observations/{review_obs.pk}/review/",
            coach_id,
            {**common, "observation_id": review_obs.pk},
        ),
        Page("campus leader observation list", "/observations/", leader_id, {**common}),
        Page("district admin overview", "/", admin_id, {**common}),
        Page(
            "cohort session roster",
            f"/learning/sessions/{roster.pk}/manage/",
            facilitator_id,
            {**common, "session_id": roster.pk},
        ),
        Page("framework grid", f"/frameworks/{framework_id}/", teacher_id, {**common, "framework_id": framework_id}),
    ]
    sessions: dict[int, str] = {}
    for page in pages:
        if page.viewer_id not in sessions:
            sessions[page.viewer_id] = sign_in(User.objects.get(pk=page.viewer_id))
        page.session_key = sessions[page.viewer_id]
        page.ids["today"] = timezone.localdate()
        page.ids["now"] = timezone.now()
    return pages


def describe(pages: list[Page]) -> list[dict]:
    return [
        {
            "page": p.name,
            "path": p.path,
            "viewer_id": p.viewer_id,
            **{k: v for k, v in p.ids.items() if k.endswith("_id")},
        }
        for p in pages
    ]
