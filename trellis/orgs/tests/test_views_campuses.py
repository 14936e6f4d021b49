"""The district admin's campus pages: what the admin sees, what is stored, what is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.orgs.factories import CampusFactory, DistrictFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Organization, OrgKind, Role

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_campuses(district, n, teachers_each=2):
    for i in range(n):
        campus = CampusFactory(parent=district, name=f"Extra Campus {i:02d}")
        for _ in range(teachers_each):
            MembershipFactory(person=PersonFactory(district=district), organization=campus, role=Role.TEACHER)


class TestCampusList:
    def test_lists_own_campuses_with_teacher_counts(self, world, client_for):
        MembershipFactory(person=PersonFactory(district=world.district), organization=world.campus, role=Role.TEACHER)
        response = client_for(world.district_admin).get(reverse("orgs:campus-list"))
        assert response.status_code == 200
        rows = {c.name: c.teacher_count for c in response.context["page_obj"]}
        assert rows == {"Maple Elementary": 2, "Oak Middle School": 1}
        html = response.content.decode()
        assert "Maple Elementary" in html and "Oak Middle School" in html
        assert "Birch High School" not in html
        assert "Cedar Valley ISD" in html

    def test_deactivated_and_former_teachers_are_not_counted(self, world, client_for):
        gone = PersonFactory(district=world.district, is_active=False)
        MembershipFactory(person=gone, organization=world.campus, role=Role.TEACHER)
        ended = MembershipFactory(person=PersonFactory(district=world.district), organization=world.campus)
        ended.valid_to = ended.valid_from
        ended.save()
        response = client_for(world.district_admin).get(reverse("orgs:campus-list"))
        assert {c.name: c.teacher_count for c in response.context["page_obj"]}["Maple Elementary"] == 1

    def test_search_and_status_filters(self, world, client_for):
        closed = CampusFactory(parent=world.district, name="Old Mill School", is_active=False)
        client = client_for(world.district_admin)
        html = client.get(reverse("orgs:campus-list"), {"q": "oak"}).content.decode()
        assert "Oak Middle School" in html and "Maple Elementary" not in html
        html = client.get(reverse("orgs:campus-list")).content.decode()
        assert closed.name not in html
        html = client.get(reverse("orgs:campus-list"), {"status": "closed"}).content.decode()
        assert closed.name in html and "Maple Elementary" not in html
        html = client.get(reverse("orgs:campus-list"), {"status": "all"}).content.decode()
        assert closed.name in html and "Maple Elementary" in html

    def test_empty_states(self, world, client_for):
        client = client_for(world.district_admin)
        html = client.get(reverse("orgs:campus-list"), {"q": "zzz"}).content.decode()
        assert "No campus matches these filters" in html
        Organization.objects.filter(district=world.district, kind=OrgKind.CAMPUS).update(is_active=False)
        html = client.get(reverse("orgs:campus-list")).content.decode()
        assert "No campus matches these filters" in html  # closed ones exist: not "no campuses yet"
        new_district = DistrictFactory(name="Brand New ISD")
        new_admin = PersonFactory(district=new_district)
        MembershipFactory(person=new_admin, organization=new_district, role=Role.DISTRICT_ADMIN)
        html = client_for(new_admin).get(reverse("orgs:campus-list")).content.decode()
        assert "Add your first campus" in html

    def test_bad_filter_value_is_a_message_not_an_error(self, world, client_for):
        response = client_for(world.district_admin).get(reverse("orgs:campus-list"), {"status": "<bogus>"})
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert "&lt;bogus&gt;" in response.content.decode()

    def test_pagination_survives_bad_page_numbers(self, world, client_for):
        add_campuses(world.district, 30, teachers_each=0)
        client = client_for(world.district_admin)
        first = client.get(reverse("orgs:campus-list"), {"page": "abc"})
        assert first.status_code == 200 and first.context["page_obj"].number == 1
        assert len(first.context["page_obj"]) == 25
        last = client.get(reverse("orgs:campus-list"), {"page": "9999"})
        assert last.status_code == 200 and last.context["page_obj"].number == 2
        assert "Page 2 of 2" in last.content.decode()

    def test_query_count_does_not_grow_with_campuses(self, world, client_for, django_assert_max_num_queries):
        client = client_for(world.district_admin)
        add_campuses(world.district, 3)
        few = queries_for(client, reverse("orgs:campus-list"))
        add_campuses(world.district, 27)
        many = queries_for(client, reverse("orgs:campus-list"))
        assert few == many
        with django_assert_max_num_queries(11):
            client.get(reverse("orgs:campus-list"))

    def test_other_roles_are_refused_and_post_is_not_allowed(self, world, client_for):
        assert client_for(world.teacher).get(reverse("orgs:campus-list")).status_code == 403
        assert client_for(world.sc_admin).get(reverse("orgs:campus-list")).status_code == 403
        assert client_for(world.district_admin).post(reverse("orgs:campus-list")).status_code == 405


class TestCampusCreate:
    def test_creates_campus_and_audits(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:campus-create"), {"name": "Pine Elementary", "code": "042", "timezone": "America/Denver"}
        )
        campus = Organization.objects.get(name="Pine Elementary")
        assert response.status_code == 302 and response["Location"] == reverse("orgs:campus-detail", args=[campus.pk])
        assert campus.district == world.district and campus.parent == world.district
        assert campus.code == "042" and campus.timezone == "America/Denver"
        entry = AuditEntry.objects.get(action="campus.create")
        assert entry.actor == world.district_admin and entry.district == world.district
        follow = client_for(world.district_admin).get(response["Location"])
        assert "Pine Elementary" in follow.content.decode()

    def test_form_starts_with_the_district_time_zone(self, world, client_for):
        response = client_for(world.district_admin).get(reverse("orgs:campus-create"))
        assert response.context["form"].initial["timezone"] == world.district.timezone

    def test_empty_name_duplicate_name_and_bad_time_zone(self, world, client_for):
        client = client_for(world.district_admin)
        response = client.post(reverse("orgs:campus-create"), {"name": "  ", "timezone": "UTC"})
        assert response.status_code == 200
        assert response.context["form"].errors["name"]
        response = client.post(reverse("orgs:campus-create"), {"name": "maple elementary", "timezone": "UTC"})
        assert "already has a campus with that name" in response.content.decode()
        response = client.post(reverse("orgs:campus-create"), {"name": "Elm", "timezone": "Mars/Olympus"})
        assert "Choose a time zone from the list" in response.content.decode()
        assert not Organization.objects.filter(name__in=["Elm", "maple elementary"]).exists()
        assert not AuditEntry.objects.filter(action="campus.create").exists()

    def test_script_in_name_is_escaped(self, world, client_for):
        client = client_for(world.district_admin)
        client.post(reverse("orgs:campus-create"), {"name": "<script>alert(1)</script>", "timezone": "UTC"})
        campus = Organization.objects.get(name="<script>alert(1)</script>")
        for url in (reverse("orgs:campus-list"), reverse("orgs:campus-detail", args=[campus.pk])):
            html = client.get(url).content.decode()
            assert "<script>alert(1)</script>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestCampusDetail:
    def test_shows_campus_and_people_by_role(self, world, client_for):
        response = client_for(world.district_admin).get(reverse("orgs:campus-detail", args=[world.campus.pk]))
        html = response.content.decode()
        assert "Maple Elementary" in html
        for name in ("Ana Teacher", "Cora Coach", "Lee Leader"):
            assert name in html
        assert "Omar Teacher" not in html  # teaches at Oak
        roles = [m.role for m in response.context["page_obj"]]
        assert roles == sorted(roles)
        assert dict(response.context["role_counts"]) == {"Teacher": 1, "Coach": 1, "Campus leader": 1}

    def test_people_are_paginated(self, world, client_for):
        for _ in range(30):
            MembershipFactory(person=PersonFactory(district=world.district), organization=world.campus)
        client = client_for(world.district_admin)
        response = client.get(reverse("orgs:campus-detail", args=[world.campus.pk]))
        assert len(response.context["page_obj"]) == 25
        response = client.get(reverse("orgs:campus-detail", args=[world.campus.pk]), {"page": "2"})
        assert len(response.context["page_obj"]) == 8

    def test_empty_campus_says_what_to_do(self, world, client_for):
        empty = CampusFactory(parent=world.district, name="New Campus")
        html = client_for(world.district_admin).get(reverse("orgs:campus-detail", args=[empty.pk])).content.decode()
        assert "Nobody works here in Trellis yet" in html
        assert f"{reverse('orgs:person-create')}?organization={empty.pk}" in html

    @pytest.mark.parametrize("pk", ["abc", "0", "999999"])
    def test_bad_ids_are_404(self, world, client_for, pk):
        response = client_for(world.district_admin).get(f"/district/campuses/{pk}/")
        assert response.status_code == 404

    def test_other_district_and_the_district_itself_are_404(self, world, client_for):
        client = client_for(world.district_admin)
        assert client.get(reverse("orgs:campus-detail", args=[world.campus_b.pk])).status_code == 404
        assert client.get(reverse("orgs:campus-detail", args=[world.district.pk])).status_code == 404
        assert client.get(reverse("orgs:campus-detail", args=[world.service_center.pk])).status_code == 404


class TestCampusEdit:
    def test_edit_saves_and_audits(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:campus-edit", args=[world.campus.pk]),
            {"name": "Maple Elementary School", "code": "M-1", "timezone": "America/Chicago"},
        )
        assert response.status_code == 302
        world.campus.refresh_from_db()
        assert world.campus.name == "Maple Elementary School" and world.campus.code == "M-1"
        entry = AuditEntry.objects.get(action="campus.update")
        assert entry.before == {"name": "Maple Elementary", "code": ""}
        assert entry.after == {"name": "Maple Elementary School", "code": "M-1"}

    def test_edit_form_is_prefilled_and_refuses_a_clash(self, world, client_for):
        client = client_for(world.district_admin)
        response = client.get(reverse("orgs:campus-edit", args=[world.campus.pk]))
        assert 'value="Maple Elementary"' in response.content.decode()
        response = client.post(
            reverse("orgs:campus-edit", args=[world.campus.pk]), {"name": "Oak Middle School", "timezone": "UTC"}
        )
        assert response.status_code == 200
        assert "already has a campus with that name" in response.content.decode()
        world.campus.refresh_from_db()
        assert world.campus.name == "Maple Elementary"

    def test_other_district_is_404(self, world, client_for):
        response = client_for(world.other_admin).post(
            reverse("orgs:campus-edit", args=[world.campus.pk]), {"name": "Taken over", "timezone": "UTC"}
        )
        assert response.status_code == 404
        world.campus.refresh_from_db()
        assert world.campus.name == "Maple Elementary"


class TestCampusActive:
    def test_get_asks_for_confirmation_and_changes_nothing(self, world, client_for):
        response = client_for(world.district_admin).get(reverse("orgs:campus-active", args=[world.campus.pk]))
        html = response.content.decode()
        assert "Close Maple Elementary?" in html
        assert "keeps the campus&#x27;s people" in html or "keeps the campus's people" in html
        world.campus.refresh_from_db()
        assert world.campus.is_active

    def test_close_and_reopen(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:campus-active", args=[world.campus.pk])
        response = client.post(url, {"active": "0"}, follow=True)
        assert "Maple Elementary is closed." in response.content.decode()
        world.campus.refresh_from_db()
        assert not world.campus.is_active
        assert world.teacher.memberships.get().organization == world.campus  # people stay
        assert AuditEntry.objects.get(action="campus.update").after == {"is_active": False}
        assert "Reopen Maple Elementary?" in client.get(url).content.decode()
        client.post(url, {"active": "1"})
        world.campus.refresh_from_db()
        assert world.campus.is_active

    def test_repeated_submission_does_not_flip_back(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:campus-active", args=[world.campus.pk])
        client.post(url, {"active": "0"})
        response = client.post(url, {"active": "0"}, follow=True)
        assert "already in that state" in response.content.decode()
        world.campus.refresh_from_db()
        assert not world.campus.is_active
        assert AuditEntry.objects.filter(action="campus.update").count() == 1

    def test_missing_state_is_refused(self, world, client_for):
        response = client_for(world.district_admin).post(reverse("orgs:campus-active", args=[world.campus.pk]), {})
        assert response.status_code == 400
        world.campus.refresh_from_db()
        assert world.campus.is_active
        assert not AuditEntry.objects.exists()
