"""The district and campus pages of professional learning, and the learning panel of the home page.

Approvals (approve, decline with a reason), enrolling a campus team, the district's people's
registrations, a person's transcript, the credit rule; what each persona sees and what gets
stored; other districts' rows are 404; the query budget of the lists.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.tests.authz_participant import attended, survey_for
from trellis.learning.tests.conftest import make_session, make_teachers
from trellis.observations.models import Notice

pytestmark = pytest.mark.django_db

S = m.RegistrationStatus


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def query_count(client, url) -> int:
    client.get(url)  # the first request of a session does one-off work
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def approval(world):
    """Both districts approve their people's registrations."""
    s.policy_update(actor=world.district_admin, organization=world.district, approval_required=True)
    s.policy_update(actor=world.other_admin, organization=world.district_b, approval_required=True)


# Approvals --------------------------------------------------------------------------------------


class TestApprovals:
    def test_an_admin_sees_their_districts_pending_registrations_only(self, world, client_for, approval, session):
        mine = s.registration_create(actor=world.teacher, session=session)
        s.registration_create(actor=world.teacher_b, session=session)
        html = page(client_for(world.district_admin), reverse("learning:approvals"))
        assert "Ana Teacher" in html and "Bea Teacher" not in html
        assert reverse("learning:registration-approve", args=[mine.pk]) in html
        assert reverse("learning:registration-decline", args=[mine.pk]) in html
        assert "3 left" in html

    def test_approve_gives_a_seat_or_a_place_in_line(self, world, client_for, approval, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        client = client_for(world.district_admin)
        response = client.post(reverse("learning:registration-approve", args=[registration.pk]), follow=True)
        assert "Approved: Ana Teacher has a seat in Read-alouds that build talk." in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == S.CONFIRMED and registration.decided_by == world.district_admin
        # A full session: approving puts them on the waiting list, and the page says so beforehand.
        for person in make_teachers(world.campus, 3):
            s.registration_create(actor=None, session=session, participant=person)
        late = s.registration_create(actor=world.teacher_other_campus, session=session)
        assert "Full: approving adds to the waiting list" in page(client, reverse("learning:approvals"))
        response = client.post(reverse("learning:registration-approve", args=[late.pk]), follow=True)
        assert "is full, so Omar Teacher is on the waiting list" in response.content.decode()
        late.refresh_from_db()
        assert late.status == S.WAITLISTED

    def test_sessions_that_have_started_are_not_listed(self, world, client_for, approval, session):
        s.registration_create(actor=world.teacher, session=session)
        with time_machine.travel(session.starts_at + datetime.timedelta(minutes=5), tick=False):
            html = page(client_for(world.district_admin), reverse("learning:approvals"))
        assert "Ana Teacher" not in html and "Nothing waits for your approval." in html

    def test_approving_twice_says_why_not(self, world, client_for, approval, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        client = client_for(world.district_admin)
        client.post(reverse("learning:registration-approve", args=[registration.pk]))
        response = client.post(reverse("learning:registration-approve", args=[registration.pk]), follow=True)
        assert "Only a registration waiting for approval can be approved" in response.content.decode()

    def test_decline_asks_for_a_reason_and_tells_the_participant(self, world, client_for, approval, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        client = client_for(world.district_admin)
        url = reverse("learning:registration-decline", args=[registration.pk])
        assert "Decline Ana Teacher's registration?" in page(client, url)
        response = client.post(url, {"reason": "  "})
        assert response.status_code == 200 and "Tell the participant why" in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == S.PENDING
        response = client.post(url, {"reason": "We cover this in our own induction."}, follow=True)
        assert "Not approved: Ana Teacher is told why by email." in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == S.DECLINED and registration.reason == "We cover this in our own induction."
        assert Notice.objects.filter(recipient=world.teacher, text__contains="was not approved").exists()
        # The participant sees the reason on the session's page.
        html = page(client_for(world.teacher), reverse("learning:session", args=[session.pk]))
        assert "We cover this in our own induction." in html

    def test_other_districts_registrations_are_not_found(self, world, client_for, approval, session):
        theirs = s.registration_create(actor=world.teacher_b, session=session)
        client = client_for(world.district_admin)
        assert client.post(reverse("learning:registration-approve", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("learning:registration-decline", args=[theirs.pk])).status_code == 404
        assert (
            client.post(reverse("learning:registration-decline", args=[theirs.pk]), {"reason": "x"}).status_code == 404
        )
        theirs.refresh_from_db()
        assert theirs.status == S.PENDING

    def test_only_district_admins(self, world, client_for, approval, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        assert client_for(world.campus_leader).get(reverse("learning:approvals")).status_code == 403
        assert client_for(world.sc_admin).get(reverse("learning:approvals")).status_code == 403
        url = reverse("learning:registration-approve", args=[registration.pk])
        assert client_for(world.teacher).post(url).status_code == 403
        assert client_for(world.sc_admin).post(url).status_code == 403
        registration.refresh_from_db()
        assert registration.status == S.PENDING

    def test_empty_state(self, world, client_for):
        assert "Nothing waits for your approval." in page(
            client_for(world.district_admin), reverse("learning:approvals")
        )

    def test_query_count_is_fixed(self, world, client_for, approval, sc_cohort, session):
        s.registration_create(actor=world.teacher, session=session)
        client = client_for(world.district_admin)
        one = query_count(client, reverse("learning:approvals"))
        for person in make_teachers(world.campus, 6):
            s.registration_create(actor=person, session=make_session(sc_cohort, world.sc_admin, capacity=2))
        many = query_count(client, reverse("learning:approvals"))
        assert one == many == APPROVALS_QUERIES, (one, many)


# 4 for every page a district admin opens (the session, the user, their roles with whether their district requires
# MFA of admins, the unread-notice count), then the count and the page of registrations (seats annotated).
APPROVALS_QUERIES = 6


# Enrolling a campus team ------------------------------------------------------------------------


class TestEnrol:
    def test_a_campus_leader_sees_their_campus_and_who_is_registered(self, world, client_for, session):
        extra = make_teachers(world.campus, 2)
        s.registration_create(actor=world.teacher, session=session)
        html = page(client_for(world.campus_leader), reverse("learning:enrol", args=[session.pk]))
        assert extra[0].display_name in html and "Ana Teacher" in html
        assert "Omar Teacher" not in html  # campus A2
        assert "Already: Confirmed" in html
        assert f'value="{world.teacher.pk}"' not in html  # registered people cannot be ticked again
        assert f'value="{extra[0].pk}"' in html

    def test_a_district_admin_sees_the_district(self, world, client_for, session):
        html = page(client_for(world.district_admin), reverse("learning:enrol", args=[session.pk]))
        assert "Ana Teacher" in html and "Omar Teacher" in html and "Bea Teacher" not in html

    def test_enrol_a_team_with_a_summary(self, world, client_for, session):
        team = make_teachers(world.campus, 4)
        client = client_for(world.campus_leader)
        url = reverse("learning:enrol", args=[session.pk])
        response = client.post(url, {"people": [p.pk for p in team]}, follow=True)
        html = response.content.decode()
        assert "Registered 4 people: 3 have a seat; 1 is on the waiting list." in html
        statuses = sorted(m.Registration.objects.filter(participant__in=team).values_list("status", flat=True))
        assert statuses == [S.CONFIRMED] * 3 + [S.WAITLISTED]
        assert all(r.registered_by == world.campus_leader for r in m.Registration.objects.all())
        assert Notice.objects.filter(recipient=team[0], text__contains="registered you").exists()

    def test_people_outside_ones_campus_are_refused(self, world, client_for, session):
        response = client_for(world.campus_leader).post(
            reverse("learning:enrol", args=[session.pk]), {"people": [world.teacher_other_campus.pk]}
        )
        assert response.status_code == 200 and "Choose people from the list." in response.content.decode()
        response = client_for(world.district_admin).post(
            reverse("learning:enrol", args=[session.pk]), {"people": ["abc"]}
        )
        assert "Choose people from the list." in response.content.decode()
        response = client_for(world.district_admin).post(reverse("learning:enrol", args=[session.pk]), {})
        assert "Choose at least one person." in response.content.decode()
        assert not m.Registration.objects.exists()

    def test_search(self, world, client_for, session):
        html = page(client_for(world.district_admin), reverse("learning:enrol", args=[session.pk]), q="omar")
        assert "Omar Teacher" in html and "Ana Teacher" not in html

    def test_closed_registration(self, world, client_for, sc_cohort):
        past = make_session(sc_cohort, world.sc_admin, days=-1)
        html = page(client_for(world.district_admin), reverse("learning:enrol", args=[past.pk]))
        assert "Registration for this session has closed." in html and "Register the people chosen" not in html

    def test_teachers_and_facilitators_may_not(self, world, client_for, session):
        for person in (world.teacher, world.facilitator, world.sc_admin):
            assert client_for(person).get(reverse("learning:enrol", args=[session.pk])).status_code == 403


# The district's people --------------------------------------------------------------------------


class TestPeopleRegistrations:
    def test_an_admin_sees_their_districts_people_only(self, world, client_for, session):
        mine = s.registration_create(actor=world.teacher, session=session)
        s.registration_create(actor=world.teacher_b, session=session)
        html = page(client_for(world.district_admin), reverse("learning:people-registrations"))
        assert "Ana Teacher" in html and "Bea Teacher" not in html
        assert reverse("learning:transcript", args=[world.teacher.pk]) in html
        assert reverse("learning:registration-cancel", args=[mine.pk]) in html

    def test_a_campus_leader_sees_their_campus(self, world, client_for, session):
        s.registration_create(actor=world.teacher, session=session)
        s.registration_create(actor=world.teacher_other_campus, session=session)
        html = page(client_for(world.campus_leader), reverse("learning:people-registrations"))
        assert "Ana Teacher" in html and "Omar Teacher" not in html
        assert reverse("learning:transcript", args=[world.teacher.pk]) not in html  # transcripts: district admins

    def test_filters(self, world, client_for, session):
        s.registration_create(actor=world.teacher, session=session)
        waiting = make_teachers(world.campus, 4)
        for person in waiting:
            s.registration_create(actor=None, session=session, participant=person)
        attended(world)  # a past session of Ana's
        client = client_for(world.district_admin)
        url = reverse("learning:people-registrations")
        html = page(client, url, status="waitlisted")
        assert waiting[-1].display_name in html and "Ana Teacher" not in html
        html = page(client, url, when="past")
        assert "Ana Teacher" in html and waiting[0].display_name not in html and "180 minutes" in html
        html = page(client, url, q="ana", when="all")
        assert html.count("<strong>Ana Teacher</strong>") == 2
        html = page(client, url, status="nonsense")
        assert "No registration matches these filters." in html

    def test_query_count_is_fixed(self, world, client_for, sc_cohort, session):
        s.registration_create(actor=world.teacher, session=session)
        client = client_for(world.district_admin)
        one = query_count(client, reverse("learning:people-registrations"))
        for person in make_teachers(world.campus, 8):
            s.registration_create(actor=None, session=session, participant=person)
            s.registration_create(actor=None, session=make_session(sc_cohort, world.sc_admin), participant=person)
        many = query_count(client, reverse("learning:people-registrations"))
        assert one == many == PEOPLE_QUERIES, (one, many)


# 4 for every page a district admin opens (see APPROVALS_QUERIES), then the count and the page of registrations.
PEOPLE_QUERIES = 6


class TestPersonTranscript:
    def test_a_district_admin_reads_their_persons_transcript(self, world, client_for):
        attended(world)
        html = page(client_for(world.district_admin), reverse("learning:transcript", args=[world.teacher.pk]))
        assert "Transcript of Ana Teacher" in html and "Read-alouds that build talk" in html and "180" in html

    def test_not_another_districts_person(self, world, client_for):
        client = client_for(world.district_admin)
        assert client.get(reverse("learning:transcript", args=[world.teacher_b.pk])).status_code == 404
        assert (
            client_for(world.other_admin).get(reverse("learning:transcript", args=[world.teacher.pk])).status_code
            == 404
        )
        assert (
            client_for(world.campus_leader).get(reverse("learning:transcript", args=[world.teacher.pk])).status_code
            == 404
        )


# The credit rule --------------------------------------------------------------------------------


class TestPolicy:
    def test_shows_the_rule_with_examples(self, world, client_for):
        html = page(client_for(world.district_admin), reverse("learning:policy"))
        assert "Cedar Valley ISD" in html
        assert "90 minutes = <strong>1.50 clock hours</strong>" in html
        assert "375 minutes = <strong>6.25 clock hours</strong>" in html
        assert "Trellis's defaults apply until you save" in html

    def test_save_the_rule(self, world, client_for):
        client = client_for(world.district_admin)
        data = {
            "approval_required": "on",
            "minutes_per_hour": "50",
            "hour_step": "0.50",
            "rounding": "nearest",
            "ceu_enabled": "on",
            "credit_label": "PD hours",
            "sponsor_number": "",
        }
        response = client.post(reverse("learning:policy"), data, follow=True)
        html = response.content.decode()
        assert "The professional-learning policy is saved." in html
        policy = m.LearningPolicy.objects.get(organization=world.district)
        assert policy.approval_required and policy.minutes_per_hour == 50 and policy.hour_step == Decimal("0.50")
        assert policy.credit_label == "PD hours" and policy.updated_by == world.district_admin
        # 90 / 50 = 1.8 hours, to the nearest half: 2.00; 375 / 50 = 7.5; CEUs 0.2 and 0.8.
        assert "90 minutes = <strong>2.00 PD hours</strong> · <strong>0.2 CEUs</strong>" in html
        assert "375 minutes = <strong>7.50 PD hours</strong> · <strong>0.8 CEUs</strong>" in html
        assert AuditEntry.objects.filter(action="learning.policy.update").exists()

    def test_bad_values_are_named(self, world, client_for):
        response = client_for(world.district_admin).post(
            reverse("learning:policy"), {"minutes_per_hour": "10", "hour_step": "0.3", "rounding": "up"}
        )
        html = response.content.decode()
        assert "Use at least 30 minutes per hour." in html
        assert "Select a valid choice." in html
        assert not m.LearningPolicy.objects.exists()

    def test_a_service_center_sets_its_provider_number(self, world, client_for):
        client = client_for(world.sc_admin)
        html = page(client, reverse("learning:policy"))
        assert "Prairie Regional Service Center" in html
        assert 'name="sponsor_number"' in html and 'name="minutes_per_hour"' not in html
        client.post(reverse("learning:policy"), {"sponsor_number": "CPE-500217"})
        assert m.LearningPolicy.objects.get(organization=world.service_center).sponsor_number == "CPE-500217"

    def test_only_ones_own_organization(self, world, client_for):
        client = client_for(world.district_admin)
        assert client.get(reverse("learning:policy"), {"org": world.district.pk}).status_code == 200
        for org in (world.district_b.pk, world.service_center.pk, "abc", 999999):
            assert client.get(reverse("learning:policy"), {"org": org}).status_code == 404, org
        assert client.post(reverse("learning:policy") + f"?org={world.district_b.pk}", {}).status_code == 404
        for person in (world.teacher, world.campus_leader, world.facilitator):
            assert client_for(person).get(reverse("learning:policy")).status_code == 403
        assert not m.LearningPolicy.objects.exists()


# The home page and the navigation ---------------------------------------------------------------


class TestHome:
    def test_a_teacher_sees_their_next_sessions_and_surveys(self, world, client_for, session):
        s.registration_create(actor=world.teacher, session=session)
        survey = survey_for(attended(world).session)
        html = page(client_for(world.teacher), reverse("home"))
        assert "Professional learning" in html and "Read-alouds that build talk" in html
        assert reverse("learning:survey", args=[survey.pk]) in html
        assert reverse("learning:program-list") not in html

    def test_a_facilitator_sees_the_sessions_they_run(self, world, client_for, session):
        html = page(client_for(world.facilitator), reverse("home"))
        assert "Sessions I run" in html and reverse("learning:session-manage", args=[session.pk]) in html
        other = page(client_for(world.facilitator_no_grant), reverse("home"))
        assert reverse("learning:session-manage", args=[session.pk]) not in other

    def test_managers_get_the_programs_and_district_admins_the_approvals(self, world, client_for, approval, session):
        s.registration_create(actor=world.teacher, session=session)
        html = page(client_for(world.district_admin), reverse("home"))
        assert reverse("learning:program-list") in html
        assert "1 registration waits for your approval" in html
        html = page(client_for(world.sc_admin), reverse("home"))
        assert reverse("learning:program-list") in html and "waits for your approval" not in html

    @pytest.mark.parametrize(
        ("persona", "learning", "programs", "approvals"),
        [
            ("teacher", True, False, False),
            ("campus_leader", True, False, False),
            ("district_admin", True, True, True),
            ("facilitator", True, False, False),
            ("sc_admin", True, True, False),
        ],
    )
    def test_the_navigation(self, world, client_for, persona, learning, programs, approvals):
        html = page(client_for(getattr(world, persona)), reverse("home"))
        nav = html[html.index('id="site-nav"') : html.index("</nav>", html.index('id="site-nav"'))]
        assert (f'href="{reverse("learning:catalogue")}"' in nav) == learning
        assert (f'href="{reverse("learning:program-list")}"' in nav) == programs
        assert (f'href="{reverse("learning:approvals")}"' in nav) == approvals

    def test_the_right_nav_entry_is_current(self, world, client_for):
        client = client_for(world.district_admin)
        html = page(client, reverse("learning:approvals"))
        assert f'href="{reverse("learning:approvals")}" aria-current="page"' in html
        html = page(client, reverse("learning:catalogue"))
        assert f'href="{reverse("learning:catalogue")}" aria-current="page"' in html


def test_one_year_of_sessions_keeps_the_home_page_bounded(world, client_for, sc_cohort):
    """The panel shows three rows whatever the number of registrations."""
    for day in range(1, 12):
        session = make_session(sc_cohort, world.sc_admin, days=day, title=f"Day {day}")
        s.registration_create(actor=world.teacher, session=session)
    html = page(client_for(world.teacher), reverse("home"))
    assert "Day 1<" in html and "Day 3<" in html and "Day 4<" not in html
