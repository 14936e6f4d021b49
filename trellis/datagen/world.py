"""Organizations and people: a service center, its districts and campuses, staff with their roles."""

import datetime
from dataclasses import dataclass, field

from trellis.accounts.models import EmployeeGroup, User
from trellis.datagen.context import Context
from trellis.datagen.text import FIRST_NAMES, LAST_NAMES
from trellis.frameworks.models import DistrictFrameworkChoice, DistrictLibraryChoice
from trellis.orgs.models import AccessGrant, CaseloadAssignment, Membership, Organization, OrgKind, Role

USER_COLUMNS = (
    "id",
    "email",
    "full_name",
    "employee_group",
    "district_id",
    "service_center_id",
    "password",
    "date_joined",
)
MEMBERSHIP_COLUMNS = ("id", "person_id", "organization_id", "role", "district_id", "valid_from", "created_at")
COACHED_SHARE = 0.4
ORG_COLUMNS = ("id", "kind", "name", "slug", "parent_id", "district_id", "code", "created_at")


@dataclass
class ServiceCenter:
    id: int
    facilitators: list[int]
    admin: int


@dataclass
class District:
    id: int
    index: int
    campuses: list[int]
    admins: list[int]
    leaders: dict[int, list[int]]  # campus -> campus leaders
    coaches: list[tuple[int, int]]  # (coach, home campus)
    teachers: list[tuple[int, int]]  # (teacher, campus)
    caseloads: dict[int, list[int]] = field(default_factory=dict)  # coach -> teachers
    coached_since: dict[int, datetime.date] = field(default_factory=dict)  # teacher -> first school year coached

    @property
    def teacher_ids(self) -> list[int]:
        return [t for t, _c in self.teachers]


def _people(ctx: Context, n: int, group: str, domain: str, district_id, sc_id) -> list[int]:
    first = ctx.ids.take(User, n)
    rng = ctx.rng
    rows = []
    for pk in range(first, first + n):
        given, family = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{given}.{family}.{pk}@{domain}".lower()
        rows.append((pk, email, f"{given} {family}", group, district_id, sc_id, ctx.password, ctx.now))
    ctx.write(User, USER_COLUMNS, rows)
    return list(range(first, first + n))


def _memberships(ctx: Context, rows: list[tuple[int, int, str, int | None]], since: datetime.date) -> None:
    first = ctx.ids.take(Membership, len(rows))
    ctx.write(
        Membership,
        MEMBERSHIP_COLUMNS,
        (
            (first + i, person, org, role, district, since, ctx.now)
            for i, (person, org, role, district) in enumerate(rows)
        ),
    )


def build_service_center(ctx: Context) -> ServiceCenter:
    sc_id = ctx.ids.take(Organization)
    ctx.write(
        Organization,
        ORG_COLUMNS,
        [(sc_id, OrgKind.SERVICE_CENTER, "Region Service Center", "region-sc", None, None, "", ctx.now)],
    )
    staff = _people(
        ctx, ctx.scale.facilitators + 1, EmployeeGroup.SERVICE_CENTER_STAFF, "region-sc.example.org", None, sc_id
    )
    admin, facilitators = staff[0], staff[1:]
    since = ctx.year_start - datetime.timedelta(days=365 * ctx.scale.years)
    _memberships(
        ctx,
        [(admin, sc_id, Role.SERVICE_CENTER_ADMIN, None)] + [(f, sc_id, Role.FACILITATOR, None) for f in facilitators],
        since,
    )
    return ServiceCenter(id=sc_id, facilitators=facilitators, admin=admin)


