"""The facilitators' pages: the session page and its roster, the check-in screen, editing and cancelling,
materials, the survey and its results with the follow-up, and the After Action Review.

What each persona sees and what gets stored; a facilitator sees only their cohorts' sessions
(404 on others); bad input gets a message; the pages run a fixed number of queries.
"""

import datetime
import html as htmllib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.tests.conftest import make_session, make_teachers

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html(response))).split())


def session_now(cohort, *, started_minutes_ago=30, hours=3, capacity=None, title="Today's session", **fields):
    """A session of ``cohort`` that started a moment ago (system work: registration has closed)."""
    start = (timezone.now() - datetime.timedelta(minutes=started_minutes_ago)).replace(second=0, microsecond=0)
    return s.session_create(
        actor=None,
        cohort=cohort,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        location="Room 4",
        capacity=capacity,
        **fields,
    )


def register(session, *people):
    return [s.registration_create(actor=None, session=session, participant=p) for p in people]


@pytest.fixture
def today(world, sc_cohort):
    session = session_now(sc_cohort, objectives="Plan two stops\nUse evidence prompts")
    register(session, world.teacher, world.teacher_b)
    return session


def manage_url(session) -> str:
    return reverse("learning:session-manage", args=[session.pk])


# The session page --------------------------------------------------------------------------------


class TestSessionPage:
    def test_facilitator_sees_summary_roster_and_tools(self, world, client_for, session):
        for person in (world.teacher, world.teacher_other_campus, world.teacher_b, world.coach):
            s.registration_create(actor=person, session=session)
        page = client_for(world.facilitator).get(manage_url(session))
        assert page.status_code == 200
        words = text(page)
        assert "Registered 3 of 3 seats · 0 free" in words and "Waiting list 1" in words
        assert "Ana Teacher Cedar Valley ISD Confirmed" in words
        assert "Cora Coach Cedar Valley ISD On the waiting list" in words
        assert "Bea Teacher Willow Creek USD Confirmed" in words
        for name in ("session-materials", "survey-build", "session-results", "review", "session-edit"):
            assert reverse(f"learning:{name}", args=[session.pk]) in html(page)
        assert reverse("learning:session-cancel", args=[session.pk]) not in html(page)  # managers cancel
        assert "Attendance is taken from two hours before the session starts." in words
        assert 'name="rows"' not in html(page)  # no tick boxes before the day
        assert reverse("learning:session-cancel", args=[session.pk]) in html(
            client_for(world.sc_admin).get(manage_url(session))
        )

    def test_facilitators_see_only_their_cohorts_sessions(self, world, client_for, session, sc_program):
        other_cohort = s.cohort_create(
            actor=world.sc_admin, program=sc_program, name="Cohort 2", facilitators=[world.facilitator_no_grant]
        )
        other = make_session(other_cohort, world.sc_admin, title="Other cohort's day")
        client = client_for(world.facilitator)
        assert client.get(manage_url(other)).status_code == 404
        assert client.get(reverse("learning:checkin-screen", args=[other.pk])).status_code == 404
        assert client.get(reverse("learning:session-results", args=[other.pk])).status_code == 404
        assert client_for(world.facilitator_no_grant).get(manage_url(session)).status_code == 404
        # A participant who sees the session in the catalogue is refused, not told it does not exist.
        assert client_for(world.teacher).get(manage_url(session)).status_code == 403

    def test_other_districts_admins_get_404(self, world, client_for, district_session):
        assert client_for(world.other_admin).get(manage_url(district_session)).status_code == 404
        assert client_for(world.coach).get(manage_url(district_session)).status_code == 200

    def test_script_in_agenda_is_shown_escaped(self, world, client_for, sc_cohort):
        session = make_session(
            sc_cohort, world.sc_admin, agenda="<script>alert('x')</script>", objectives="<b>bold</b>"
        )
        page = html(client_for(world.facilitator).get(manage_url(session)))
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
        assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page

    def test_roster_search(self, world, client_for, today):
        words = text(client_for(world.facilitator).get(manage_url(today), {"q": "bea"}))
        assert "Bea Teacher" in words and "Ana Teacher" not in words


