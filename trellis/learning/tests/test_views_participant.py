"""The participant pages of professional learning: what each persona sees and what gets stored.

The catalogue, a session's page (registering, the waiting list, approval, cancelling before the
deadline, the calendar file, the series), my learning, the transcript, check-in on a phone by
code or QR link, the survey, commitments, certificates; bad input; and the query budget of the
pages (the same number of queries for one row as for many).
"""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.tests.authz_participant import (
    attended,
    certificate,
    shared_commitment,
    survey_answers,
    survey_for,
)
from trellis.learning.tests.conftest import make_program, make_session, make_teachers
from trellis.observations.models import Notice

pytestmark = pytest.mark.django_db

S = m.RegistrationStatus


def page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def text(html: str) -> str:
    """The page's text with tags removed and spaces collapsed (for phrases split by markup)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def query_count(client, url) -> int:
    client.get(url)  # the first request of a session does one-off work
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def fill(session, n: int, campus) -> list:
    """Give ``n`` new teachers of ``campus`` seats (or waiting places) in ``session``."""
    people = make_teachers(campus, n)
    for person in people:
        s.registration_create(actor=None, session=session, participant=person)
    return people


# The catalogue ----------------------------------------------------------------------------------


class TestCatalogue:
    def test_a_teacher_sees_the_upcoming_sessions_open_to_them(self, world, client_for, session):
        html = page(client_for(world.teacher), reverse("learning:catalogue"))
        assert "Read-alouds that build talk" in html
        assert "Year-long literacy cohort" in html and "Cohort 1 (fall)" in html
        assert "Prairie RSC, Room 4" in html
        assert "9:00 AM – 12:00 PM" in html and 'title="America/Chicago"' in html
        assert "3 seats left" in html
        assert reverse("learning:session", args=[session.pk]) in html

    def test_full_sessions_offer_the_waiting_list_and_show_my_status(self, world, client_for, session):
        fill(session, 3, world.campus)
        html = page(client_for(world.teacher), reverse("learning:catalogue"))
        assert "Full — join the waiting list" in html
        s.registration_create(actor=world.teacher, session=session)
        html = page(client_for(world.teacher), reverse("learning:catalogue"))
        assert "You: On the waiting list" in text(html)

    def test_district_approval_and_online_sessions_are_said(self, world, client_for, sc_cohort):
        webinar = make_session(
            sc_cohort, world.sc_admin, location="", online_url="https://meet.example.net/x", title="Webinar"
        )
        s.policy_update(actor=world.district_admin, organization=world.district, approval_required=True)
        html = text(page(client_for(world.teacher), reverse("learning:catalogue")))
        assert "Online" in html and "District approval needed" in html
        assert "Your district approves each registration" in html
        html = page(client_for(world.teacher), reverse("learning:session", args=[webinar.pk]))
        assert "District approval needed" in html
        assert "https://meet.example.net/x" not in html  # the link is for people with a seat
        s.registration_create(actor=None, session=webinar, participant=world.teacher)
        html = page(client_for(world.teacher), reverse("learning:session", args=[webinar.pk]))
        assert "https://meet.example.net/x" in html

    def test_past_draft_and_other_districts_sessions_are_not_listed(self, world, client_for, sc_cohort, session):
        make_session(sc_cohort, world.sc_admin, days=-3, title="Held last week")
        draft = make_program(world.service_center, world.sc_admin, publish=False, title="Draft program")
        draft_cohort = s.cohort_create(actor=world.sc_admin, program=draft, name="Draft cohort")
        make_session(draft_cohort, world.sc_admin, title="Not published yet")
        theirs = make_program(world.district_b, world.other_admin, title="Willow induction")
        their_cohort = s.cohort_create(actor=world.other_admin, program=theirs, name="Willow cohort")
        make_session(their_cohort, world.other_admin, title="Willow Creek only")
        html = page(client_for(world.teacher), reverse("learning:catalogue"))
        assert "Read-alouds that build talk" in html
        for title in ("Held last week", "Not published yet", "Willow Creek only"):
            assert title not in html
        # District B's teacher sees its own program and the service center's, not district A's.
        html_b = page(client_for(world.teacher_b), reverse("learning:catalogue"))
        assert "Willow Creek only" in html_b and "Read-alouds that build talk" in html_b

    def test_filters_by_program_and_month(self, world, client_for, sc_cohort, session):
        other = make_program(world.service_center, world.sc_admin, title="Math routines")
        other_cohort = s.cohort_create(actor=world.sc_admin, program=other, name="Math cohort")
        make_session(other_cohort, world.sc_admin, days=70, title="Number talks")
        client = client_for(world.teacher)
        html = page(client, reverse("learning:catalogue"), program=other.pk)
        assert "Number talks" in html and "Read-alouds that build talk" not in html
        month = timezone.localtime(session.starts_at).strftime("%Y-%m")
        html = page(client, reverse("learning:catalogue"), month=month)
        assert "Read-alouds that build talk" in html and "Number talks" not in html

    def test_bad_filters_show_no_sessions_and_no_error(self, world, client_for, session):
        client = client_for(world.teacher)
        html = page(client, reverse("learning:catalogue"), program="abc", month="2099-13")
        assert "Read-alouds that build talk" not in html
        assert "No upcoming session matches these filters." in html
        # A program of another district is not a choice: nothing leaks.
        theirs = make_program(world.district_b, world.other_admin, title="Willow induction")
        html = page(client, reverse("learning:catalogue"), program=theirs.pk)
        assert "Willow induction" not in html

    def test_paginates(self, world, client_for, sc_cohort):
        for day in range(1, 15):
            make_session(sc_cohort, world.sc_admin, days=day, title=f"Day {day:02d}")
        client = client_for(world.teacher)
        first = page(client, reverse("learning:catalogue"))
        second = page(client, reverse("learning:catalogue"), page=2)
        assert "Day 01" in first and "Day 13" not in first
        assert "Day 13" in second and "Day 14" in second and "Page 2 of 2" in second

    def test_empty_states(self, world, client_for):
        assert "No sessions are open to you right now." in page(
            client_for(world.teacher), reverse("learning:catalogue")
        )
        html = page(client_for(world.facilitator), reverse("learning:catalogue"))
        assert "Sessions here are for district staff" in html

    def test_query_count_is_fixed(self, world, client_for, sc_cohort, session):
        client = client_for(world.teacher)
        one = query_count(client, reverse("learning:catalogue"))
        for day in range(8, 20):
            extra = make_session(sc_cohort, world.sc_admin, days=day, capacity=2)
            fill(extra, 3, world.campus)
        many = query_count(client, reverse("learning:catalogue"))
        assert one == many == CATALOGUE_QUERIES, (one, many)


# Every signed-in page costs 4: the session, the user, their roles and the unread-notice count in the navigation (the
# session is saved only every few minutes, see RefreshIdleSessionMiddleware). The catalogue adds the programs of the filter, the count, the
# page of sessions (seats and my status annotated) and the person's district's policy.
CATALOGUE_QUERIES = 8


# A session --------------------------------------------------------------------------------------


class TestSessionPage:
    def test_details_agenda_objectives_and_materials(self, world, client_for, session):
        s.session_update(actor=world.sc_admin, session=session, agenda="9:00 Model lesson\n10:30 Planning")
        s.material_add(actor=world.facilitator, session=session, title="Slides", url="https://example.org/slides")
        html = page(client_for(world.teacher), reverse("learning:session", args=[session.pk]))
        assert "Plan two turn-and-talk stops" in html and "Use evidence prompts" in html
        assert "10:30 Planning" in html
        material = session.materials.get()
        assert reverse("learning:material-download", args=[material.pk]) in html
        assert "Register" in html and reverse("learning:register", args=[session.pk]) in html
        assert reverse("learning:session-manage", args=[session.pk]) not in html

    def test_facilitators_and_managers_get_the_manage_link_leaders_the_enrol_link(self, world, client_for, session):
        manage = reverse("learning:session-manage", args=[session.pk])
        enrol = reverse("learning:enrol", args=[session.pk])
        for person in (world.facilitator, world.sc_admin):
            html = page(client_for(person), reverse("learning:session", args=[session.pk]))
            assert manage in html and enrol not in html
            assert "Sessions are for district staff" in html
        for person in (world.campus_leader, world.district_admin):
            html = page(client_for(person), reverse("learning:session", args=[session.pk]))
            assert enrol in html and manage not in html

    def test_register_gives_a_seat_in_plain_words(self, world, client_for, session):
        client = client_for(world.teacher)
        response = client.post(reverse("learning:register", args=[session.pk]), follow=True)
        assert "You have a seat in Read-alouds that build talk." in response.content.decode()
        registration = m.Registration.objects.get(participant=world.teacher)
        assert registration.status == S.CONFIRMED and registration.registered_by == world.teacher
        html = page(client, reverse("learning:session", args=[session.pk]))
        assert reverse("learning:registration-ics", args=[registration.pk]) in html
        assert reverse("learning:registration-cancel", args=[registration.pk]) in html
        assert "You can cancel until" in html

    def test_a_full_session_puts_you_on_the_waiting_list_with_your_place(self, world, client_for, session):
        fill(session, 4, world.campus2)  # three seats, one person already waiting
        client = client_for(world.teacher)
        html = page(client, reverse("learning:session", args=[session.pk]))
        assert "Join the waiting list" in html
        response = client.post(reverse("learning:register", args=[session.pk]), follow=True)
        assert "you are number 2 on the waiting list" in response.content.decode()
        assert m.Registration.objects.get(participant=world.teacher).status == S.WAITLISTED
        assert "You are number 2 on the waiting list." in text(response.content.decode())

    def test_approval_when_the_district_requires_it(self, world, client_for, session):
        s.policy_update(actor=world.district_admin, organization=world.district, approval_required=True)
        response = client_for(world.teacher).post(reverse("learning:register", args=[session.pk]), follow=True)
        html = response.content.decode()
        assert "waits for your district&#x27;s approval" in html
        assert m.Registration.objects.get(participant=world.teacher).status == S.PENDING

    def test_registering_twice_is_refused_with_a_message(self, world, client_for, session):
        client = client_for(world.teacher)
        client.post(reverse("learning:register", args=[session.pk]))
        response = client.post(reverse("learning:register", args=[session.pk]), follow=True)
        assert "is already registered for this session" in response.content.decode()
        assert m.Registration.objects.filter(participant=world.teacher).count() == 1

    def test_closed_registration_and_cancelled_sessions(self, world, client_for, sc_cohort):
        soon = timezone.now() + datetime.timedelta(days=2)
        closed = make_session(sc_cohort, world.sc_admin, registration_closes_at=soon - datetime.timedelta(days=3))
        html = text(page(client_for(world.teacher), reverse("learning:session", args=[closed.pk])))
        assert "Registration closed on" in html
        response = client_for(world.teacher).post(reverse("learning:register", args=[closed.pk]), follow=True)
        assert "Registration for this session closed" in response.content.decode()
        cancelled = make_session(sc_cohort, world.sc_admin)
        s.session_cancel(actor=world.sc_admin, session=cancelled, reason="The room flooded.")
        html = page(client_for(world.teacher), reverse("learning:session", args=[cancelled.pk]))
        assert "This session was cancelled." in html and "The room flooded." in html

    def test_register_for_the_whole_series(self, world, client_for, sc_cohort, session):
        make_session(sc_cohort, world.sc_admin, days=30)
        make_session(sc_cohort, world.sc_admin, days=60)
        client = client_for(world.teacher)
        html = page(client, reverse("learning:session", args=[session.pk]))
        assert "Register for all 3 upcoming sessions of this cohort" in html
        response = client.post(
            reverse("learning:register-series", args=[sc_cohort.pk]), {"session": session.pk}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("learning:session", args=[session.pk])
        assert "You are registered for 3 sessions of Cohort 1 (fall): 3 with a seat." in response.content.decode()
        assert m.Registration.objects.filter(participant=world.teacher, status=S.CONFIRMED).count() == 3

    def test_other_districts_sessions_are_not_found(self, world, client_for):
        theirs = make_program(world.district_b, world.other_admin, title="Willow induction")
        cohort = s.cohort_create(actor=world.other_admin, program=theirs, name="Willow cohort")
        their_session = make_session(cohort, world.other_admin)
        client = client_for(world.teacher)
        assert client.get(reverse("learning:session", args=[their_session.pk])).status_code == 404
        assert client.post(reverse("learning:register", args=[their_session.pk])).status_code == 404
        assert client.post(reverse("learning:register-series", args=[cohort.pk])).status_code == 404
        assert not m.Registration.objects.exists()

    def test_query_count_is_fixed(self, world, client_for, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        s.material_add(actor=world.facilitator, session=session, title="Slides", url="https://example.org/1")
        client = client_for(world.teacher)
        url = reverse("learning:session", args=[session.pk])
        one = query_count(client, url)
        fill(session, 8, world.campus2)
        for n in range(5):
            s.material_add(actor=world.facilitator, session=session, title=f"Handout {n}", url=f"https://e.org/{n}")
        many = query_count(client, url)
        assert one == many == SESSION_QUERIES, (one, many)
        # After the session, with a survey, commitments and a certificate: still a fixed count.
        with time_machine.travel(session.ends_at + datetime.timedelta(hours=1), tick=False):
            client = client_for(world.teacher)
            s.attendance_mark(actor=None, registration=registration)
            survey_for(session)
            s.commitment_create(actor=world.teacher, session=session, text="One")
            after_one = query_count(client, url)
            for n in range(4):
                s.commitment_create(actor=world.teacher, session=session, text=f"More {n}")
            s.certificate_issue(actor=None, cohort=session.cohort, participant=world.teacher)
            after_many = query_count(client, url)
        assert after_one == after_many == SESSION_QUERIES - 1, (after_one, after_many)  # no series once closed


# 4 for every page (see CATALOGUE_QUERIES), then the session (access), its seats, my registration (with my place in
# line), whether it is open to me, its materials, the series; for someone with a seat: the survey, my commitments,
# my certificate.
SESSION_QUERIES = 13


# Cancelling and the calendar file ---------------------------------------------------------------


class TestCancel:
    def test_cancel_asks_first_then_frees_the_seat_for_the_first_waiting(self, world, client_for, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        fill(session, 2, world.campus2)
        waiting = fill(session, 1, world.campus2)[0]
        client = client_for(world.teacher)
        url = reverse("learning:registration-cancel", args=[registration.pk])
        html = page(client, url)
        assert "Cancel your registration?" in html and "Keep it" in html
        registration.refresh_from_db()
        assert registration.status == S.CONFIRMED  # asking is not cancelling
        response = client.post(url, {"reason": "A sub fell through."}, follow=True)
        assert "Your registration for Read-alouds that build talk is cancelled." in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == S.CANCELLED and registration.reason == "A sub fell through."
        assert m.Registration.objects.get(participant=waiting).status == S.CONFIRMED
        assert Notice.objects.filter(recipient=waiting, text__contains="A seat opened").exists()

    def test_cancel_after_the_deadline_is_refused(self, world, client_for, sc_cohort):
        session = make_session(sc_cohort, world.sc_admin, days=7, capacity=3)
        s.session_update(
            actor=world.sc_admin, session=session, cancel_deadline=session.starts_at - datetime.timedelta(days=2)
        )
        registration = s.registration_create(actor=world.teacher, session=session)
        url = reverse("learning:registration-cancel", args=[registration.pk])
        with time_machine.travel(session.starts_at - datetime.timedelta(days=1), tick=False):
            client = client_for(world.teacher)  # signed in on the day (a sign-in does not last a week)
            html = page(client, url)
            assert "The deadline to cancel was" in html and "button-danger" not in html
            session_html = text(page(client, reverse("learning:session", args=[session.pk])))
            assert "The deadline to cancel was" in session_html
            response = client.post(url, follow=True)
            assert "The deadline to cancel was" in response.content.decode()
        registration.refresh_from_db()
        assert registration.status == S.CONFIRMED

    def test_a_district_admin_cancels_for_their_person_after_the_deadline(self, world, client_for, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        with time_machine.travel(session.starts_at - datetime.timedelta(minutes=30), tick=False):
            response = client_for(world.district_admin).post(
                reverse("learning:registration-cancel", args=[registration.pk]), follow=True
            )
        assert response.redirect_chain[-1][0] == reverse("learning:people-registrations")
        assert "Ana Teacher&#x27;s registration for Read-alouds that build talk is cancelled." in (
            response.content.decode()
        )
        registration.refresh_from_db()
        assert registration.status == S.CANCELLED and registration.cancelled_by == world.district_admin

    def test_another_districts_admin_and_the_facilitator_cannot_cancel(self, world, client_for, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        url = reverse("learning:registration-cancel", args=[registration.pk])
        assert client_for(world.other_admin).post(url).status_code == 404
        assert client_for(world.facilitator).post(url).status_code == 403
        registration.refresh_from_db()
        assert registration.status == S.CONFIRMED

    def test_the_calendar_file(self, world, client_for, session):
        registration = s.registration_create(actor=world.teacher, session=session)
        response = client_for(world.teacher).get(reverse("learning:registration-ics", args=[registration.pk]))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        assert "attachment" in response["Content-Disposition"]
        body = response.content.decode()
        assert "BEGIN:VCALENDAR" in body and "Read-alouds that build talk" in body
        assert "METHOD:REQUEST" in body

    def test_no_calendar_file_without_a_seat(self, world, client_for, session):
        fill(session, 3, world.campus2)
        registration = s.registration_create(actor=world.teacher, session=session)
        response = client_for(world.teacher).get(
            reverse("learning:registration-ics", args=[registration.pk]), follow=True
        )
        assert "The calendar invitation comes once you hold a seat." in response.content.decode()


# My learning and the transcript -----------------------------------------------------------------


class TestMyLearning:
    def test_lists_upcoming_past_surveys_commitments_and_certificates(self, world, client_for, session):
        s.registration_create(actor=world.teacher, session=session)
        cert = certificate(world)
        past_session = cert.cohort.sessions.get()
        survey = survey_for(past_session)
        s.commitment_create(actor=world.teacher, session=past_session, text="Try the thumbs check")
        html = page(client_for(world.teacher), reverse("learning:my-learning"))
        assert "Read-alouds that build talk" in html and "Confirmed" in html
        assert reverse("learning:survey", args=[survey.pk]) in html
        assert "Try the thumbs check" in html
        assert reverse("learning:certificate", args=[cert.pk]) in html
        assert "180 minutes" in html
        assert reverse("learning:my-transcript") in html

    def test_shows_only_ones_own(self, world, client_for, session):
        s.registration_create(actor=world.teacher_other_campus, session=session)
        html = page(client_for(world.teacher), reverse("learning:my-learning"))
        assert "Read-alouds that build talk" not in html
        assert "You are not registered for any upcoming session." in html

    def test_query_count_is_fixed(self, world, client_for, sc_cohort, session):
        s.registration_create(actor=world.teacher, session=session)
        certificate(world)
        client = client_for(world.teacher)
        one = query_count(client, reverse("learning:my-learning"))
        for day in range(8, 14):
            s.registration_create(actor=world.teacher, session=make_session(sc_cohort, world.sc_admin, days=day))
        for _n in range(3):
            registration = attended(world)
            survey_for(registration.session)
            s.commitment_create(actor=world.teacher, session=registration.session, text="More")
            s.certificate_issue(actor=None, cohort=registration.session.cohort, participant=world.teacher)
        many = query_count(client, reverse("learning:my-learning"))
        assert one == many == MY_LEARNING_QUERIES, (one, many)


# 4 for every page (see CATALOGUE_QUERIES), then upcoming registrations, the count and page of past ones, surveys to
# answer, commitments, certificates.
MY_LEARNING_QUERIES = 10


class TestTranscript:
    def test_every_session_attended_with_credit_by_the_districts_rule(self, world, client_for):
        s.policy_update(actor=world.district_admin, organization=world.district, ceu_enabled=True, credit_label="CPE")
        attended(world, days=-30)
        attended(world, days=-10)
        html = page(client_for(world.teacher), reverse("learning:my-transcript"))
        assert html.count("Read-alouds that build talk") == 2
        assert "Total, 2 sessions" in html and "360" in html and "6.00" in html and "0.6" in html
        assert "CEUs" in html and "CPE" in html

    def test_date_filter_and_bad_dates(self, world, client_for):
        attended(world, days=-30)
        attended(world, days=-10)
        client = client_for(world.teacher)
        since = (timezone.localdate() - datetime.timedelta(days=15)).isoformat()
        html = page(client, reverse("learning:my-transcript"), since=since)
        assert "Total, 1 session" in html
        html = page(client, reverse("learning:my-transcript"), since="not a date", until="2020-01-01")
        assert "Enter a date" in html and "Total, 2 sessions" in html
        html = page(client, reverse("learning:my-transcript"), since="2030-01-02", until="2030-01-01")
        assert "Choose an end date on or after the start date." in html

    def test_printable(self, world, client_for):
        html = page(client_for(world.teacher), reverse("learning:my-transcript"))
        assert "data-print" in html and "trellis/js/learning.js" in html

    def test_query_count_is_fixed(self, world, client_for):
        attended(world)
        client = client_for(world.teacher)
        one = query_count(client, reverse("learning:my-transcript"))
        for days in range(-40, -10, 5):
            attended(world, days=days)
        many = query_count(client, reverse("learning:my-transcript"))
        assert one == many == TRANSCRIPT_QUERIES, (one, many)


# 4 for every page (see CATALOGUE_QUERIES), then the person (access), their district's policy, the attended
# registrations, their certificates.
TRANSCRIPT_QUERIES = 8


# Check-in on a phone ----------------------------------------------------------------------------


@pytest.fixture
def under_way(world, session):
    """Half an hour before the session: check-in is open and the teacher holds a seat."""
    registration = s.registration_create(actor=world.teacher, session=session)
    with time_machine.travel(session.starts_at - datetime.timedelta(minutes=30), tick=False):
        code = s.session_open_checkin(actor=world.facilitator, session=session).checkin_code
        yield session, registration, code


class TestCheckin:
    def test_the_form_is_made_for_a_phone(self, world, client_for):
        html = page(client_for(world.teacher), reverse("learning:checkin-form"))
        field = re.search(r"<input[^>]*name=\"code\"[^>]*>", html).group(0)
        for attribute in ('autocomplete="one-time-code"', 'inputmode="text"', 'autocapitalize="characters"'):
            assert attribute in field
        assert "Check me in" in html

    def test_check_in_by_code_in_any_case_with_a_dash(self, world, client_for, under_way):
        session, registration, code = under_way
        typed = f"{code[:3].lower()}-{code[3:].lower()}"
        response = client_for(world.teacher).post(reverse("learning:checkin-form"), {"code": typed})
        html = response.content.decode()
        assert response.status_code == 200 and "You are checked in" in html and session.title in html
        registration.refresh_from_db()
        assert registration.checked_in_at is not None and registration.checkin_method == "code"

    def test_checking_in_again_shows_the_first_time(self, world, client_for, under_way):
        session, registration, code = under_way
        client = client_for(world.teacher)
        client.post(reverse("learning:checkin-form"), {"code": code})
        first = m.Registration.objects.get(pk=registration.pk).checked_in_at
        html = client.post(reverse("learning:checkin-form"), {"code": code}).content.decode()
        assert "You are already checked in" in html
        assert timezone.localtime(first, session.zone).strftime("%-I:%M") in html
        assert m.Registration.objects.get(pk=registration.pk).checked_in_at == first

    def test_wrong_codes_say_what_to_do(self, world, client_for, under_way):
        client = client_for(world.teacher)
        html = client.post(reverse("learning:checkin-form"), {"code": "AB"}).content.decode()
        assert "Check the code: it has six letters and digits." in html
        html = client.post(reverse("learning:checkin-form"), {"code": "222222"}).content.decode()
        assert "No session is checking in with this code" in html
        html = client.post(reverse("learning:checkin-form"), {"code": ""}).content.decode()
        assert "Enter the code shown on the facilitator" in html
        assert m.Registration.objects.get(participant=world.teacher).checked_in_at is None

    def test_not_registered_or_waiting_are_told_whom_to_ask(self, world, client_for, under_way):
        session, _registration, code = under_way
        html = client_for(world.teacher_other_campus).post(reverse("learning:checkin-form"), {"code": code})
        assert "You are not registered for this session. Ask the facilitator to add you." in html.content.decode()
        waiting = fill(session, 3, world.campus2)[-1]
        assert m.Registration.objects.get(participant=waiting).status == S.WAITLISTED
        html = client_for(waiting).post(reverse("learning:checkin-form"), {"code": code}).content.decode()
        assert "You are on the waiting list for this session." in html

    def test_the_qr_link_checks_in_with_one_tap(self, world, client_for, under_way):
        session, registration, code = under_way
        client = client_for(world.teacher)
        assert reverse("learning:checkin-form") in page(client, reverse("learning:session", args=[session.pk]))
        url = reverse("learning:checkin", args=[code])
        html = page(client, url)
        assert session.title in html and "Check me in" in html
        registration.refresh_from_db()
        assert registration.checked_in_at is None  # opening the link is not checking in
        assert "You are checked in" in client.post(url).content.decode()
        registration.refresh_from_db()
        assert registration.checked_in_at is not None
        assert "You are already checked in (at" in page(client, url)

    def test_the_qr_link_for_someone_not_registered(self, world, client_for, under_way):
        _session, _registration, code = under_way
        url = reverse("learning:checkin", args=[code])
        html = page(client_for(world.teacher_other_campus), url)
        assert "You are not registered for this session" in html and "Check me in</button>" not in html
        html = client_for(world.teacher_other_campus).post(url).content.decode()
        assert "Ask the facilitator to add you." in html

    def test_a_closed_code(self, world, client_for, under_way):
        session, _registration, code = under_way
        s.session_close_checkin(actor=world.facilitator, session=session)
        html = page(client_for(world.teacher), reverse("learning:checkin", args=[code]))
        assert "No session is checking in with this code right now." in html
        assert reverse("learning:checkin-form") in html


# The survey -------------------------------------------------------------------------------------


@pytest.fixture
def survey(world):
    return survey_for(attended(world).session)


class TestSurvey:
    def test_items_by_kind_with_required_marks(self, world, client_for, survey):
        html = page(client_for(world.teacher), reverse("learning:survey", args=[survey.pk]))
        scale, _second, yes_no = survey.items.order_by("position")
        assert html.count(f'name="item_{scale.pk}"') == 5
        assert html.count(f'name="item_{yes_no.pk}"') == 2
        assert "<legend>" in html and "(required)" in html and "Strongly agree" in html

    def test_missing_answers_are_named_per_item_and_nothing_is_stored(self, world, client_for, survey):
        first = survey.items.order_by("position").first()
        response = client_for(world.teacher).post(
            reverse("learning:survey", args=[survey.pk]), {f"item_{first.pk}": "4"}
        )
        html = response.content.decode()
        assert response.status_code == 200 and html.count("Answer this question.") == 2
        kept = re.search(rf'<input type="radio" name="item_{first.pk}" value="4"[^>]*>', html).group(0)
        assert "checked" in kept  # the answer given is kept
        assert not m.SurveyResponse.objects.exists()

    def test_answer_once_then_thank_you(self, world, client_for, survey):
        client = client_for(world.teacher)
        url = reverse("learning:survey", args=[survey.pk])
        response = client.post(url, survey_answers(survey), follow=True)
        assert "Thank you" in response.content.decode()
        response_row = m.SurveyResponse.objects.get()
        assert response_row.respondent == world.teacher and response_row.answers.count() == 3
        again = client.post(url, survey_answers(survey), follow=True)
        assert "You have already answered this survey." in again.content.decode()
        assert m.SurveyResponse.objects.count() == 1
        assert "Send my answers" not in page(client, url)

    def test_someone_who_did_not_attend(self, world, client_for, survey):
        response = client_for(world.teacher_other_campus).get(reverse("learning:survey", args=[survey.pk]))
        assert response.status_code == 403
        assert "Only people who attended this session answer its survey." in response.content.decode()


# Commitments ------------------------------------------------------------------------------------


class TestCommitments:
    def test_add_after_the_session_private_by_default(self, world, client_for):
        registration = attended(world)
        client = client_for(world.teacher)
        url = reverse("learning:session", args=[registration.session_id])
        html = page(client, url)
        assert "What I will try" in html and reverse("learning:commitment-create", args=[registration.session_id])
        response = client.post(
            reverse("learning:commitment-create", args=[registration.session_id]),
            {"text": "Plan two stops", "due_on": "2030-01-15"},
        )
        assert response.status_code == 302 and response["Location"].endswith("#commitments")
        commitment = m.Commitment.objects.get()
        assert commitment.participant == world.teacher and not commitment.shared
        assert commitment.due_on == datetime.date(2030, 1, 15)
        assert "Private" in page(client, url)

    def test_script_in_the_text_is_shown_escaped(self, world, client_for):
        registration = attended(world)
        client = client_for(world.teacher)
        client.post(
            reverse("learning:commitment-create", args=[registration.session_id]),
            {"text": "<script>alert('x')</script> try it"},
        )
        for url in (reverse("learning:session", args=[registration.session_id]), reverse("learning:my-learning")):
            html = page(client, url)
            assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html

    def test_bad_input_names_the_field(self, world, client_for):
        registration = attended(world)
        response = client_for(world.teacher).post(
            reverse("learning:commitment-create", args=[registration.session_id]), {"text": "  ", "due_on": "soon"}
        )
        html = response.content.decode()
        assert response.status_code == 200 and "Write what you will try." in html and "Enter a date" in html
        assert not m.Commitment.objects.exists()

    def test_edit_share_mark_done_and_delete(self, world, client_for):
        commitment = shared_commitment(world)
        client = client_for(world.teacher)
        edit = reverse("learning:commitment-edit", args=[commitment.pk])
        assert "Two stops in every read-aloud" in page(client, edit)
        client.post(edit, {"text": "Three stops", "done": "on"})
        commitment.refresh_from_db()
        assert commitment.text == "Three stops" and not commitment.shared and commitment.done_at is not None
        delete = reverse("learning:commitment-delete", args=[commitment.pk])
        assert "Remove this commitment?" in page(client, delete)
        assert m.Commitment.objects.exists()
        client.post(delete)
        assert not m.Commitment.objects.exists()

    def test_nobody_else_changes_it(self, world, client_for):
        commitment = shared_commitment(world)
        edit = reverse("learning:commitment-edit", args=[commitment.pk])
        assert client_for(world.facilitator).post(edit, {"text": "Mine now"}).status_code == 403
        assert client_for(world.teacher_other_campus).post(edit, {"text": "Mine now"}).status_code == 404
        assert (
            client_for(world.district_admin)
            .post(reverse("learning:commitment-delete", args=[commitment.pk]))
            .status_code
            == 404
        )
        commitment.refresh_from_db()
        assert commitment.text == "Two stops in every read-aloud"

    def test_only_people_with_a_seat_write_one(self, world, client_for, session):
        response = client_for(world.teacher).get(reverse("learning:commitment-create", args=[session.pk]))
        assert response.status_code == 403


# Certificates -----------------------------------------------------------------------------------


class TestCertificates:
    def test_detail_with_the_snapshot_and_verification(self, world, client_for):
        cert = certificate(world)
        html = page(client_for(world.teacher), reverse("learning:certificate", args=[cert.pk]))
        assert "Ana Teacher" in html and "Year-long literacy cohort" in html and "180" in html
        assert reverse("learning:verify", args=[cert.code]) in html
        assert "data:image/svg+xml;base64," in html
        assert reverse("learning:certificate-pdf", args=[cert.pk]) in html

    def test_the_pdf(self, world, client_for):
        cert = certificate(world)
        response = client_for(world.district_admin).get(reverse("learning:certificate-pdf", args=[cert.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert f'filename="certificate-{cert.code[:8]}.pdf"' in response["Content-Disposition"]

    def test_a_revoked_certificate_says_so_and_is_not_downloaded(self, world, client_for):
        cert = certificate(world)
        s.certificate_revoke(actor=world.sc_admin, certificate=cert, reason="Attendance was recorded in error.")
        client = client_for(world.teacher)
        html = page(client, reverse("learning:certificate", args=[cert.pk]))
        assert "Revoked: this certificate is no longer valid." in html
        assert "Attendance was recorded in error." in html
        response = client.get(reverse("learning:certificate-pdf", args=[cert.pk]), follow=True)
        assert "it can no longer be downloaded" in response.content.decode()

    def test_other_districts_and_colleagues_do_not_find_it(self, world, client_for):
        cert = certificate(world)
        for person in (world.other_admin, world.teacher_other_campus, world.campus_leader):
            assert client_for(person).get(reverse("learning:certificate", args=[cert.pk])).status_code == 404
            assert client_for(person).get(reverse("learning:certificate-pdf", args=[cert.pk])).status_code == 404