def build_district(ctx: Context, sc: ServiceCenter, index: int) -> District:
    scale = ctx.scale
    slug = f"district-{index + 1:02d}"
    district_id = ctx.ids.take(Organization, 1 + scale.campuses)
    campuses = list(range(district_id + 1, district_id + 1 + scale.campuses))
    orgs = [
        (
            district_id,
            OrgKind.DISTRICT,
            f"District {index + 1:02d} ISD",
            slug,
            sc.id,
            district_id,
            f"D{index + 1:03d}",
            ctx.now,
        )
    ]
    kinds = ("Elementary", "Elementary", "Middle", "High")
    orgs += [
        (
            c,
            OrgKind.CAMPUS,
            f"{LAST_NAMES[i % len(LAST_NAMES)]} {kinds[i % 4]} {i + 1}",
            f"campus-{i + 1:03d}",
            district_id,
            district_id,
            f"C{i + 1:04d}",
            ctx.now,
        )
        for i, c in enumerate(campuses)
    ]
    ctx.write(Organization, ORG_COLUMNS, orgs)
    domain = f"{slug}.example.org"

    def people(n, group):
        return _people(ctx, n, group, domain, district_id, None)

    admins = people(scale.admins, EmployeeGroup.DISTRICT_STAFF)
    leader_ids = people(scale.leaders_per_campus * scale.campuses, EmployeeGroup.CAMPUS_LEADER)
    coach_ids = people(scale.coaches, EmployeeGroup.COACH)
    teacher_ids = people(scale.teachers, EmployeeGroup.TEACHER)
    leaders = {
        c: leader_ids[i * scale.leaders_per_campus : (i + 1) * scale.leaders_per_campus] for i, c in enumerate(campuses)
    }
    coaches = [(coach, campuses[i % len(campuses)]) for i, coach in enumerate(coach_ids)]
    teachers = [(t, campuses[i % len(campuses)]) for i, t in enumerate(teacher_ids)]
    district = District(district_id, index, campuses, admins, leaders, coaches, teachers)

    since = ctx.year_start - datetime.timedelta(days=365 * scale.years)
    rows = [(a, district_id, Role.DISTRICT_ADMIN, district_id) for a in admins]
    rows += [(leader, c, Role.CAMPUS_LEADER, district_id) for c, ls in leaders.items() for leader in ls]
    rows += [(coach, c, Role.COACH, district_id) for coach, c in coaches]
    rows += [(t, c, Role.TEACHER, district_id) for t, c in teachers]
    _memberships(ctx, rows, since)
    _district_setup(ctx, district, sc)
    _caseloads(ctx, district)
    return district


def _district_setup(ctx: Context, district: District, sc: ServiceCenter) -> None:
    s = ctx.starter
    ctx.write(
        DistrictFrameworkChoice,
        ("id", "district_id", "framework_id", "is_default"),
        [(ctx.ids.take(DistrictFrameworkChoice), district.id, s.framework_id, True)],
    )
    ctx.write(
        DistrictLibraryChoice,
        ("id", "district_id", "library_id", "is_default"),
        [(ctx.ids.take(DistrictLibraryChoice), district.id, s.library_id, True)],
    )
    ctx.write(
        AccessGrant,
        ("id", "district_id", "service_center_id", "scope", "purpose", "valid_from", "granted_by_id", "created_at"),
        [
            (
                ctx.ids.take(AccessGrant),
                district.id,
                sc.id,
                "district",
                "Regional PD and coaching",
                ctx.year_start,
                district.admins[0],
                ctx.now,
            )
        ],
    )


def _caseloads(ctx: Context, district: District) -> None:
    """Each coach supports teachers of their home campus (about twenty at district scale); four teachers
    in ten have a coach."""
    by_campus: dict[int, list[int]] = {}
    for teacher, campus in district.teachers:
        by_campus.setdefault(campus, []).append(teacher)
    taken: set[int] = set()
    rng = ctx.rng
    mean = COACHED_SHARE * len(district.teachers) / max(1, len(district.coaches))
    for coach, campus in district.coaches:
        free = [t for t in by_campus[campus] if t not in taken]
        size = min(len(free), max(2, round(rng.gauss(mean, mean / 5))))
        chosen = rng.sample(free, size)
        taken.update(chosen)
        district.caseloads[coach] = chosen
    rows = []
    first = ctx.ids.take(CaseloadAssignment, len(taken))
    pk = first
    for coach, teachers in district.caseloads.items():
        for teacher in teachers:
            since = ctx.year_start - datetime.timedelta(days=365 * rng.randrange(ctx.scale.years))
            district.coached_since[teacher] = since
            rows.append((pk, coach, teacher, district.id, since, ctx.now))
            pk += 1
    ctx.write(CaseloadAssignment, ("id", "coach_id", "teacher_id", "district_id", "valid_from", "created_at"), rows)
