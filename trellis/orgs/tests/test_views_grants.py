"""The district's access grants to service centers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.orgs.access import coached_teachers
from trellis.orgs.factories import GrantFactory, ServiceCenterFactory
from trellis.orgs.models import AccessGrant, GrantScope

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
URL = "orgs:grant-list"


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


class TestGrantList:
    def test_lists_grants_with_status_and_explains_them(self, world, client_for):
        day = datetime.timedelta(days=1)
        GrantFactory(
            district=world.district, service_center=ServiceCenterFactory(name="Later SC"), valid_from=TODAY() + 10 * day
        )
        GrantFactory(
            district=world.district,
            service_center=ServiceCenterFactory(name="Old SC"),
            valid_from=TODAY() - 60 * day,
            valid_to=TODAY() - day,
        )
        GrantFactory(
            district=world.district, service_center=ServiceCenterFactory(name="Gone SC"), revoked_at=timezone.now()
        )
        GrantFactory(district=world.district_b, service_center=ServiceCenterFactory(name="B's SC"))
        response = client_for(world.district_admin).get(reverse(URL))
        html = response.content.decode()
        statuses = {g.service_center.name: g.get_status_display() for g in response.context["page_obj"]}
        assert statuses == {
            "Prairie Regional Service Center": "Active",
            "Later SC": "Starts later",
            "Old SC": "Expired",
            "Gone SC": "Revoked",
        }
        assert "B&#x27;s SC" not in html and "B's SC" not in html
        assert "A grant lets a service center" in html
        assert "Literacy cohort support" in html
        assert html.count(">Revoke<") == 2  # active and upcoming grants only

    def test_campus_scoped_grant_names_its_campuses(self, world, client_for):
        grant = GrantFactory(district=world.district, service_center=ServiceCenterFactory(), scope=GrantScope.CAMPUSES)
        grant.campuses.set([world.campus2])
        html = client_for(world.district_admin).get(reverse(URL)).content.decode()
        assert "Oak Middle School" in html and "Every campus" in html

    def test_empty_state(self, world, client_for):
        html = client_for(world.other_admin).get(reverse(URL)).content.decode()
        assert "has not granted any service center access" in html

    def test_bounded_queries_and_pagination(self, world, client_for, django_assert_max_num_queries):
        client = client_for(world.district_admin)

        def add(n):
            for _ in range(n):
                grant = GrantFactory(
                    district=world.district, service_center=world.service_center, scope=GrantScope.CAMPUSES
                )
                grant.campuses.set([world.campus, world.campus2])

        add(3)
        few = queries_for(client, reverse(URL))
        add(27)
        many = queries_for(client, reverse(URL))
        assert few == many
        with django_assert_max_num_queries(12):
            response = client.get(reverse(URL), {"page": "2"})
        assert len(response.context["page_obj"]) == 31 - 25


class TestGrantCreate:
    def test_whole_district_grant(self, world, client_for):
        other_sc = ServiceCenterFactory(name="Lakes Service Center")
        response = client_for(world.district_admin).post(
            reverse("orgs:grant-create"),
            {"service_center": other_sc.pk, "scope": "district", "purpose": "Math", "valid_from": TODAY()},
            follow=True,
        )
        assert "Lakes Service Center&#x27;s facilitators can now work" in response.content.decode()
        grant = AccessGrant.objects.get(service_center=other_sc)
        assert grant.district == world.district and grant.scope == GrantScope.DISTRICT
        assert grant.granted_by == world.district_admin and grant.purpose == "Math"
        entry = AuditEntry.objects.get(action="grant.create")
        assert entry.district == world.district and entry.after["service_center"] == other_sc.pk

    def test_campus_grant(self, world, client_for):
        client_for(world.district_admin).post(
            reverse("orgs:grant-create"),
            {
                "service_center": world.service_center.pk,
                "scope": "campuses",
                "campuses": [world.campus2.pk],
                "valid_from": TODAY(),
            },
        )
        grant = AccessGrant.objects.exclude(pk=world.grant.pk).get()
        assert list(grant.campuses.all()) == [world.campus2]
        assert AuditEntry.objects.get(action="grant.create").after["campuses"] == [world.campus2.pk]

    def test_any_service_center_is_offered_but_only_own_campuses(self, world, client_for):
        elsewhere = ServiceCenterFactory(name="Faraway Service Center")
        form = client_for(world.district_admin).get(reverse("orgs:grant-create")).context["form"]
        assert elsewhere in form.fields["service_center"].queryset
        assert set(form.fields["campuses"].queryset) == {world.campus, world.campus2}

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (lambda w: {"scope": "campuses"}, "campuses", "Choose at least one campus"),
            (lambda w: {"scope": "campuses", "campuses": [w.campus_b.pk]}, "campuses", "campuses of this district"),
            (lambda w: {"service_center": w.district.pk}, "service_center", "Choose a service center from"),
            (lambda w: {"service_center": ""}, "service_center", "This field is required."),
            (lambda w: {"valid_to": "2001-01-01"}, "valid_to", "on or after the start date"),
            (lambda w: {"valid_from": "tomorrow"}, "valid_from", "Enter a date as YYYY-MM-DD."),
            (lambda w: {"scope": "everything"}, "scope", "Choose what the service center may see."),
        ],
    )
    def test_bad_input_names_the_field(self, world, client_for, data, field, message):
        base = {"service_center": world.service_center.pk, "scope": "district", "valid_from": TODAY().isoformat()}
        response = client_for(world.district_admin).post(reverse("orgs:grant-create"), {**base, **data(world)})
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        assert AccessGrant.objects.count() == 1
        assert not AuditEntry.objects.exists()

    def test_script_in_purpose_is_escaped(self, world, client_for):
        client = client_for(world.district_admin)
        client.post(
            reverse("orgs:grant-create"),
            {
                "service_center": world.service_center.pk,
                "scope": "district",
                "purpose": "<script>x()</script>",
                "valid_from": TODAY(),
            },
        )
        html = client.get(reverse(URL)).content.decode()
        assert "<script>x()</script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html


class TestGrantRevoke:
    def test_confirm_explains_then_revokes(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:grant-revoke", args=[world.grant.pk])
        html = client.get(url).content.decode()
        assert "lose access at once" in html
        assert "1 current caseload assignment" in html  # Fay supports Ana
        world.grant.refresh_from_db()
        assert world.grant.revoked_at is None
        response = client.post(url, follow=True)
        assert "The grant is revoked." in response.content.decode()
        world.grant.refresh_from_db()
        assert world.grant.revoked_at is not None and world.grant.revoked_by == world.district_admin
        assert AuditEntry.objects.get(action="grant.revoke").actor == world.district_admin
        # The facilitator's access to the teacher ends with it.
        assert world.teacher.pk not in set(coached_teachers(world.facilitator).values_list("teacher_id", flat=True))

    def test_revoking_twice_is_a_message(self, world, client_for):
        client = client_for(world.district_admin)
        url = reverse("orgs:grant-revoke", args=[world.grant.pk])
        client.post(url)
        assert "already revoked" in client.get(url).content.decode()
        response = client.post(url)
        assert response.status_code == 400
        assert "This grant is already revoked." in response.content.decode()
        assert AuditEntry.objects.filter(action="grant.revoke").count() == 1

    def test_others_cannot_revoke(self, world, client_for):
        url = reverse("orgs:grant-revoke", args=[world.grant.pk])
        assert client_for(world.other_admin).post(url).status_code == 404
        assert client_for(world.sc_admin).post(url).status_code == 403
        assert client_for(world.facilitator).post(url).status_code == 403
        assert client_for(world.district_admin).get("/district/service-centers/abc/revoke/").status_code == 404
        world.grant.refresh_from_db()
        assert world.grant.revoked_at is None
