"""Who sees and changes professional learning: a facilitator sees only their cohorts; a district sees
only its own participants; survey answers stay with the respondent; anonymous people see nothing."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from trellis.learning import access as a
from trellis.learning import models as m
from trellis.learning import selectors as sel
from trellis.learning import services as s
from trellis.learning.tests.conftest import make_session
from trellis.lib.rules import registered_models, rule_for

pytestmark = pytest.mark.django_db


def visible(model, user) -> set:
    return set(rule_for(model).visible(user))


@pytest.fixture
def two_cohorts(world, sc_program, sc_cohort, session):
    """``session`` (cohort 1, facilitated by ``facilitator``) and ``other`` (cohort 2, by ``facilitator_no_grant``),
    each with a participant from district A and one from district B."""
    cohort2 = s.cohort_create(
        actor=world.sc_admin, program=sc_program, name="Cohort 2", facilitators=[world.facilitator_no_grant]
    )
    other = make_session(cohort2, world.sc_admin, capacity=10, title="Other cohort's day")
    regs = {
        "a1": s.registration_create(actor=world.teacher, session=session),
        "b1": s.registration_create(actor=world.teacher_b, session=session),
        "a2": s.registration_create(actor=world.teacher_other_campus, session=other),
        "b2": s.registration_create(actor=world.teacher_b, session=other),
    }
    return session, other, regs


def test_every_learning_model_has_a_rule():
    ours = list(apps.get_app_config("learning").get_models())
    assert len(ours) >= 15
    assert [model.__name__ for model in ours if model not in registered_models()] == []


class TestFacilitators:
    def test_see_only_their_cohorts(self, world, two_cohorts):
        session, other, regs = two_cohorts
        assert visible(m.Session, world.facilitator) == {session}
        assert visible(m.Session, world.facilitator_no_grant) == {other}
        assert visible(m.Cohort, world.facilitator) == {session.cohort}
        assert visible(m.Registration, world.facilitator) == {regs["a1"], regs["b1"]}  # the whole roster
        assert visible(m.Registration, world.facilitator_no_grant) == {regs["a2"], regs["b2"]}
        assert set(sel.session_roster(world.facilitator, session)) == {regs["a1"], regs["b1"]}
        assert list(sel.session_roster(world.facilitator, other)) == []
        assert list(sel.facilitated_sessions(world.facilitator)) == [session]

    def test_helpers_404_outside_their_cohorts_403_for_what_they_may_not_change(self, world, two_cohorts):
        session, other, regs = two_cohorts
        assert a.access_session(world.facilitator, session.pk, write=True) == session
        with pytest.raises(Http404):
            a.access_session(world.facilitator, other.pk)
        with pytest.raises(Http404):
            a.access_registration(world.facilitator, regs["a2"].pk)
        with pytest.raises(PermissionDenied):
            a.access_cohort(world.facilitator, session.cohort_id, write=True)  # managers assign facilitators
        with pytest.raises(PermissionDenied):
            a.access_program(world.facilitator, session.cohort.program_id, write=True)

    def test_session_facilitators_see_that_session_only(self, world, sc_cohort, session):
        second = make_session(sc_cohort, world.sc_admin, days=14)
        s.cohort_set_facilitators(actor=world.sc_admin, cohort=sc_cohort, facilitators=[])
        s.session_set_facilitators(actor=world.sc_admin, session=second, facilitators=[world.facilitator_no_grant])
        assert visible(m.Session, world.facilitator_no_grant) == {second}
        assert visible(m.Session, world.facilitator) == set()

    def test_results_and_reviews_follow_the_session(self, world, two_cohorts):
        session, other, regs = two_cohorts
        question = m.QuestionBankItem.objects.filter(owner__isnull=True).first()
        survey = s.survey_create(actor=world.facilitator, session=session, questions=[question])
        review = s.review_start(actor=world.facilitator, session=session)
        assert a.access_survey(world.facilitator, survey.pk, write=True) == survey
        assert a.access_review(world.facilitator, review.pk, write=True) == review
        for person in (world.facilitator_no_grant, world.teacher, world.district_admin):
            with pytest.raises(Http404):
                a.access_review(person, review.pk)
        # Participants see the survey (to answer it) but cannot change it.
        assert a.access_survey(world.teacher, survey.pk) == survey
        with pytest.raises(PermissionDenied):
            a.access_survey(world.teacher, survey.pk, write=True)


class TestDistricts:
    def test_district_admins_see_only_their_participants(self, world, two_cohorts):
        session, other, regs = two_cohorts
        assert visible(m.Registration, world.district_admin) == {regs["a1"], regs["a2"]}
        assert visible(m.Registration, world.other_admin) == {regs["b1"], regs["b2"]}
        assert set(sel.session_roster(world.district_admin, session)) == {regs["a1"]}
        assert set(sel.people_registrations(world.other_admin)) == {regs["b1"], regs["b2"]}
        with pytest.raises(Http404):
            a.access_registration(world.district_admin, regs["b1"].pk)
        # They see the sessions their people attend, whoever runs them.
        assert {session, other} <= visible(m.Session, world.district_admin)

    def test_managers_see_every_participant_of_their_programs(self, world, two_cohorts, district_session):
        session, other, regs = two_cohorts
        own = s.registration_create(actor=world.coach, session=district_session)
        assert visible(m.Registration, world.sc_admin) == set(regs.values())
        assert own not in visible(m.Registration, world.sc_admin)  # district A's own program is not the center's
        assert own in visible(m.Registration, world.district_admin)
        assert a.access_session(world.sc_admin, other.pk, write=True) == other
        with pytest.raises(PermissionDenied):
            a.access_session(world.district_admin, session.pk, write=True)
        with pytest.raises(Http404):
            a.access_session(world.other_admin, district_session.pk)

    def test_campus_leaders_see_their_campus(self, world, two_cohorts):
        session, other, regs = two_cohorts
        assert visible(m.Registration, world.campus_leader) == {regs["a1"]}  # not A2's teacher, not district B
        assert set(sel.people_registrations(world.campus_leader)) == {regs["a1"]}
        enrollable = set(sel.enrollable_people(world.campus_leader, session))
        assert world.teacher in enrollable and world.teacher_other_campus not in enrollable

    def test_participants_see_their_own(self, world, two_cohorts):
        session, other, regs = two_cohorts
        assert visible(m.Registration, world.teacher_b) == {regs["b1"], regs["b2"]}
        assert visible(m.Registration, world.teacher) == {regs["a1"]}
        assert a.access_registration(world.teacher, regs["a1"].pk, write=True) == regs["a1"]
        with pytest.raises(Http404):
            a.access_registration(world.teacher, regs["b1"].pk)
        with pytest.raises(PermissionDenied):
            a.access_session(world.teacher, session.pk, write=True)

    def test_transcripts(self, world):
        assert a.access_transcript(world.teacher, world.teacher.pk) == world.teacher
        assert a.access_transcript(world.district_admin, world.teacher.pk) == world.teacher
        for person in (world.other_admin, world.facilitator, world.sc_admin, world.campus_leader, world.coach):
            with pytest.raises(Http404):
                a.access_transcript(person, world.teacher.pk)
        with pytest.raises(Http404):
            a.access_transcript(world.teacher, "x")

    def test_policies(self, world):
        assert a.access_policy(world.district_admin, world.district.pk, write=True).pk is None  # defaults
        assert a.access_policy(world.teacher, world.district.pk).minutes_per_hour == 60
        with pytest.raises(PermissionDenied):
            a.access_policy(world.teacher, world.district.pk, write=True)
        with pytest.raises(Http404):
            a.access_policy(world.other_admin, world.district.pk)
        assert a.access_policy(world.sc_admin, world.service_center.pk, write=True) is not None


class TestPrivacy:
    def test_survey_answers_stay_with_the_respondent(self, world, two_cohorts):
        import time_machine

        session, other, regs = two_cohorts
        question = m.QuestionBankItem.objects.filter(owner__isnull=True, kind="scale").first()
        survey = s.survey_create(actor=world.facilitator, session=session, questions=[question])
        with time_machine.travel(session.starts_at, tick=False):
            s.attendance_mark(actor=world.facilitator, registration=regs["a1"])
        response = s.survey_respond(actor=world.teacher, survey=survey, answers={survey.items.get().pk: 4})
        assert visible(m.SurveyResponse, world.teacher) == {response}
        for person in (world.facilitator, world.sc_admin, world.district_admin):
            assert visible(m.SurveyResponse, person) == set()
            assert visible(m.SurveyAnswer, person) == set()
        assert sel.survey_results(world.facilitator, survey).items[0].mean == 4.0  # what facilitators get instead
        for person in (world.teacher, world.district_admin, world.facilitator_no_grant):
            with pytest.raises(PermissionDenied):
                sel.survey_results(person, survey)

    def test_commitments_shared_on_purpose(self, world, two_cohorts):
        session, other, regs = two_cohorts
        private = s.commitment_create(actor=world.teacher, session=session, text="Private")
        shared = s.commitment_create(actor=world.teacher, session=session, text="Shared", shared=True)
        assert visible(m.Commitment, world.teacher) == {private, shared}
        assert visible(m.Commitment, world.facilitator) == {shared}
        assert visible(m.Commitment, world.facilitator_no_grant) == set()
        assert visible(m.Commitment, world.district_admin) == set()
        with pytest.raises(PermissionDenied):
            a.access_commitment(world.facilitator, shared.pk, write=True)

    def test_question_banks(self, world):
        own = s.question_create(
            actor=world.district_admin, owner=world.district, text="Cedar Valley item", kind="text", guskey_level=2
        )
        starter = m.QuestionBankItem.objects.filter(owner__isnull=True).first()
        assert {own, starter} <= visible(m.QuestionBankItem, world.teacher)
        assert own not in visible(m.QuestionBankItem, world.teacher_b)
        assert own not in visible(m.QuestionBankItem, world.facilitator)
        with pytest.raises(PermissionDenied):
            a.access_question(world.district_admin, starter.pk, write=True)
        assert a.access_question(world.district_admin, own.pk, write=True) == own

    def test_certificates(self, world, two_cohorts):
        import time_machine

        session, other, regs = two_cohorts
        with time_machine.travel(session.starts_at, tick=False):
            s.attendance_mark(actor=world.facilitator, registration=regs["b1"])
        with time_machine.travel(session.ends_at, tick=False):
            certificate = s.certificate_issue(
                actor=world.facilitator, cohort=session.cohort, participant=world.teacher_b
            )
        for person in (world.teacher_b, world.other_admin, world.sc_admin, world.facilitator):
            assert a.access_certificate(person, certificate.pk) == certificate
        for person in (world.teacher, world.district_admin, world.facilitator_no_grant, world.campus_leader):
            with pytest.raises(Http404):
                a.access_certificate(person, certificate.pk)
        with pytest.raises(PermissionDenied):
            a.access_certificate(world.facilitator, certificate.pk, write=True)  # revoking is the managers'

    def test_anonymous_sees_nothing(self, world, two_cohorts):
        anonymous = AnonymousUser()
        for model in apps.get_app_config("learning").get_models():
            assert not rule_for(model).visible(anonymous).exists(), model.__name__
        with pytest.raises(Http404):
            a.access_session(anonymous, two_cohorts[0].pk)
        with pytest.raises(Http404):
            a.access_transcript(anonymous, 1)
