"""The audit log page: what a district admin reads there, and what it never shows."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.audit.services import audit_read, audit_record
from trellis.coaching.services import note_create
from trellis.orgs import services
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def log(client, **params):
    response = client.get(reverse("audit:log"), params)
    assert response.status_code == 200
    return response


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=CHICAGO)


class TestWhatTheAdminSees:
    def test_changes_are_listed_newest_first_and_readably(self, world, client_for):
        admin = world.district_admin
        campus = services.campus_create(actor=admin, district=world.district, name="Pine Elementary")
        services.organization_update(actor=admin, organization=campus, name="Pine Primary")
        services.membership_create(actor=admin, person=world.teacher, organization=world.campus2, role=Role.TEACHER)
        response = log(client_for(admin))
        actions = [row["entry"].action for row in response.context["rows"]]
        assert actions == ["membership.create", "campus.update", "campus.create"]
        html = response.content.decode()
        assert "Dana Admin" in html
        assert "Added a campus" in html and "Changed a campus" in html and "Gave a role" in html
        update = response.context["rows"][1]
        assert [(c["label"], c["old"], c["new"]) for c in update["changes"]] == [
            ("Name", "Pine Elementary", "Pine Primary")
        ]
        membership = {c["label"]: c["new"] for c in response.context["rows"][0]["changes"]}
        assert membership["Person"] == "Ana Teacher"
        assert membership["Where"] == "Oak Middle School"
        assert membership["Role"] == "Teacher"
        assert reverse("orgs:campus-detail", args=[campus.pk]) in html
        assert update["type"] == "Campus"

    def test_only_own_district(self, world, client_for):
        services.campus_create(actor=world.other_admin, district=world.district_b, name="Willow Annex")
        services.campus_create(actor=world.district_admin, district=world.district, name="Cedar Annex")
        html = log(client_for(world.district_admin)).content.decode()
        assert "Cedar Annex" in html and "Willow Annex" not in html
        html = log(client_for(world.other_admin)).content.decode()
        assert "Willow Annex" in html and "Cedar Annex" not in html

    def test_reads_of_coaching_records_are_marked_viewed_without_their_content(self, world, client_for):
        note = note_create(
            actor=world.coach, teacher=world.teacher, title="Secret title", body="Secret body", next_steps="Hush"
        )
        audit_read(actor=world.coach, obj=note)
        response = log(client_for(world.district_admin))
        html = response.content.decode()
        assert "Recorded a coaching note" in html and "Opened" in html and ">viewed<" in html
        assert "Cora Coach" in html
        for secret in ("Secret title", "Secret body", "Hush"):
            assert secret not in html
        created = next(r for r in response.context["rows"] if r["entry"].action == "coaching_note.create")
        assert created["values_hidden"] and "Notes" in [c["label"] for c in created["changes"]]
        assert "content stays between coach and teacher" in html

    def test_coaching_content_logged_before_the_firewall_rule_stays_hidden(self, world, client_for):
        # Entries written with the record's text (older format, or another writer) must not leak it either.
        AuditEntry.objects.create(
            actor=world.coach,
            district=world.district,
            action="coaching_note.update",
            object_type="coaching.coachingnote",
            object_id="7",
            object_repr="Old secret title",
            before={"body": "old secret body"},
            after={"body": "new secret body"},
        )
        response = log(client_for(world.district_admin))
        html = response.content.decode()
        for secret in ("Old secret title", "old secret body", "new secret body"):
            assert secret not in html
        row = response.context["rows"][0]
        assert row["object"] == "#7" and [c["label"] for c in row["changes"]] == ["Notes"]

    def test_script_in_logged_values_is_escaped(self, world, client_for):
        services.campus_create(actor=world.district_admin, district=world.district, name="<script>alert(1)</script>")
        html = log(client_for(world.district_admin)).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_system_entries_and_unknown_actions_still_show(self, world, client_for):
        audit_record(actor=None, action="roster.import", obj=world.campus, after={"rows": 12})
        row = log(client_for(world.district_admin)).context["rows"][0]
        assert row["actor"] == "System" and row["action"] == "Roster: import"
        assert [(c["label"], c["new"]) for c in row["changes"]] == [("rows", "12")]

    def test_empty_log_says_what_will_appear(self, world, client_for):
        html = log(client_for(world.district_admin)).content.decode()
        assert "Nothing has been recorded for your district yet" in html

    def test_times_are_shown_in_the_district_time_zone(self, world, client_for):
        with time_machine.travel(datetime.datetime(2025, 3, 4, 23, 30, tzinfo=datetime.UTC), tick=False):
            services.campus_create(actor=world.district_admin, district=world.district, name="Late Campus")
        world.district.timezone = "Asia/Tokyo"
        world.district.save()
        html = log(client_for(world.district_admin)).content.decode()
        assert "Mar 5, 2025 08:30" in html and "Times are in Asia/Tokyo" in html


class TestFilters:
    @pytest.fixture
    def history(self, world):
        with time_machine.travel(at(2025, 1, 10), tick=False):
            services.campus_create(actor=world.district_admin, district=world.district, name="January Campus")
        with time_machine.travel(at(2025, 2, 10, hour=23), tick=False):
            services.person_update(actor=world.district_admin, person=world.teacher, preferred_name="Annie")
        # Coaching happens today: the personas' caseloads start a month ago.
        note = note_create(actor=world.coach, teacher=world.teacher, title="t", body="b")
        audit_read(actor=world.coach, obj=note)

    def actions(self, client, **params):
        return [row["entry"].action for row in log(client, **params).context["rows"]]

    def test_by_person(self, world, client_for, history):
        client = client_for(world.district_admin)
        form = log(client).context["form"]
        assert set(form.fields["person"].queryset) == {world.district_admin, world.coach}
        assert self.actions(client, person=world.coach.pk) == ["read", "coaching_note.create"]
        assert self.actions(client, person=world.district_admin.pk) == ["person.update", "campus.create"]

    def test_by_dates_in_the_district_calendar(self, world, client_for, history):
        client = client_for(world.district_admin)
        assert self.actions(client, date_from="2025-02-10", date_to="2025-02-10") == ["person.update"]
        assert self.actions(client, date_from="2025-02-11") == ["read", "coaching_note.create"]
        assert self.actions(client, date_to="2025-01-31") == ["campus.create"]

    def test_by_kind(self, world, client_for, history):
        client = client_for(world.district_admin)
        assert self.actions(client, kind="views") == ["read"]
        assert "read" not in self.actions(client, kind="changes")

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            ({"date_from": "2025-03-01", "date_to": "2025-02-01"}, "date_to", "must be on or after the “From” date"),
            ({"date_from": "2025-13-45"}, "date_from", "Enter a date as YYYY-MM-DD."),
            ({"date_to": "yesterday"}, "date_to", "Enter a date as YYYY-MM-DD."),
            ({"person": "abc"}, "person", "Choose a person from the list."),
            ({"kind": "everything"}, "kind", "Choose what to show from the list."),
        ],
    )
    def test_bad_filters_are_messages(self, world, client_for, history, params, field, message):
        response = log(client_for(world.district_admin), **params)
        assert message in " ".join(response.context["form"].errors[field])
        assert message.replace("“", "&ldquo;") in response.content.decode() or message in response.content.decode()

    def test_person_of_another_district_is_not_a_choice(self, world, client_for, history):
        services.campus_create(actor=world.other_admin, district=world.district_b, name="B Campus")
        response = log(client_for(world.district_admin), person=world.other_admin.pk)
        assert "Choose a person from the list." in response.content.decode()

    def test_no_match(self, world, client_for, history):
        html = log(client_for(world.district_admin), date_from="2030-01-01").content.decode()
        assert "No entry matches these filters" in html


class TestPagingAndCost:
    def make_entries(self, world, n):
        for i in range(n):
            services.campus_create(actor=world.district_admin, district=world.district, name=f"Campus {i}-{n}")
            services.membership_create(
                actor=world.district_admin,
                person=world.coach,
                organization=world.district,
                role=Role.COACH,
                valid_from=datetime.date(2020, 1, 1) + datetime.timedelta(days=i * 10 + n * 1000),
                valid_to=datetime.date(2020, 1, 1) + datetime.timedelta(days=i * 10 + n * 1000 + 1),
            )

    def test_fifty_per_page(self, world, client_for):
        self.make_entries(world, 30)
        client = client_for(world.district_admin)
        first = log(client, page="abc")
        assert first.context["page_obj"].number == 1 and len(first.context["rows"]) == 50
        last = log(client, page="9999")
        assert last.context["page_obj"].number == 2 and len(last.context["rows"]) == 10
        assert "Page 2 of 2" in last.content.decode()

    def test_query_count_does_not_grow(self, world, client_for, django_assert_max_num_queries):
        client = client_for(world.district_admin)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                log(client)
            return len(ctx.captured_queries)

        self.make_entries(world, 2)
        few = count()
        self.make_entries(world, 23)
        many = count()
        assert few == many
        with django_assert_max_num_queries(14):
            log(client)


class TestReadOnly:
    def test_no_way_to_change_entries(self, world, client_for):
        services.campus_create(actor=world.district_admin, district=world.district, name="Kept")
        client = client_for(world.district_admin)
        for method in (client.post, client.put, client.delete):
            assert method(reverse("audit:log")).status_code == 405
        assert AuditEntry.objects.count() == 1
        html = log(client).content.decode()
        assert '<form method="post"' not in html.split('id="main"')[1]

    def test_other_roles_are_refused(self, world, client_for):
        for person in (world.teacher, world.coach, world.campus_leader, world.facilitator, world.sc_admin):
            assert client_for(person).get(reverse("audit:log")).status_code == 403
        assert client_for(None).get(reverse("audit:log")).status_code == 302