class TestRoster:
    def test_tick_marks_present_and_minutes_adjust(self, world, client_for, today):
        ana, bea = m.Registration.objects.filter(session=today).order_by("participant__full_name")
        client = client_for(world.facilitator)
        page = client.get(manage_url(today))
        assert f'name="r{ana.pk}-present"' in html(page) and 'name="rows"' in html(page)
        response = client.post(
            reverse("learning:roster-update", args=[today.pk]),
            {"rows": [ana.pk, bea.pk], f"r{ana.pk}-present": "on", f"r{bea.pk}-present": "on"},
        )
        assert response.status_code == 302 and response["Location"] == manage_url(today) + "#roster"
        ana.refresh_from_db()
        bea.refresh_from_db()
        assert ana.attended and bea.attended and ana.checkin_method == "roster"
        assert ana.minutes_attended == today.contact_minutes == 180
        # Bea left an hour early: the time of leaving, in the session's zone.
        left = (today.ends_at - datetime.timedelta(hours=1)).astimezone(today.zone)
        arrived = ana.arrived_at.astimezone(today.zone)
        response = client.post(
            reverse("learning:roster-update", args=[today.pk]),
            {
                "rows": [ana.pk, bea.pk],
                f"r{ana.pk}-present": "on",
                f"r{ana.pk}-minutes": "150",
                f"r{ana.pk}-arrived": arrived.strftime("%H:%M"),
                f"r{ana.pk}-left": today.ends_at.astimezone(today.zone).strftime("%H:%M"),
                f"r{bea.pk}-present": "on",
                f"r{bea.pk}-arrived": arrived.strftime("%H:%M"),
                f"r{bea.pk}-left": left.strftime("%H:%M"),
                f"r{bea.pk}-minutes": "180",
            },
            follow=True,
        )
        assert "Attendance saved: 2 times adjusted." in text(response)
        ana.refresh_from_db()
        bea.refresh_from_db()
        assert ana.minutes_attended == 150
        assert bea.minutes_attended == 120 and bea.left_at == left
        # Unticking removes the attendance.
        client.post(reverse("learning:roster-update", args=[today.pk]), {"rows": [bea.pk]})
        bea.refresh_from_db()
        assert not bea.attended and bea.minutes_attended is None

    def test_bad_minutes_are_named_and_nothing_changes(self, world, client_for, today):
        ana = m.Registration.objects.get(session=today, participant=world.teacher)
        response = client_for(world.facilitator).post(
            reverse("learning:roster-update", args=[today.pk]),
            {"rows": [ana.pk], f"r{ana.pk}-present": "on", f"r{ana.pk}-minutes": "999"},
            follow=True,
        )
        assert "Ana Teacher: Enter between 0 and 180 minutes (the session's contact minutes)." in text(response)
        ana.refresh_from_db()
        assert not ana.attended

    def test_rows_of_another_session_are_ignored(self, world, client_for, today, session):
        elsewhere = s.registration_create(actor=world.teacher_other_campus, session=session)
        client_for(world.facilitator).post(
            reverse("learning:roster-update", args=[today.pk]),
            {"rows": [elsewhere.pk], f"r{elsewhere.pk}-present": "on"},
        )
        elsewhere.refresh_from_db()
        assert not elsewhere.attended


# The check-in screen ----------------------------------------------------------------------------


