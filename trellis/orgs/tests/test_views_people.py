"""The district admin's people pages, and giving and ending roles."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import User
from trellis.audit.models import AuditEntry
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Membership, Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_people(world, n):
    for _ in range(n):
        person = PersonFactory(district=world.district)
        MembershipFactory(person=person, organization=world.campus, role=Role.TEACHER)
        MembershipFactory(person=person, organization=world.campus2, role=Role.COACH)


class TestPersonList:
    def test_lists_the_district_people_with_their_roles(self, world, client_for):
        response = client_for(world.district_admin).get(reverse("orgs:person-list"))
        html = response.content.decode()
        for name in ("Ana Teacher", "Omar Teacher", "Cora Coach", "Lee Leader", "Dana Admin"):
            assert name in html
        for outsider in ("Bea Teacher", "Bo Admin", "Fay Facilitator", "Sam Center"):
            assert outsider not in html
        assert "Teacher · Maple Elementary" in html
        assert "District admin · Cedar Valley ISD" in html

    def test_filters_narrow_the_list(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:person-list")

        def names(**params):
            return {p.full_name for p in client.get(url, params).context["page_obj"]}

        assert names(q="omar") == {"Omar Teacher"}
        assert names(q="LEADER@a.example") == {"Lee Leader"}
        assert names(campus=world.campus2.pk) == {"Omar Teacher"}
        assert names(campus=world.campus.pk) == {"Ana Teacher", "Cora Coach", "Lee Leader"}
        assert names(role="teacher") == {"Ana Teacher", "Omar Teacher"}
        assert names(role="district_admin") == {"Dana Admin"}
        assert names(role="teacher", campus=world.campus.pk) == {"Ana Teacher"}

    def test_deactivated_people_are_a_filter(self, world, client_for):
        world.teacher_other_campus.is_active = False
        world.teacher_other_campus.save()
        client = client_for(world.district_admin)
        url = reverse("orgs:person-list")
        assert "Omar Teacher" not in client.get(url).content.decode()
        html = client.get(url, {"status": "inactive"}).content.decode()
        assert "Omar Teacher" in html and "Ana Teacher" not in html and "Deactivated" in html
        html = client.get(url, {"status": "all"}).content.decode()
        assert "Omar Teacher" in html and "Ana Teacher" in html

    def test_ended_roles_are_not_shown_as_current(self, world, client_for):
        m = world.teacher.memberships.get()
        m.valid_to = TODAY() - datetime.timedelta(days=1)
        m.save()
        response = client_for(world.district_admin).get(reverse("orgs:person-list"), {"q": "Ana"})
        assert "Teacher · Maple Elementary" not in response.content.decode()
        assert "No role" in response.content.decode()

    def test_bad_filter_values_are_messages(self, world, client_for):
        client = client_for(world.district_admin)
        response = client.get(reverse("orgs:person-list"), {"campus": world.campus_b.pk, "role": "king"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Choose a campus from the list." in html and "Choose a role from the list." in html
        response = client.get(reverse("orgs:person-list"), {"campus": "abc"})
        assert response.status_code == 200

    def test_empty_results_say_so(self, world, client_for):
        html = client_for(world.district_admin).get(reverse("orgs:person-list"), {"q": "nobody"}).content.decode()
        assert "Nobody matches these filters" in html

    def test_pagination(self, world, client_for):
        add_people(world, 30)
        client = client_for(world.district_admin)
        first = client.get(reverse("orgs:person-list"), {"page": "abc"})
        assert first.context["page_obj"].number == 1 and len(first.context["page_obj"]) == 25
        last = client.get(reverse("orgs:person-list"), {"page": "9999"})
        assert last.context["page_obj"].number == 2 and len(last.context["page_obj"]) == 30 + 5 - 25

    def test_query_count_does_not_grow_with_people(self, world, client_for, django_assert_max_num_queries):
        client = client_for(world.district_admin)
        add_people(world, 3)
        few = queries_for(client, reverse("orgs:person-list"), {"campus": world.campus.pk})
        add_people(world, 27)
        many = queries_for(client, reverse("orgs:person-list"), {"campus": world.campus.pk})
        assert few == many
        with django_assert_max_num_queries(13):
            client.get(reverse("orgs:person-list"))


class TestPersonCreate:
    def test_creates_a_teacher_in_one_step(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:person-create"),
            {
                "full_name": "Nia New",
                "email": "Nia.New@A.example.org",
                "employee_group": "teacher",
                "role": "teacher",
                "organization": world.campus.pk,
            },
        )
        person = User.objects.get(email="nia.new@a.example.org")
        assert response.status_code == 302 and response["Location"] == reverse("orgs:person-detail", args=[person.pk])
        assert person.district == world.district and person.full_name == "Nia New"
        membership = person.memberships.get()
        assert membership.role == Role.TEACHER and membership.organization == world.campus
        assert membership.valid_from == TODAY()
        assert AuditEntry.objects.get(action="person.create").district == world.district
        assert AuditEntry.objects.get(action="membership.create").after["organization"] == world.campus.pk

    def test_creates_without_a_role(self, world, client_for):
        client_for(world.district_admin).post(
            reverse("orgs:person-create"),
            {"full_name": "Rita Roleless", "email": "rita@a.example.org", "employee_group": "counselor"},
        )
        person = User.objects.get(email="rita@a.example.org")
        assert not person.memberships.exists()
        assert not AuditEntry.objects.filter(action="membership.create").exists()

    def test_a_failing_role_stores_nothing(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:person-create"),
            {
                "full_name": "Ada Admin",
                "email": "ada@a.example.org",
                "employee_group": "district_staff",
                "role": "district_admin",
                "organization": world.campus.pk,
            },
        )
        assert response.status_code == 200
        assert "This role is given on a district." in response.context["form"].errors["organization"]
        assert not User.objects.filter(email="ada@a.example.org").exists()
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"full_name": "", "email": "x@a.example.org"}, "full_name", "This field is required."),
            ({"full_name": "X", "email": "not-an-email"}, "email", "Enter an email address like"),
            ({"full_name": "X", "email": "TEACHER@a.example.org"}, "email", "Someone already uses this email"),
            ({"full_name": "X", "email": "x@a.example.org", "role": "teacher"}, "organization", "Choose where"),
            ({"full_name": "X", "email": "x@a.example.org", "role": "facilitator"}, "role", "Choose a role from"),
            (
                {"full_name": "X", "email": "x@a.example.org", "employee_group": "service_center_staff"},
                "employee_group",
                "Choose an employee group",
            ),
        ],
    )
    def test_bad_input_names_the_field(self, world, client_for, data, field, message):
        data = {"employee_group": "teacher", **data}
        before = User.objects.count()
        response = client_for(world.district_admin).post(reverse("orgs:person-create"), data)
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert message in response.content.decode()
        assert User.objects.count() == before
        assert not AuditEntry.objects.exists()

    def test_campus_of_another_district_is_not_a_choice(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:person-create"),
            {
                "full_name": "X",
                "email": "x@a.example.org",
                "employee_group": "teacher",
                "role": "teacher",
                "organization": world.campus_b.pk,
            },
        )
        assert "Choose a campus or the district from the list." in response.content.decode()
        assert not User.objects.filter(email="x@a.example.org").exists()

    def test_link_from_a_campus_prefills_teacher_there(self, world, client_for):
        response = client_for(world.district_admin).get(
            reverse("orgs:person-create"), {"organization": world.campus2.pk}
        )
        html = response.content.decode()
        assert f'<option value="{world.campus2.pk}" selected>' in html
        assert '<option value="teacher" selected>' in html


class TestPersonDetail:
    def test_profile_roles_and_caseloads(self, world, client_for):
        ended = MembershipFactory(person=world.teacher, organization=world.campus2, role=Role.TEACHER)
        ended.valid_to = TODAY() - datetime.timedelta(days=2)
        ended.save()
        response = client_for(world.district_admin).get(reverse("orgs:person-detail", args=[world.teacher.pk]))
        html = response.content.decode()
        assert "Ana Teacher" in html and "teacher@a.example.org" in html
        assert "Maple Elementary" in html and "Oak Middle School" in html
        assert "Ended" in html and "Current" in html
        assert "Cora Coach" in html and "Fay Facilitator" in html and "Prairie Regional Service Center" in html
        assert reverse("orgs:membership-end", args=[world.teacher.memberships.get(valid_to=None).pk]) in html
        assert reverse("orgs:membership-end", args=[ended.pk]) not in html
        assert f"{reverse('orgs:caseload-create')}?teacher={world.teacher.pk}" in html

    def test_coach_page_lists_their_teachers_with_campus(self, world, client_for):
        response = client_for(world.district_admin).get(reverse("orgs:person-detail", args=[world.coach.pk]))
        html = response.content.decode()
        assert "Teachers they coach" in html and "Ana Teacher" in html
        assert [row.campus_names for row in response.context["as_coach"]] == ["Maple Elementary"]
        assert f"{reverse('orgs:caseload-create')}?coach={world.coach.pk}" in html

    def test_long_caseload_points_to_the_list(self, world, client_for):
        for _ in range(26):
            teacher = PersonFactory(district=world.district)
            MembershipFactory(person=teacher, organization=world.campus)
            CaseloadFactory(coach=world.coach, teacher=teacher)
        response = client_for(world.district_admin).get(reverse("orgs:person-detail", args=[world.coach.pk]))
        assert len(response.context["as_coach"]) == 25
        assert f"{reverse('orgs:caseload-list')}?coach={world.coach.pk}" in response.content.decode()

    def test_person_without_roles_gets_guidance(self, world, client_for):
        person = PersonFactory(district=world.district, full_name="Rita Roleless")
        html = client_for(world.district_admin).get(reverse("orgs:person-detail", args=[person.pk])).content.decode()
        assert "No roles yet" in html

    def test_other_district_people_and_staff_are_404(self, world, client_for):
        client = client_for(world.district_admin)
        for person in (world.teacher_b, world.other_admin, world.facilitator):
            assert client.get(reverse("orgs:person-detail", args=[person.pk])).status_code == 404
        assert client.get("/district/people/abc/").status_code == 404

    def test_script_in_names_is_escaped(self, world, client_for):
        person = PersonFactory(district=world.district, full_name="<script>alert(1)</script>", preferred_name="")
        client = client_for(world.district_admin)
        for url in (reverse("orgs:person-detail", args=[person.pk]), reverse("orgs:person-list")):
            html = client.get(url).content.decode()
            assert "<script>alert(1)</script>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestPersonEdit:
    def test_saves_and_audits_only_changes(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:person-edit", args=[world.teacher.pk]),
            {
                "full_name": "Ana Teacher",
                "preferred_name": "Annie",
                "email": "ana@a.example.org",
                "employee_group": "teacher",
            },
        )
        assert response.status_code == 302
        world.teacher.refresh_from_db()
        assert world.teacher.preferred_name == "Annie" and world.teacher.email == "ana@a.example.org"
        entry = AuditEntry.objects.get(action="person.update")
        assert entry.before == {"email": "teacher@a.example.org", "preferred_name": ""}
        assert entry.after == {"email": "ana@a.example.org", "preferred_name": "Annie"}

    def test_duplicate_email_is_refused(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:person-edit", args=[world.teacher.pk]),
            {"full_name": "Ana Teacher", "email": "coach@a.example.org", "employee_group": "teacher"},
        )
        assert response.status_code == 200
        assert "Someone already uses this email address." in response.context["form"].errors["email"]
        world.teacher.refresh_from_db()
        assert world.teacher.email == "teacher@a.example.org"

    def test_other_district_is_404(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:person-edit", args=[world.teacher_b.pk]),
            {"full_name": "Changed", "email": "teacher@b.example.org", "employee_group": "teacher"},
        )
        assert response.status_code == 404
        world.teacher_b.refresh_from_db()
        assert world.teacher_b.full_name == "Bea Teacher"


class TestPersonActive:
    def test_get_confirms_and_post_deactivates_without_deleting(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:person-active", args=[world.teacher.pk])
        html = client.get(url).content.decode()
        assert "Deactivate Ana Teacher?" in html and "Nothing is deleted" in html
        world.teacher.refresh_from_db()
        assert world.teacher.is_active
        response = client.post(url, {"active": "0"}, follow=True)
        assert "Ana Teacher is deactivated." in response.content.decode()
        world.teacher.refresh_from_db()
        assert not world.teacher.is_active
        assert world.teacher.memberships.exists() and world.teacher.coaches.exists()
        assert AuditEntry.objects.get(action="person.deactivate").after == {"is_active": False}
        # The deactivated person can no longer sign in.
        assert not client_for(None).login(email="teacher@a.example.org", password="trellis-test-pass-1")

    def test_reactivate(self, world, client_for):
        world.teacher.is_active = False
        world.teacher.save()
        client = client_for(world.district_admin)
        url = reverse("orgs:person-active", args=[world.teacher.pk])
        assert "Reactivate Ana Teacher?" in client.get(url).content.decode()
        client.post(url, {"active": "1"})
        world.teacher.refresh_from_db()
        assert world.teacher.is_active
        assert AuditEntry.objects.filter(action="person.reactivate").count() == 1

    def test_cannot_deactivate_self(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:person-active", args=[world.district_admin.pk])
        assert "You cannot deactivate your own account" in client.get(url).content.decode()
        response = client.post(url, {"active": "0"})
        assert response.status_code == 400
        assert "You cannot deactivate your own account" in response.content.decode()
        world.district_admin.refresh_from_db()
        assert world.district_admin.is_active
        assert not AuditEntry.objects.exists()

    def test_wrong_method_and_other_district(self, world, client_for):
        client = client_for(world.district_admin)
        assert client.delete(reverse("orgs:person-active", args=[world.teacher.pk])).status_code == 405
        assert client.post(reverse("orgs:person-active", args=[world.teacher_b.pk]), {"active": "0"}).status_code == 404
        world.teacher_b.refresh_from_db()
        assert world.teacher_b.is_active


class TestMemberships:
    def test_add_role(self, world, client_for):
        start = TODAY() + datetime.timedelta(days=3)
        response = client_for(world.district_admin).post(
            reverse("orgs:membership-create", args=[world.teacher.pk]),
            {"role": "coach", "organization": world.district.pk, "valid_from": start.isoformat()},
        )
        assert response.status_code == 302
        m = world.teacher.memberships.get(role=Role.COACH)
        assert m.organization == world.district and m.valid_from == start and m.valid_to is None
        assert AuditEntry.objects.get(action="membership.create").actor == world.district_admin

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"role": "teacher", "valid_from": "2025-02-30"}, "valid_from", "Enter a date as YYYY-MM-DD."),
            ({"role": "teacher", "valid_from": "2025-05-01", "valid_to": "2025-04-01"}, "valid_to", "on or after"),
            ({"role": "district_admin", "valid_from": "2025-05-01"}, "organization", "given on a district"),
            ({"role": "", "valid_from": "2025-05-01"}, "role", "This field is required."),
        ],
    )
    def test_bad_input_names_the_field(self, world, client_for, data, field, message):
        data = {"organization": world.campus2.pk, **data}
        before = Membership.objects.count()
        response = client_for(world.district_admin).post(
            reverse("orgs:membership-create", args=[world.teacher.pk]), data
        )
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert Membership.objects.count() == before
        assert not AuditEntry.objects.exists()

    def test_duplicate_role_is_a_message(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:membership-create", args=[world.teacher.pk]),
            {"role": "teacher", "organization": world.campus.pk, "valid_from": TODAY().isoformat()},
        )
        assert "already holds this role here" in response.content.decode()
        assert world.teacher.memberships.count() == 1

    def test_end_role_confirms_then_ends_today(self, world, client_for):
        client = client_for(world.district_admin)
        m = world.teacher.memberships.get()
        url = reverse("orgs:membership-end", args=[m.pk])
        html = client.get(url).content.decode()
        assert "End this role?" in html and "Maple Elementary" in html
        m.refresh_from_db()
        assert m.valid_to is None
        response = client.post(url)
        assert response["Location"] == reverse("orgs:person-detail", args=[world.teacher.pk])
        m.refresh_from_db()
        assert m.valid_to == TODAY()
        assert AuditEntry.objects.get(action="membership.end").after == {"valid_to": TODAY().isoformat()}

    def test_ending_an_ended_role_does_not_extend_it(self, world, client_for):
        m = world.teacher.memberships.get()
        m.valid_to = TODAY() - datetime.timedelta(days=10)
        m.save()
        client = client_for(world.district_admin)
        url = reverse("orgs:membership-end", args=[m.pk])
        assert "This role already ended on" in client.get(url).content.decode()
        response = client.post(url)
        assert response.status_code == 400
        assert "This role already ended on" in response.content.decode()
        m.refresh_from_db()
        assert m.valid_to == TODAY() - datetime.timedelta(days=10)
        assert not AuditEntry.objects.exists()

    def test_own_admin_role_warns(self, world, client_for):
        m = world.district_admin.memberships.get()
        html = client_for(world.district_admin).get(reverse("orgs:membership-end", args=[m.pk])).content.decode()
        assert "This is your own district admin role" in html

    def test_other_district_memberships_are_404(self, world, client_for):
        other = world.teacher_b.memberships.get()
        client = client_for(world.district_admin)
        assert client.post(reverse("orgs:membership-end", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.valid_to is None
        assert client.get(reverse("orgs:membership-create", args=[world.teacher_b.pk])).status_code == 404
        assert client.get("/district/roles/abc/end/").status_code == 404
