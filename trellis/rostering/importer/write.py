"""Writing a plan: one transaction (the caller's), bulk statements, nothing row by row."""

import secrets
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.utils import timezone

from trellis.orgs.models import Membership, Organization
from trellis.rostering import models as m
from trellis.rostering.importer.people import full_name
from trellis.rostering.importer.plan import Plan
from trellis.rostering.importer.roles import ROSTER_ROLES

User = get_user_model()
CHUNK = 2000  # rows per bulk statement


def apply_plan(plan: Plan) -> None:
    """Write every change of ``plan``. The caller holds the transaction (all or nothing)."""
    district = plan.district
    if plan.link_district:
        Organization.objects.filter(pk=district.pk).update(sourced_id=plan.link_district)
        district.sourced_id = plan.link_district
    _write_campuses(plan)
    _write_people(plan)
    _write_memberships(plan)
    if plan.classes is not None:
        _write_classes(plan)
    _write_stamps(plan)
    if connection.vendor == "postgresql" and len(plan.people_create) + len(plan.membership_create) >= ANALYZE_AFTER:
        # A bulk load leaves PostgreSQL's planner statistics behind (the manual's advice: ANALYZE
        # after loading); the next import's lookups of these tables are planned on fresh ones.
        with connection.cursor() as cursor:
            for model in (User, Membership, m.RosterRole):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


ANALYZE_AFTER = 10_000


def _write_campuses(plan: Plan) -> None:
    created = Organization.objects.bulk_create(plan.campus_create, batch_size=CHUNK)
    for org in created:
        plan.campus_pk[org.sourced_id] = org.pk
    _bulk_update(Organization, plan.campus_update)


def _write_people(plan: Plan) -> None:
    district = plan.district
    # An unusable password for each new person: they sign in with their provider or set one by
    # "forgot password". It is what make_password(None) stores ("!" and 40 random characters),
    # made with one call to the system's random source instead of forty (2.5 s per 50,000 people).
    insert_rows(
        User,
        (
            {
                "email": u.email,
                "full_name": full_name(u)[:150],
                "preferred_name": (
                    f"{u.preferred_given} {u.preferred_family or u.family}".strip()[:80] if u.preferred_given else ""
                ),
                "employee_group": group,
                "district_id": district.pk,
                "sourced_id": u.sourced_id,
                "is_active": u.active and u.enabled,
                "password": UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            }
            for u, group in plan.people_create
        ),
    )
    if plan.people_create:
        plan.people_pk.update(
            User.objects.filter(district=district).exclude(sourced_id="").values_list("sourced_id", "pk")
        )
    _bulk_update(User, plan.people_update)


