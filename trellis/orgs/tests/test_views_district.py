"""District settings, and which district an admin is working on."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.orgs.factories import CampusFactory, DistrictFactory, MembershipFactory
from trellis.orgs.models import Role
from trellis.orgs.roles import forget_roles
from trellis.orgs.views import current_district
from trellis.orgs.views.common import SESSION_KEY

pytestmark = pytest.mark.django_db

URL = "orgs:district-settings"


class TestDistrictSettings:
    def test_form_shows_current_settings(self, world, client_for):
        response = client_for(world.district_admin).get(reverse(URL))
        html = response.content.decode()
        assert 'value="Cedar Valley ISD"' in html
        assert '<option value="America/Chicago" selected>' in html
        assert "Require two-factor authentication for administrators" in html

    def test_saves_name_and_time_zone_and_audits(self, world, client_for):
        client = client_for(world.district_admin)
        response = client.post(reverse(URL), {"name": "Cedar Valley Schools", "timezone": "America/Denver"})
        assert response.status_code == 302 and response["Location"] == reverse(URL)
        world.district.refresh_from_db()
        assert world.district.name == "Cedar Valley Schools"
        assert world.district.timezone == "America/Denver"
        assert not world.district.require_admin_mfa
        entry = AuditEntry.objects.get(action="district.update")
        assert entry.actor == world.district_admin and entry.district == world.district
        assert entry.after == {"name": "Cedar Valley Schools", "timezone": "America/Denver"}
        assert "The district settings are saved." in client.get(reverse(URL)).content.decode()

    def test_turning_on_two_factor_sends_the_admin_to_set_it_up(self, world, client_for):
        client = client_for(world.district_admin)
        client.post(
            reverse(URL), {"name": "Cedar Valley ISD", "timezone": "America/Chicago", "require_admin_mfa": "on"}
        )
        world.district.refresh_from_db()
        assert world.district.require_admin_mfa
        assert AuditEntry.objects.get(action="district.update").after == {"require_admin_mfa": True}
        response = client.get(reverse("orgs:campus-list"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"name": "", "timezone": "UTC"}, "name", "This field is required."),
            ({"name": "   ", "timezone": "UTC"}, "name", "This field is required."),
            ({"name": "X", "timezone": "Not/AZone"}, "timezone", "Choose a time zone from the list"),
            ({"name": "X" * 201, "timezone": "UTC"}, "name", "at most 200 characters"),
        ],
    )
    def test_bad_input_names_the_field_and_stores_nothing(self, world, client_for, data, field, message):
        response = client_for(world.district_admin).post(reverse(URL), data)
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        world.district.refresh_from_db()
        assert world.district.name == "Cedar Valley ISD" and world.district.timezone == "America/Chicago"
        assert not AuditEntry.objects.exists()

    def test_script_in_name_is_escaped(self, world, client_for):
        client = client_for(world.district_admin)
        client.post(reverse(URL), {"name": "<script>alert('x')</script>", "timezone": "UTC"})
        html = client.get(reverse(URL)).content.decode()
        assert "<script>alert(" not in html
        assert "&lt;script&gt;" in html

    def test_other_admin_edits_their_own_district(self, world, client_for):
        client_for(world.other_admin).post(reverse(URL), {"name": "Willow Creek Unified", "timezone": "UTC"})
        world.district.refresh_from_db()
        world.district_b.refresh_from_db()
        assert world.district.name == "Cedar Valley ISD"
        assert world.district_b.name == "Willow Creek Unified"

    def test_non_admins_are_refused(self, world, client_for):
        for person in (world.teacher, world.coach, world.campus_leader, world.facilitator, world.sc_admin):
            response = client_for(person).post(reverse(URL), {"name": "Hijacked", "timezone": "UTC"})
            assert response.status_code == 403
        world.district.refresh_from_db()
        assert world.district.name == "Cedar Valley ISD"
        assert client_for(None).get(reverse(URL)).status_code == 302


class TestCurrentDistrict:
    def _request(self, user, session=None, **params):
        request = RequestFactory().get("/", params)
        request.user = user
        request.session = session if session is not None else {}
        return request

    def test_single_district_admin(self, world):
        assert current_district(self._request(world.district_admin)) == world.district
        assert current_district(self._request(world.other_admin)) == world.district_b

    def test_non_admin_is_refused(self, world):
        with pytest.raises(PermissionDenied):
            current_district(self._request(world.teacher))

    def test_switching_is_remembered_and_limited_to_own_districts(self, world):
        third = DistrictFactory(name="Aspen District")
        MembershipFactory(person=world.district_admin, organization=third, role=Role.DISTRICT_ADMIN)
        forget_roles(world.district_admin)
        session = {}
        # Alphabetical first by default.
        assert current_district(self._request(world.district_admin, session)) == third
        assert current_district(self._request(world.district_admin, session, district=world.district.pk)) == (
            world.district
        )
        assert session[SESSION_KEY] == world.district.pk
        assert current_district(self._request(world.district_admin, session)) == world.district
        # Someone else's district or nonsense is ignored, and the remembered choice stays.
        for bad in (world.district_b.pk, "abc", ""):
            assert current_district(self._request(world.district_admin, session, district=bad)) == world.district

    def test_switcher_appears_for_admins_of_several_districts(self, world, client_for):
        html = client_for(world.district_admin).get(reverse("orgs:campus-list")).content.decode()
        assert "Switch district" not in html
        third = DistrictFactory(name="Aspen District")
        CampusFactory(parent=third, name="Aspen Campus")
        MembershipFactory(person=world.district_admin, organization=third, role=Role.DISTRICT_ADMIN)
        client = client_for(world.district_admin)
        html = client.get(reverse("orgs:campus-list"), {"district": third.pk}).content.decode()
        assert "Switch district" in html
        assert "Aspen Campus" in html and "Maple Elementary" not in html
        # The choice holds on the next page, and objects of the other district are not shown under it.
        html = client.get(reverse("orgs:campus-list")).content.decode()
        assert "Aspen Campus" in html
        assert client.get(reverse("orgs:campus-detail", args=[world.campus.pk])).status_code == 404
        client.get(reverse("orgs:campus-list"), {"district": world.district.pk})
        assert client.get(reverse("orgs:campus-detail", args=[world.campus.pk])).status_code == 200