class TestCheckinScreen:
    def test_open_shows_code_and_qr_json_counts_then_close(self, world, client_for, today):
        client = client_for(world.facilitator)
        url = reverse("learning:checkin-screen", args=[today.pk])
        page = client.get(url)
        assert "Open check-in" in text(page) and 'class="screen-code"' not in html(page)
        response = client.post(url, {"action": "open"})
        assert response.status_code == 302 and response["Location"] == url
        today.refresh_from_db()
        code = today.checkin_code
        assert len(code) == 6
        page = client.get(url)
        body = html(page)
        assert f'{code[:3]}<span class="screen-gap"> </span>{code[3:]}' in body
        assert " ".join(code) in body  # spelled out for screen readers
        assert 'class="screen-qr" src="data:image/svg+xml;base64,' in body
        assert "checkin-screen.js" in body
        assert client.get(url, {"format": "json"}).json() == {"open": True, "checked_in": 0, "confirmed": 2}
        s.attendance_check_in(actor=world.teacher, code=code)
        assert client.get(url, {"format": "json"}).json()["checked_in"] == 1
        # Opening again keeps the same code.
        client.post(url, {"action": "open"})
        today.refresh_from_db()
        assert today.checkin_code == code
        response = client.post(url, {"action": "close"}, follow=True)
        assert "Check-in is closed" in text(response)
        today.refresh_from_db()
        assert today.checkin_code == ""
        assert client.get(url, {"format": "json"}).json()["open"] is False

    def test_too_early_says_when_it_opens(self, world, client_for, session):
        client = client_for(world.facilitator)
        url = reverse("learning:checkin-screen", args=[session.pk])
        assert "Check-in opens two hours before the session starts:" in text(client.get(url))
        response = client.post(url, {"action": "open"}, follow=True)
        assert "Check-in opens two hours before the session starts." in text(response)
        session.refresh_from_db()
        assert session.checkin_code == ""
        assert client.post(url, {"action": "explode"}).status_code == 404


# Editing and cancelling -------------------------------------------------------------------------


