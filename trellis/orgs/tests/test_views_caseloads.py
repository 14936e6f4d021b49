"""The district admin's caseload pages, including service-center facilitators."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.orgs.factories import CaseloadFactory, GrantFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import CaseloadAssignment, GrantScope, Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
URL = "orgs:caseload-list"


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_assignments(world, n):
    for _ in range(n):
        teacher = PersonFactory(district=world.district)
        MembershipFactory(person=teacher, organization=world.campus2, role=Role.TEACHER)
        CaseloadFactory(coach=world.coach, teacher=teacher)
        CaseloadFactory(coach=world.facilitator, teacher=teacher)


class TestCaseloadList:
    def test_shows_coaches_and_facilitators_of_district_teachers(self, world, client_for):
        response = client_for(world.district_admin).get(reverse(URL))
        html = response.content.decode()
        rows = {(a.coach.full_name, a.teacher.full_name) for a in response.context["page_obj"]}
        assert rows == {("Cora Coach", "Ana Teacher"), ("Fay Facilitator", "Ana Teacher")}
        assert "Bea Teacher" not in html and "Finn Facilitator" not in html
        assert "Maple Elementary" in html  # the teacher's campus
        assert "Prairie Regional Service Center" in html
        assert "Grant covers this teacher" in html

    def test_marks_facilitators_whose_grant_no_longer_covers(self, world, client_for):
        world.grant.revoked_at = timezone.now()
        world.grant.save()
        response = client_for(world.district_admin).get(reverse(URL))
        flags = {a.coach.full_name: a.grant_covers for a in response.context["page_obj"]}
        assert flags["Fay Facilitator"] is False
        assert "No grant covers this teacher" in response.content.decode()

    def test_campus_scoped_grant_covers_only_its_campuses(self, world, client_for):
        world.grant.revoked_at = timezone.now()
        world.grant.save()
        grant = GrantFactory(district=world.district, service_center=world.service_center, scope=GrantScope.CAMPUSES)
        grant.campuses.set([world.campus2])
        CaseloadFactory(coach=world.facilitator, teacher=world.teacher_other_campus)
        response = client_for(world.district_admin).get(reverse(URL))
        flags = {a.teacher.full_name: a.grant_covers for a in response.context["page_obj"] if a.coach.service_center_id}
        assert flags == {"Ana Teacher": False, "Omar Teacher": True}

    def test_filters(self, world, client_for):
        CaseloadFactory(coach=world.coach, teacher=world.teacher_other_campus)
        client = client_for(world.district_admin)

        def rows(**params):
            page = client.get(reverse(URL), params).context["page_obj"]
            return {(a.coach.full_name, a.teacher.full_name) for a in page}

        assert rows(coach=world.facilitator.pk) == {("Fay Facilitator", "Ana Teacher")}
        assert rows(campus=world.campus2.pk) == {("Cora Coach", "Omar Teacher")}
        assert rows(q="omar") == {("Cora Coach", "Omar Teacher")}
        assert rows(q="fay") == {("Fay Facilitator", "Ana Teacher")}

    def test_ended_assignments_are_a_filter(self, world, client_for):
        a = CaseloadAssignment.objects.get(coach=world.coach)
        a.valid_to = TODAY() - datetime.timedelta(days=1)
        a.save()
        client = client_for(world.district_admin)
        coaches = [a.coach.full_name for a in client.get(reverse(URL)).context["page_obj"]]
        assert coaches == ["Fay Facilitator"]
        response = client.get(reverse(URL), {"status": "ended"})
        assert [a.coach.full_name for a in response.context["page_obj"]] == ["Cora Coach"]
        assert "Ended" in response.content.decode()
        response = client.get(reverse(URL), {"status": "all"})
        assert len(response.context["page_obj"]) == 2

    def test_bad_filters_and_empty_state(self, world, client_for):
        client = client_for(world.district_admin)
        response = client.get(reverse(URL), {"coach": world.facilitator_no_grant.pk, "campus": "x"})
        assert response.status_code == 200
        assert "Choose a coach from the list." in response.content.decode()
        assert "No assignment matches these filters" in client.get(reverse(URL), {"q": "zzz"}).content.decode()
        CaseloadAssignment.objects.filter(district=world.district).update(valid_to=TODAY() - datetime.timedelta(days=1))
        assert "No assignment matches these filters" in client.get(reverse(URL)).content.decode()
        CaseloadAssignment.objects.filter(district=world.district).delete()
        assert "No teacher is on a coach" in client.get(reverse(URL)).content.decode()

    def test_pagination_and_bounded_queries(self, world, client_for, django_assert_max_num_queries):
        client = client_for(world.district_admin)
        add_assignments(world, 2)
        few = queries_for(client, reverse(URL))
        add_assignments(world, 15)
        many = queries_for(client, reverse(URL))
        assert few == many
        with django_assert_max_num_queries(14):
            response = client.get(reverse(URL), {"page": "9999"})
        assert response.context["page_obj"].number == 2
        assert client.get(reverse(URL), {"page": "abc"}).context["page_obj"].number == 1


class TestCaseloadCreate:
    def test_choices_are_district_coaches_and_granted_facilitators(self, world, client_for):
        form = client_for(world.district_admin).get(reverse("orgs:caseload-create")).context["form"]
        coaches = {p.full_name for p in form.fields["coach"].queryset}
        teachers = {p.full_name for p in form.fields["teacher"].queryset}
        # Finn is a facilitator of the same center; the grant is for the center, so both are offered.
        assert coaches == {"Cora Coach", "Lee Leader", "Fay Facilitator", "Finn Facilitator"}
        assert teachers == {"Ana Teacher", "Omar Teacher"}

    def test_without_a_grant_facilitators_are_not_offered(self, world, client_for):
        world.grant.revoked_at = timezone.now()
        world.grant.save()
        form = client_for(world.district_admin).get(reverse("orgs:caseload-create")).context["form"]
        assert {p.full_name for p in form.fields["coach"].queryset} == {"Cora Coach", "Lee Leader"}

    def test_assigns_and_audits(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:caseload-create"),
            {"coach": world.campus_leader.pk, "teacher": world.teacher_other_campus.pk, "valid_from": TODAY()},
            follow=True,
        )
        assert "Omar Teacher is now on Lee Leader" in response.content.decode()
        a = CaseloadAssignment.objects.get(coach=world.campus_leader)
        assert a.teacher == world.teacher_other_campus and a.district == world.district
        assert AuditEntry.objects.get(action="caseload.assign").actor == world.district_admin

    def test_facilitator_assignment(self, world, client_for):
        client_for(world.district_admin).post(
            reverse("orgs:caseload-create"),
            {"coach": world.facilitator_no_grant.pk, "teacher": world.teacher_other_campus.pk, "valid_from": TODAY()},
        )
        assert CaseloadAssignment.objects.filter(coach=world.facilitator_no_grant, district=world.district).exists()

    def test_links_prefill_the_form(self, world, client_for):
        response = client_for(world.district_admin).get(
            reverse("orgs:caseload-create"), {"coach": world.coach.pk, "teacher": "abc"}
        )
        assert f'<option value="{world.coach.pk}" selected>' in response.content.decode()

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (lambda w: {"coach": w.teacher_b.pk, "teacher": w.teacher.pk}, "coach", "Choose a coach from the list."),
            (lambda w: {"coach": w.coach.pk, "teacher": w.teacher_b.pk}, "teacher", "Choose a teacher from the list."),
            (lambda w: {"coach": w.coach.pk, "teacher": w.coach.pk}, "teacher", "Choose a teacher from the list."),
            (
                lambda w: {"coach": w.coach.pk, "teacher": w.teacher_other_campus.pk, "valid_to": "2000-01-01"},
                "valid_to",
                "on or after the start date",
            ),
            (lambda w: {"coach": "abc", "teacher": w.teacher.pk}, "coach", "Choose a coach from the list."),
        ],
    )
    def test_bad_input_names_the_field(self, world, client_for, data, field, message):
        before = CaseloadAssignment.objects.count()
        response = client_for(world.district_admin).post(
            reverse("orgs:caseload-create"), {"valid_from": TODAY().isoformat(), **data(world)}
        )
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert CaseloadAssignment.objects.count() == before
        assert not AuditEntry.objects.exists()

    def test_duplicate_is_a_message(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("orgs:caseload-create"),
            {"coach": world.coach.pk, "teacher": world.teacher.pk, "valid_from": TODAY().isoformat()},
        )
        assert response.status_code == 200
        assert "already on this coach" in response.content.decode()
        assert CaseloadAssignment.objects.filter(coach=world.coach, teacher=world.teacher).count() == 1


class TestCaseloadEnd:
    def test_confirm_then_end(self, world, client_for):
        a = CaseloadAssignment.objects.get(coach=world.coach)
        client = client_for(world.district_admin)
        url = reverse("orgs:caseload-end", args=[a.pk])
        html = client.get(url).content.decode()
        assert "End this caseload assignment?" in html and "Cora Coach" in html
        a.refresh_from_db()
        assert a.valid_to is None
        response = client.post(url, follow=True)
        assert "Ana Teacher is no longer on Cora Coach" in response.content.decode()
        a.refresh_from_db()
        assert a.valid_to == TODAY()
        assert AuditEntry.objects.get(action="caseload.end").after == {"valid_to": TODAY().isoformat()}

    def test_ended_assignment_is_not_extended(self, world, client_for):
        a = CaseloadAssignment.objects.get(coach=world.coach)
        a.valid_to = TODAY() - datetime.timedelta(days=5)
        a.save()
        response = client_for(world.district_admin).post(reverse("orgs:caseload-end", args=[a.pk]))
        assert response.status_code == 400
        assert "This assignment already ended on" in response.content.decode()
        a.refresh_from_db()
        assert a.valid_to == TODAY() - datetime.timedelta(days=5)

    def test_other_district_is_404(self, world, client_for):
        other = CaseloadAssignment.objects.get(coach=world.facilitator_no_grant)
        client = client_for(world.district_admin)
        assert client.post(reverse("orgs:caseload-end", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.valid_to is None
        assert client.get("/district/caseloads/abc/end/").status_code == 404

    def test_coach_cannot_end_their_own_assignment_here(self, world, client_for):
        a = CaseloadAssignment.objects.get(coach=world.coach)
        assert client_for(world.coach).post(reverse("orgs:caseload-end", args=[a.pk])).status_code == 403
        a.refresh_from_db()
        assert a.valid_to is None