def _write_memberships(plan: Plan) -> None:
    district = plan.district
    touched = set(plan.membership_end) | set(plan.membership_change)
    starts = {}
    touched = list(touched)
    for start in range(0, len(touched), CHUNK):
        chunk = touched[start : start + CHUNK]
        starts.update(Membership.objects.filter(pk__in=chunk).values_list("pk", "valid_from"))
    for pk, valid_to in plan.membership_end.items():
        # Ending a role that has not started yet withdraws it (as membership_end does).
        plan.membership_change.setdefault(pk, {})["valid_to"] = max(valid_to, starts[pk])
    for pk, change in plan.membership_change.items():
        if change.get("valid_to") is not None and change["valid_to"] < starts[pk]:
            change["valid_to"] = starts[pk]
    _bulk_update(Membership, plan.membership_change)
    if not plan.membership_create:
        return
    wanted = {}
    for user_sid, school, role, valid_from, valid_to, role_sid in plan.membership_create:
        key = (plan.people_pk[user_sid], plan.campus_pk[school], role, valid_from)
        wanted[key] = (valid_to, role_sid)
    insert_rows(
        Membership,
        (
            {
                "person_id": person,
                "organization_id": org,
                "role": role,
                "district_id": district.pk,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
            for (person, org, role, valid_from), (valid_to, _sid) in wanted.items()
        ),
    )
    # The new rows' ids, by their unique key (person, campus, role, start), to mark them as the roster's.
    new_pks = (
        Membership.objects.filter(district=district, role__in=ROSTER_ROLES, valid_from__in={k[3] for k in wanted})
        .filter(roster_role__isnull=True)
        .values_list("pk", "person_id", "organization_id", "role", "valid_from")
    )
    insert_rows(
        m.RosterRole,
        (
            {"district_id": district.pk, "membership_id": pk, "sourced_id": wanted[(person, org, role, start)][1][:255]}
            for pk, person, org, role, start in new_pks
            if (person, org, role, start) in wanted
        ),
    )


def insert_rows(model, rows) -> int:
    """INSERT ``rows`` (dicts by attribute name), a few hundred rows per statement.

    Performance: bulk_create builds a model instance per row and compiles SQL per value, about
    70 µs a row; for the 150,000 rows of a 50,000-person district that was most of the import.
    Here each field is adapted by the field itself (get_db_prep_save) only when its type needs
    it (dates, times, JSON), and every field a row leaves out takes the model's default, so a
    field added to the model later still gets its value. One multi-row VALUES statement per
    batch keeps PostgreSQL's round trips few (SQLite allows 32,766 parameters a statement).
    Only for rows the importer built and checked itself; the caller holds the transaction.
    """
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()
    adapt = [f if f.get_internal_type() in _ADAPTED else None for f in fields]
    ops = connection.ops
    per_statement = max(1, min(INSERT_BATCH, 30000 // len(fields)))
    one = "({})".format(", ".join(["%s"] * len(fields)))
    # Names come from the model (quoted by the backend); values are parameters.
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608
        ops.quote_name(meta.db_table), ", ".join(ops.quote_name(f.column) for f in fields)
    )
    if connection.vendor == "postgresql":
        return _copy_rows(meta, fields, adapt, defaults, rows)
    count = 0
    batch: list = []
    statements: dict[int, str] = {}

    def flush(cursor) -> None:
        n = len(batch) // len(fields)
        if n not in statements:
            statements[n] = head + ", ".join([one] * n)
        cursor.execute(statements[n], batch)

    with connection.cursor() as cursor:
        for row in rows:
            for f, adapter in zip(fields, adapt, strict=True):
                value = row.get(f.attname, defaults[f.attname])
                batch.append(adapter.get_db_prep_save(value, connection) if adapter and value is not None else value)
            count += 1
            if count % per_statement == 0:
                flush(cursor)
                batch = []
        if batch:
            flush(cursor)
    return count


INSERT_BATCH = 500


def _copy_rows(meta, fields, adapt, defaults, rows) -> int:
    """PostgreSQL: COPY the rows in (psycopg would parse a many-row INSERT anew for every batch)."""
    ops = connection.ops
    sql = "COPY {} ({}) FROM STDIN".format(
        ops.quote_name(meta.db_table), ", ".join(ops.quote_name(f.column) for f in fields)
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = []
            for f, adapter in zip(fields, adapt, strict=True):
                value = row.get(f.attname, defaults[f.attname])
                values.append(adapter.get_db_prep_save(value, connection) if adapter and value is not None else value)
            copy.write_row(values)
            count += 1
    return count


_ADAPTED = {"DateField", "DateTimeField", "TimeField", "JSONField", "DecimalField", "UUIDField", "DurationField"}


def _write_stamps(plan: Plan) -> None:
    if not plan.stamps:
        return
    objs = [
        m.RosterStamp(district_id=plan.district.pk, kind=kind, sourced_id=sid[:255], modified_at=at)
        for kind, sid, at in plan.stamps
    ]
    m.RosterStamp.objects.bulk_create(
        objs,
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["district", "kind", "sourced_id"],
        update_fields=["modified_at"],
    )


def _write_classes(plan: Plan) -> None:
    cp = plan.classes
    district = plan.district
    created = m.AcademicSession.objects.bulk_create(
        [m.AcademicSession(district=district, sourced_id=sid, **values) for sid, values in cp.session_create],
        batch_size=CHUNK,
    )
    _bulk_update(m.AcademicSession, cp.session_update)
    session_pk = dict(m.AcademicSession.objects.filter(district=district).values_list("sourced_id", "pk"))
    del created
    parents = {session_pk[sid]: {"parent_id": session_pk.get(parent)} for sid, parent in cp.session_parent.items()}
    _bulk_update(m.AcademicSession, parents)

    def class_values(values):
        values = dict(values)
        if "campus" in values:
            values["campus_id"] = plan.campus_pk.get(values.pop("campus"))
        if "school_year" in values:
            values["school_year_id"] = session_pk.get(values.pop("school_year"))
        return values

    m.SchoolClass.objects.bulk_create(
        [m.SchoolClass(district=district, sourced_id=sid, **class_values(v)) for sid, v in cp.class_create],
        batch_size=CHUNK,
    )
    _bulk_update(m.SchoolClass, {pk: class_values(v) for pk, v in cp.class_update.items()})
    class_pk = dict(m.SchoolClass.objects.filter(district=district).values_list("sourced_id", "pk"))
    if cp.class_terms:
        pks = [class_pk[sid] for sid in cp.class_terms]
        for start in range(0, len(pks), CHUNK):
            m.ClassTerm.objects.filter(school_class_id__in=pks[start : start + CHUNK]).delete()
        m.ClassTerm.objects.bulk_create(
            [
                m.ClassTerm(district=district, school_class_id=class_pk[sid], session_id=session_pk[t])
                for sid, terms in cp.class_terms.items()
                for t in dict.fromkeys(terms)
            ],
            batch_size=CHUNK,
        )

    def teacher_values(values):
        values = dict(values)
        if "school_class" in values:
            values["school_class_id"] = class_pk[values.pop("school_class")]
        if "person" in values:
            values["person_id"] = plan.people_pk[values.pop("person")]
        return values

    m.ClassTeacher.objects.bulk_create(
        [m.ClassTeacher(district=district, sourced_id=sid, **teacher_values(v)) for sid, v in cp.teacher_create],
        batch_size=CHUNK,
    )
    _bulk_update(m.ClassTeacher, {pk: teacher_values(v) for pk, v in cp.teacher_update.items()})


def _bulk_update(model, changes: dict) -> None:
    """Apply {pk: {field: value}}, one bulk statement per set of changed fields."""
    groups = defaultdict(list)
    for pk, values in changes.items():
        if values:
            groups[tuple(sorted(values))].append((pk, values))
    for fields, rows in groups.items():
        objs = []
        for pk, values in rows:
            obj = model(pk=pk)
            for name, value in values.items():
                setattr(obj, name, value)
            objs.append(obj)
        model.objects.bulk_update(objs, list(fields), batch_size=CHUNK // 4)
