"""Authorization matrix rows for the district admin's pages (see tests/authz.py).

Only district admins use these pages. Everyone else signed in gets 403 whatever
the id (the page is not for their role). The admin of district B gets 200 on
list pages (of their own district) and 404 on district A's objects. POST rows
carry valid data, so the admin's request succeeds and redirects.
"""

import datetime

from django.utils import timezone

from tests.authz import Row, everyone

LIST = everyone(403, district_admin=200, other_admin=200)
OBJECT = everyone(403, district_admin=200, other_admin=404)
CREATE = everyone(403, district_admin=302, other_admin=302)
CHANGE = everyone(403, district_admin=302, other_admin=404)


def _today():
    return timezone.localdate().isoformat()


def _next_week():
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


ROWS = [
    Row("orgs:district-settings", LIST),
    Row(
        "orgs:district-settings",
        CREATE,
        method="POST",
        data=lambda w: {"name": "Renamed District", "timezone": "America/Denver"},
    ),
    # Campuses
    Row("orgs:campus-list", LIST),
    Row("orgs:campus-create", LIST),
    Row("orgs:campus-create", CREATE, method="POST", data=lambda w: {"name": "Pine Elementary", "timezone": "UTC"}),
    Row("orgs:campus-detail", OBJECT, args=lambda w: [w.campus.pk]),
    Row(
        "orgs:campus-detail",
        everyone(403, district_admin=404, other_admin=200),
        args=lambda w: [w.campus_b.pk],
        label="district B",
    ),
    Row("orgs:campus-edit", OBJECT, args=lambda w: [w.campus.pk]),
    Row(
        "orgs:campus-edit",
        CHANGE,
        args=lambda w: [w.campus.pk],
        method="POST",
        data=lambda w: {"name": "Maple Elementary School", "code": "M1", "timezone": "America/Chicago"},
    ),
    Row("orgs:campus-active", OBJECT, args=lambda w: [w.campus.pk]),
    Row("orgs:campus-active", CHANGE, args=lambda w: [w.campus.pk], method="POST", data=lambda w: {"active": "0"}),
    # People and roles
    Row("orgs:person-list", LIST),
    Row("orgs:person-create", LIST),
    Row(
        "orgs:person-create",
        CREATE,
        method="POST",
        data=lambda w: {"full_name": "New Person", "email": "new.person@example.org", "employee_group": "teacher"},
    ),
    Row("orgs:person-detail", OBJECT, args=lambda w: [w.teacher.pk]),
    Row(
        "orgs:person-detail",
        everyone(403, district_admin=404, other_admin=404),
        args=lambda w: [w.facilitator.pk],
        label="service-center staff",
    ),
    Row("orgs:person-edit", OBJECT, args=lambda w: [w.teacher.pk]),
    Row(
        "orgs:person-edit",
        CHANGE,
        args=lambda w: [w.teacher.pk],
        method="POST",
        data=lambda w: {"full_name": "Ana Teacher", "email": "teacher@a.example.org", "employee_group": "teacher"},
    ),
    Row("orgs:person-active", OBJECT, args=lambda w: [w.teacher.pk]),
    Row("orgs:person-active", CHANGE, args=lambda w: [w.teacher.pk], method="POST", data=lambda w: {"active": "0"}),
    Row("orgs:membership-create", OBJECT, args=lambda w: [w.teacher.pk]),
    Row(
        "orgs:membership-create",
        CHANGE,
        args=lambda w: [w.teacher.pk],
        method="POST",
        data=lambda w: {"role": "teacher", "organization": w.campus2.pk, "valid_from": _today()},
    ),
    Row("orgs:membership-end", OBJECT, args=lambda w: [w.teacher.memberships.get().pk]),
    Row("orgs:membership-end", CHANGE, args=lambda w: [w.teacher.memberships.get().pk], method="POST"),
    # Caseloads
    Row("orgs:caseload-list", LIST),
    Row("orgs:caseload-create", LIST),
    Row(
        "orgs:caseload-create",
        everyone(403, district_admin=302, other_admin=200),
        method="POST",
        # District A's people are not among district B's choices, so B's admin sees the form again.
        data=lambda w: {"coach": w.coach.pk, "teacher": w.teacher_other_campus.pk, "valid_from": _today()},
    ),
    Row("orgs:caseload-end", OBJECT, args=lambda w: [w.teacher.coaches.get(coach=w.coach).pk]),
    Row("orgs:caseload-end", CHANGE, args=lambda w: [w.teacher.coaches.get(coach=w.coach).pk], method="POST"),
    # Service-center access grants
    Row("orgs:grant-list", LIST),
    Row("orgs:grant-create", LIST),
    Row(
        "orgs:grant-create",
        CREATE,
        method="POST",
        data=lambda w: {
            "service_center": w.service_center.pk,
            "scope": "district",
            "purpose": "Math coaching",
            "valid_from": _today(),
            "valid_to": _next_week(),
        },
    ),
    Row("orgs:grant-revoke", OBJECT, args=lambda w: [w.grant.pk]),
    Row("orgs:grant-revoke", CHANGE, args=lambda w: [w.grant.pk], method="POST"),
]