class TestEdit:
    def test_facilitator_changes_content_only(self, world, client_for, session):
        client = client_for(world.facilitator)
        url = reverse("learning:session-edit", args=[session.pk])
        page = client.get(url)
        assert 'name="title"' in html(page) and 'name="date"' not in html(page)
        response = client.post(
            url, {"title": "New title", "agenda": "9:00 Start", "objectives": "One", "capacity": "99", "date": "x"}
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert (session.title, session.agenda, session.capacity, session.sequence) == ("New title", "9:00 Start", 3, 0)

    def _plan(self, session, **overrides):
        local = session.local_start
        data = {
            "title": session.title,
            "agenda": session.agenda,
            "objectives": session.objectives,
            "date": local.date().isoformat(),
            "start_time": local.strftime("%H:%M"),
            "end_time": session.local_end.strftime("%H:%M"),
            "timezone": session.timezone,
            "location": session.location,
            "online_url": "",
            "capacity": session.capacity or "",
            "contact_minutes": session.contact_minutes,
        }
        data.update(overrides)
        return data

    def test_manager_moves_the_session_and_is_told_about_invitations(self, world, client_for, session):
        client = client_for(world.sc_admin)
        url = reverse("learning:session-edit", args=[session.pk])
        page = client.get(url)
        assert "sends everyone with a seat an updated calendar invitation" in text(page)
        response = client.post(url, self._plan(session, start_time="10:00", end_time="12:00", contact_minutes=""))
        assert "Everyone with a seat gets the updated invitation by email." in text(client.get(manage_url(session)))
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.local_start.hour == 10 and session.contact_minutes == 120 and session.sequence == 1

    def test_capacity_below_seats_taken_is_refused(self, world, client_for, session):
        for person in (world.teacher, world.teacher_b):
            s.registration_create(actor=person, session=session)
        response = client_for(world.sc_admin).post(
            reverse("learning:session-edit", args=[session.pk]), self._plan(session, capacity="1")
        )
        assert response.status_code == 200
        assert "2 people already hold seats" in " ".join(response.context["form"].errors["capacity"])
        session.refresh_from_db()
        assert session.capacity == 3

    def test_unchanged_form_changes_nothing(self, world, client_for, session):
        response = client_for(world.sc_admin).post(
            reverse("learning:session-edit", args=[session.pk]), self._plan(session), follow=True
        )
        assert "Nothing changed." in text(response)
        session.refresh_from_db()
        assert session.sequence == 0


class TestCancel:
    def test_manager_cancels_with_a_reason_facilitator_may_not(self, world, client_for, session):
        s.registration_create(actor=world.teacher, session=session)
        url = reverse("learning:session-cancel", args=[session.pk])
        assert client_for(world.facilitator).get(url).status_code == 403
        client = client_for(world.sc_admin)
        assert "1 person with a seat" in text(client.get(url))
        response = client.post(url, {"reason": "Weather closure"})
        assert response["Location"] == reverse("learning:cohort-detail", args=[session.cohort_id])
        session.refresh_from_db()
        assert session.is_cancelled and session.cancel_reason == "Weather closure"
        assert m.Registration.objects.get().status == "cancelled"
        response = client.get(url, follow=True)
        assert "This session is already cancelled." in text(response)

    def test_a_held_session_is_not_cancelled(self, world, client_for, today):
        s.attendance_mark(actor=None, registration=m.Registration.objects.get(participant=world.teacher))
        response = client_for(world.sc_admin).post(reverse("learning:session-cancel", args=[today.pk]), {})
        assert "it took place and cannot be cancelled" in text(response)


# Materials --------------------------------------------------------------------------------------


class TestMaterials:
    def test_link_and_file_then_download_and_remove(self, world, client_for, session):
        s.registration_create(actor=world.teacher, session=session)
        client = client_for(world.facilitator)
        url = reverse("learning:session-materials", args=[session.pk])
        client.post(url, {"title": "Slides", "url": "example.org/slides"})
        pdf = SimpleUploadedFile("day-2.pdf", b"%PDF-1.4\n1 0 obj\n", content_type="application/pdf")
        client.post(url, {"title": "Handout", "file": pdf})
        link, handout = m.Material.objects.order_by("position")
        assert link.url == "https://example.org/slides"
        assert (handout.content_type, handout.original_name, handout.title) == (
            "application/pdf",
            "day-2.pdf",
            "Handout",
        )
        page = text(client.get(url))
        assert "Slides Link · https://example.org/slides" in page and "Handout day-2.pdf" in page
        # Registered participants download; the file comes through the view, as an attachment.
        response = client_for(world.teacher).get(reverse("learning:material-download", args=[handout.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="day-2.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
        assert "/media/" not in html(client.get(url))
        response = client_for(world.teacher).get(reverse("learning:material-download", args=[link.pk]))
        assert response.status_code == 302 and response["Location"] == "https://example.org/slides"
        # Someone who only sees the session in the catalogue does not.
        assert (
            client_for(world.teacher_other_campus)
            .get(reverse("learning:material-download", args=[handout.pk]))
            .status_code
            == 403
        )
        client.post(reverse("learning:material-remove", args=[handout.pk]))
        assert list(m.Material.objects.all()) == [link]

    def test_a_file_that_is_not_what_it_claims_is_refused(self, world, client_for, session):
        fake = SimpleUploadedFile("slides.pdf", b"just some text, not a pdf", content_type="application/pdf")
        response = client_for(world.facilitator).post(
            reverse("learning:session-materials", args=[session.pk]), {"title": "Slides", "file": fake}
        )
        assert response.status_code == 200
        assert "This file is not a photo or document Trellis accepts" in " ".join(
            response.context["form"].errors["file"]
        )
        assert not m.Material.objects.exists()

    def test_a_link_or_a_file_not_both_not_neither(self, world, client_for, session):
        response = client_for(world.facilitator).post(
            reverse("learning:session-materials", args=[session.pk]), {"title": "Nothing"}
        )
        assert "Give a link or a file (one of the two)." in html(response)


# The survey and its results ---------------------------------------------------------------------


def _starter(*keys):
    found = {q.key: q for q in m.QuestionBankItem.objects.filter(owner__isnull=True, key__in=keys)}
    return [found[key] for key in keys]


class TestSurvey:
    def test_build_open_close(self, world, client_for, today):
        client = client_for(world.facilitator)
        url = reverse("learning:survey-build", args=[today.pk])
        page = client.get(url)
        words = text(page)
        assert "1 · Participants' reactions" in words and "This session was a good use of my time." in words
        questions = _starter("time-well-spent", "recommend", "most-useful")
        response = client.post(url, {"questions": [q.pk for q in questions], "intro": "Two minutes."})
        assert response.status_code == 302
        survey = m.Survey.objects.get(session=today)
        assert survey.intro == "Two minutes." and survey.items.count() == 3
        words = text(client.get(url))
        assert "The session's survey Open" in words and "Close the survey" in words
        client.post(reverse("learning:survey-action", args=[survey.pk, "close"]))
        survey.refresh_from_db()
        assert not survey.is_open
        client.post(reverse("learning:survey-action", args=[survey.pk, "reopen"]))
        survey.refresh_from_db()
        assert survey.is_open

    def test_more_than_twelve_questions_is_refused(self, world, client_for, today):
        for n in range(12):
            s.question_create(
                actor=world.sc_admin, owner=world.service_center, text=f"Extra {n}", kind="scale", guskey_level=2
            )
        ids = list(m.QuestionBankItem.objects.values_list("pk", flat=True)[:13])
        response = client_for(world.facilitator).post(
            reverse("learning:survey-build", args=[today.pk]), {"questions": ids}
        )
        assert "choose at most 12 questions (you chose 13)" in html(response)
        assert f'value="{ids[0]}" checked' in html(response)  # the choice is kept
        assert not m.Survey.objects.exists()

    def test_results_by_level_without_names_and_the_follow_up(self, world, client_for, today):
        ana, bea = (m.Registration.objects.get(session=today, participant=p) for p in (world.teacher, world.teacher_b))
        for registration in (ana, bea):
            s.attendance_mark(actor=world.facilitator, registration=registration)
        survey = s.survey_create(
            actor=world.facilitator,
            session=today,
            questions=_starter("time-well-spent", "objectives-clear", "recommend", "most-useful"),
        )
        items = list(survey.items.order_by("position"))
        s.survey_respond(
            actor=world.teacher,
            survey=survey,
            answers={items[0].pk: 5, items[1].pk: 4, items[2].pk: "yes", items[3].pk: "<i>The stems</i>"},
        )
        s.survey_respond(
            actor=world.teacher_b, survey=survey, answers={items[0].pk: 4, items[1].pk: 2, items[2].pk: "no"}
        )
        s.commitment_create(actor=world.teacher, session=today, text="Post the stems.", shared=True)
        s.commitment_create(actor=world.teacher, session=today, text="Private plan.")
        s.commitment_create(actor=world.teacher_b, session=today, text="B's private plan.")

        page = client_for(world.facilitator).get(reverse("learning:session-results", args=[today.pk]))
        body, words = html(page), text(page)
        assert "2 responses from 2 people who attended." in words
        assert "1 · Participants' reactions mean 4.50" in words and "2 · Participants' learning mean 3.00" in words
        assert "mean 4.50 of 5" in words
        assert body.count('src="data:image/svg+xml;base64,') == 3  # two scales and the yes-or-no
        assert "4 · Agree 1" in words and "Yes 1" in words and "No 1" in words
        assert "&lt;i&gt;The stems&lt;/i&gt;" in body  # a written answer, escaped, without a name
        # Follow-up: commitments counted, text only when shared; district B has not granted access.
        assert "Ana Teacher Cedar Valley ISD Yes 180 min 2 Post the stems. 0 0" in words
        assert "Private plan." not in words and "B's private plan." not in words
        assert "Bea Teacher Willow Creek USD Yes 180 min 1 no access no access" in words

    def test_results_without_a_survey(self, world, client_for, session):
        page = client_for(world.facilitator).get(reverse("learning:session-results", args=[session.pk]))
        assert "This session has no survey yet." in text(page)


# The After Action Review ------------------------------------------------------------------------


class TestReview:
    def test_prefilled_from_objectives_saved_on_post(self, world, client_for, today):
        client = client_for(world.facilitator)
        url = reverse("learning:review", args=[today.pk])
        page = client.get(url)
        assert "- Plan two stops\n- Use evidence prompts" in htmllib.unescape(html(page))
        assert not m.ActionReview.objects.exists()  # reading writes nothing
        response = client.post(
            url,
            {"step": "answers", "planned": "- Plan two stops", "actual": "Ran long.", "why_different": "Video set-up.",
             "lessons": "Test the video."},
        )  # fmt: skip
        assert response.status_code == 302
        review = m.ActionReview.objects.get()
        assert (review.planned, review.actual, review.lessons) == ("- Plan two stops", "Ran long.", "Test the video.")

    def test_points_need_an_owner_and_are_removed(self, world, client_for, today):
        client = client_for(world.facilitator)
        url = reverse("learning:review", args=[today.pk])
        response = client.post(url, {"step": "point", "kind": "improve", "text": "Pre-select texts"})
        assert "Name who takes it on: choose a facilitator or type a name." in html(response)
        assert not m.ReviewPoint.objects.exists()
        due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
        client.post(
            url,
            {"step": "point", "kind": "improve", "text": "Pre-select texts", "responsible_name": "Jo", "due_on": due},
        )
        client.post(
            url, {"step": "point", "kind": "sustain", "text": "Model first", "responsible": world.facilitator.pk}
        )
        improve, sustain = m.ReviewPoint.objects.order_by("kind")
        assert (improve.responsible_name, str(improve.due_on)) == ("Jo", due)
        assert sustain.responsible == world.facilitator
        words = text(client.get(url))
        assert "Sustain Model first Fay Facilitator" in words and "Improve Pre-select texts Jo · by" in words
        # Someone who cannot run the session is not accepted as the owner.
        response = client.post(url, {"step": "point", "kind": "sustain", "text": "X", "responsible": world.teacher.pk})
        assert "Choose one of the session" in html(response)
        client.post(reverse("learning:review-point-remove", args=[sustain.pk]))
        assert list(m.ReviewPoint.objects.all()) == [improve]


# Bounded queries --------------------------------------------------------------------------------


def test_query_counts_do_not_grow_with_registrations(world, client_for, sc_cohort, django_assert_num_queries):
    day = session_now(sc_cohort)
    register(day, world.teacher, world.teacher_b)
    for registration in m.Registration.objects.filter(session=day):
        s.attendance_mark(actor=None, registration=registration)
    survey = s.survey_create(actor=world.facilitator, session=day, questions=_starter("time-well-spent", "most-useful"))
    item = survey.items.order_by("position").first()
    s.survey_respond(actor=world.teacher, survey=survey, answers={item.pk: 4})
    client = client_for(world.facilitator)
    pages = [manage_url(day), reverse("learning:session-results", args=[day.pk])]
    for url in pages:
        client.get(url)
    counts = {}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)

    people = make_teachers(world.campus, 10) + make_teachers(world.campus_b, 5)
    for registration in register(day, *people):
        s.attendance_mark(actor=None, registration=registration)
    for person in people[:8]:
        s.survey_respond(actor=person, survey=survey, answers={item.pk: 3, "item_%s" % (item.pk + 1): "More time."})
        s.commitment_create(actor=person, session=day, text="Try it.", shared=True)
    assert m.Registration.objects.filter(session=day).count() == 17

    for url in pages:
        with django_assert_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    # Pinned: a change here is a change of the page's cost; update the numbers knowingly.
    assert list(counts.values()) == PINNED_RUNNING_PAGES


# session-manage, session-results (facilitator, session-backed auth).
PINNED_RUNNING_PAGES = [12, 17]
