"""Coaching relationships: agreement, consent, status moves, intake and continuum placements."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import (
    CoachingSession,
    Intake,
    Placement,
    PlacementSource,
    RelationshipStatus,
    SessionSeries,
    SessionStatus,
)
from trellis.coaching.tests import cycle
from trellis.observations.models import Notice
from trellis.orgs.factories import CaseloadFactory

pytestmark = pytest.mark.django_db

ST = RelationshipStatus


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def status_of(rel):
    rel.refresh_from_db()
    return rel.status


# Creating --------------------------------------------------------------------------------


class TestCreate:
    def test_a_coach_proposes_to_a_teacher_on_their_caseload(self, world):
        rel = cycle.proposed(world, title="  Fractions focus  ", location="Room 12")
        assert rel.status == ST.PROPOSED
        assert (rel.coach, rel.district) == (world.coach, world.district)
        assert list(rel.teachers.all()) == [world.teacher]
        assert rel.title == "Fractions focus"
        member = rel.members.get()
        assert member.consented_at is None and member.district_id == world.district.pk
        assert rel.started_on is None
        # The teacher is asked to consent, and the proposal is audited.
        assert Notice.objects.filter(recipient=world.teacher, url__contains=f"/relationships/{rel.pk}/").exists()
        assert AuditEntry.objects.filter(action="coaching_relationship.create", object_id=str(rel.pk)).exists()

    def test_a_teacher_not_on_the_caseload_is_refused(self, world):
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world, teachers=[world.teacher_other_campus])
        assert "teachers" in excinfo.value.message_dict
        assert "Omar Teacher is not on your caseload." in messages(excinfo)

    def test_a_facilitator_without_a_grant_cannot_propose(self, world):
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world, coach=world.facilitator_no_grant, teachers=[world.teacher_b])
        assert "Bea Teacher is not on your caseload." in messages(excinfo)

    def test_a_facilitator_with_a_grant_can_propose(self, world):
        rel = cycle.proposed(world, coach=world.facilitator)
        assert rel.coach == world.facilitator and rel.district == world.district

    def test_a_facilitator_loses_the_right_when_the_grant_is_revoked(self, world):
        from trellis.orgs.services import grant_revoke

        grant_revoke(actor=world.district_admin, grant=world.grant)
        with pytest.raises(ValidationError):
            cycle.proposed(world, coach=world.facilitator)

    def test_nobody_but_a_coach_proposes(self, world):
        for actor in (world.campus_leader, world.district_admin, world.teacher_other_campus):
            with pytest.raises(ValidationError):
                cycle.proposed(world, coach=actor)

    def test_one_open_one_on_one_per_coach_and_teacher(self, world):
        first = cycle.proposed(world)
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world)
        assert "You already coach Ana Teacher one-on-one" in messages(excinfo)
        # Another coach, or a group with the same teacher, is fine; so is a new one after the end.
        cycle.proposed(world, coach=world.facilitator)
        cycle.proposed(world, teachers=[world.teacher, *cycle.extra_teachers(world, 1)])
        services.relationship_end(actor=world.coach, relationship=first)
        assert cycle.proposed(world).status == ST.PROPOSED

    def test_a_group_of_six_in_one_district(self, world):
        teachers = [world.teacher, *cycle.extra_teachers(world, 5)]
        rel = cycle.proposed(world, teachers=teachers)
        assert rel.members.count() == 6
        assert set(rel.teachers.all()) == set(teachers)

    def test_a_group_of_seven_is_refused(self, world):
        teachers = [world.teacher, *cycle.extra_teachers(world, 6)]
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world, teachers=teachers)
        assert "at most 6" in messages(excinfo)

    def test_a_teacher_listed_twice_counts_once(self, world):
        rel = cycle.proposed(world, teachers=[world.teacher, world.teacher])
        assert rel.members.count() == 1

    def test_no_teachers_is_refused(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.relationship_create(actor=world.coach, teachers=[], cycle_model=cycle.cycle_model())
        assert "at least one teacher" in messages(excinfo)

    def test_a_group_spans_one_district_only(self, world):
        # A coach with teachers in both districts still cannot put them in one group.
        CaseloadFactory(coach=world.coach, teacher=world.teacher_b)
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world, teachers=[world.teacher, world.teacher_b])
        assert "one district" in messages(excinfo)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("meetings_per_month", 0), ("meetings_per_month", 9), ("meeting_minutes", 5), ("meeting_minutes", 121)],
    )
    def test_cadence_out_of_range_is_refused(self, world, field, value):
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world, **{field: value})
        assert field in excinfo.value.message_dict

    def test_another_districts_cycle_model_is_refused(self, world):
        from trellis.coaching.models import CycleModel

        theirs = CycleModel.objects.create(district=world.district_b, key="theirs", name="Theirs")
        with pytest.raises(ValidationError) as excinfo:
            cycle.proposed(world, cycle_model=theirs)
        assert "cycle_model" in excinfo.value.message_dict

    def test_a_retired_cycle_model_is_refused(self, world):
        model = cycle.cycle_model()
        model.is_active = False
        model.save()
        with pytest.raises(ValidationError):
            cycle.proposed(world, cycle_model=model)

    def test_unknown_agreement_fields_are_a_programming_error(self, world):
        with pytest.raises(ValueError):
            cycle.proposed(world, status=ST.ACTIVE)


# Consent -----------------------------------------------------------------------------


class TestConsent:
    def test_one_teacher_consents_and_it_becomes_active(self, world):
        rel = cycle.proposed(world)
        rel = services.relationship_consent(actor=world.teacher, relationship=rel)
        assert status_of(rel) == ST.ACTIVE
        assert rel.started_on == timezone.localdate()
        assert rel.members.get().consented_at is not None
        assert Notice.objects.filter(recipient=world.coach, text__contains="active").exists()

    def test_a_group_is_active_only_once_everyone_has_consented(self, world):
        others = cycle.extra_teachers(world, 2)
        rel = cycle.proposed(world, teachers=[world.teacher, *others])
        services.relationship_consent(actor=world.teacher, relationship=rel)
        services.relationship_consent(actor=others[0], relationship=rel)
        assert status_of(rel) == ST.PROPOSED
        assert rel.started_on is None
        services.relationship_consent(actor=others[1], relationship=rel)
        assert status_of(rel) == ST.ACTIVE

    def test_consenting_twice_keeps_the_first_time(self, world):
        rel = cycle.proposed(world, teachers=[world.teacher, *cycle.extra_teachers(world, 1)])
        services.relationship_consent(actor=world.teacher, relationship=rel)
        first = rel.members.get(teacher=world.teacher).consented_at
        services.relationship_consent(actor=world.teacher, relationship=rel)
        assert rel.members.get(teacher=world.teacher).consented_at == first
        assert status_of(rel) == ST.PROPOSED

    @pytest.mark.parametrize("persona", ["coach", "campus_leader", "teacher_other_campus", "district_admin"])
    def test_only_member_teachers_consent(self, world, persona):
        rel = cycle.proposed(world)
        with pytest.raises(ValidationError) as excinfo:
            services.relationship_consent(actor=world.persona(persona), relationship=rel)
        assert "Only the teachers in this relationship consent" in messages(excinfo)
        assert status_of(rel) == ST.PROPOSED

    def test_an_ended_relationship_takes_no_consent(self, world):
        rel = cycle.proposed(world)
        services.relationship_end(actor=world.coach, relationship=rel)
        with pytest.raises(ValidationError) as excinfo:
            services.relationship_consent(actor=world.teacher, relationship=rel)
        assert "ended" in messages(excinfo)
        assert rel.members.get().consented_at is None


# Editing the agreement ---------------------------------------------------------------


class TestEditAgreement:
    def test_only_the_coach_edits(self, world):
        rel = cycle.active(world)
        for actor in (world.teacher, world.facilitator, world.district_admin, world.campus_leader):
            with pytest.raises(ValidationError) as excinfo:
                services.relationship_update(actor=actor, relationship=rel, norms="Changed by someone else")
            assert "Only the coach edits the agreement." in messages(excinfo)
        rel.refresh_from_db()
        assert rel.norms == "We meet every other Tuesday and start on time."

    @pytest.mark.parametrize("field", ["norms", "sharing"])
    def test_changing_what_teachers_agreed_to_asks_for_consent_again(self, world, field):
        rel = cycle.active(world)
        Notice.objects.all().delete()
        services.relationship_update(actor=world.coach, relationship=rel, **{field: "Something new"})
        member = rel.members.get()
        assert member.consented_at is None
        assert Notice.objects.filter(recipient=world.teacher, text__contains="consent again").exists()
        # The teacher consents again.
        services.relationship_consent(actor=world.teacher, relationship=rel)
        assert rel.members.get().consented_at is not None
        assert status_of(rel) == ST.ACTIVE

    def test_changing_the_place_keeps_consent(self, world):
        rel = cycle.active(world)
        services.relationship_update(actor=world.coach, relationship=rel, location="Library", title="Group A")
        rel.refresh_from_db()
        assert (rel.location, rel.title) == ("Library", "Group A")
        assert rel.members.get().consented_at is not None

    def test_the_same_norms_again_keep_consent(self, world):
        rel = cycle.active(world)
        services.relationship_update(actor=world.coach, relationship=rel, norms=rel.norms)
        assert rel.members.get().consented_at is not None

    def test_an_ended_agreement_no_longer_changes(self, world):
        rel = cycle.active(world)
        services.relationship_end(actor=world.coach, relationship=rel)
        with pytest.raises(ValidationError) as excinfo:
            services.relationship_update(actor=world.coach, relationship=rel, norms="After the end")
        assert "ended" in messages(excinfo)

    def test_the_audit_entry_names_fields_not_their_text(self, world):
        rel = cycle.active(world)
        services.relationship_update(actor=world.coach, relationship=rel, norms="Private words about trust")
        entry = AuditEntry.objects.get(action="coaching_relationship.update", object_id=str(rel.pk))
        assert entry.after == {"changed": ["norms"]}
        assert "Private words" not in f"{entry.before} {entry.after} {entry.object_repr}"


# Status moves ----------------------------------------------------------------------


class TestStatus:
    def test_pause_resume_end(self, world):
        rel = cycle.active(world)
        services.relationship_pause(actor=world.coach, relationship=rel)
        assert status_of(rel) == ST.PAUSED
        services.relationship_resume(actor=world.coach, relationship=rel)
        assert status_of(rel) == ST.ACTIVE
        services.relationship_end(actor=world.coach, relationship=rel)
        assert status_of(rel) == ST.ENDED
        assert rel.ended_on == timezone.localdate()
        actions = list(
            AuditEntry.objects.filter(object_id=str(rel.pk), action__startswith="coaching_relationship.")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions[-3:] == [
            "coaching_relationship.pause",
            "coaching_relationship.resume",
            "coaching_relationship.end",
        ]

    def test_a_paused_relationship_ends(self, world):
        rel = cycle.active(world)
        services.relationship_pause(actor=world.coach, relationship=rel)
        services.relationship_end(actor=world.coach, relationship=rel)
        assert status_of(rel) == ST.ENDED

    def test_a_proposal_can_be_withdrawn(self, world):
        rel = cycle.proposed(world)
        services.relationship_end(actor=world.coach, relationship=rel)
        assert status_of(rel) == ST.ENDED

    @pytest.mark.parametrize(
        ("setup", "action", "message"),
        [
            ([], "pause", "This relationship is proposed; it cannot be paused."),
            ([], "resume", "This relationship is proposed; it cannot be resumed."),
            (["consent"], "resume", "This relationship is active; it cannot be resumed."),
            (["consent", "pause"], "pause", "This relationship is paused; it cannot be paused."),
            (["consent", "end"], "pause", "This relationship is ended; it cannot be paused."),
            (["consent", "end"], "resume", "This relationship is ended; it cannot be resumed."),
            (["consent", "end"], "end", "This relationship is ended; it cannot be ended."),
        ],
    )
    def test_illegal_moves_are_refused_in_plain_words(self, world, setup, action, message):
        rel = cycle.proposed(world)
        for step in setup:
            if step == "consent":
                services.relationship_consent(actor=world.teacher, relationship=rel)
            else:
                getattr(services, f"relationship_{step}")(actor=world.coach, relationship=rel)
        before = status_of(rel)
        with pytest.raises(ValidationError) as excinfo:
            getattr(services, f"relationship_{action}")(actor=world.coach, relationship=rel)
        assert messages(excinfo) == message
        assert status_of(rel) == before

    @pytest.mark.parametrize("action", ["pause", "resume"])
    def test_only_the_coach_pauses_and_resumes(self, world, action):
        rel = cycle.active(world)
        if action == "resume":
            services.relationship_pause(actor=world.coach, relationship=rel)
        before = status_of(rel)
        for actor in (world.teacher, world.facilitator, world.district_admin):
            with pytest.raises(ValidationError) as excinfo:
                getattr(services, f"relationship_{action}")(actor=actor, relationship=rel)
            assert "Only the coach can do this." in messages(excinfo)
        assert status_of(rel) == before

    def test_a_member_teacher_may_end_it(self, world):
        rel = cycle.active(world)
        services.relationship_end(actor=world.teacher, relationship=rel)
        assert status_of(rel) == ST.ENDED

    @pytest.mark.parametrize("persona", ["teacher_other_campus", "facilitator", "campus_leader", "district_admin"])
    def test_outsiders_may_not_end_it(self, world, persona):
        rel = cycle.active(world)
        with pytest.raises(ValidationError):
            services.relationship_end(actor=world.persona(persona), relationship=rel)
        assert status_of(rel) == ST.ACTIVE


class TestEndingCancelsWhatIsToCome:
    def test_future_sessions_are_cancelled_and_schedules_stopped(self, world, django_capture_on_commit_callbacks):
        rel = cycle.active(world)
        now = timezone.now()
        first = (now + datetime.timedelta(days=2)).replace(microsecond=0)
        series = services.schedule_create(
            actor=world.coach,
            relationship=rel,
            first_start=first,
            until=(first + datetime.timedelta(days=60)).date(),
            protocol=cycle.protocol(),
            interval_weeks=2,
        )
        one_off = services.session_schedule(
            actor=world.coach,
            relationship=rel,
            starts_at=now + datetime.timedelta(days=3),
            protocol=cycle.protocol("intake"),
        )
        past = services.session_schedule(
            actor=world.coach,
            relationship=rel,
            starts_at=now - datetime.timedelta(days=3),
            protocol=cycle.protocol("check-in"),
        )
        held = services.session_complete(actor=world.coach, session=past, next_steps="Try it")
        future_ids = set(series.sessions.values_list("pk", flat=True)) | {one_off.pk}
        assert len(future_ids) >= 5

        services.relationship_end(actor=world.coach, relationship=rel)

        cancelled = CoachingSession.objects.filter(pk__in=future_ids)
        assert set(cancelled.values_list("status", flat=True)) == {SessionStatus.CANCELLED}
        assert all(s.cancel_reason for s in cancelled)
        held.refresh_from_db()
        assert held.status == SessionStatus.HELD
        series.refresh_from_db()
        assert series.stopped_at is not None
        assert series.sequence == 1
        assert series.until == timezone.localdate()
        assert not SessionSeries.objects.filter(relationship=rel, stopped_at__isnull=True).exists()

    def test_scheduling_after_the_end_is_refused(self, world):
        rel = cycle.active(world)
        services.relationship_end(actor=world.coach, relationship=rel)
        rel.refresh_from_db()
        with pytest.raises(ValidationError) as excinfo:
            services.session_schedule(
                actor=world.coach,
                relationship=rel,
                starts_at=timezone.now() + datetime.timedelta(days=1),
                protocol=cycle.protocol(),
            )
        assert "it is ended" in messages(excinfo)

    def test_scheduling_while_paused_is_refused(self, world):
        rel = services.relationship_pause(actor=world.coach, relationship=cycle.active(world))
        with pytest.raises(ValidationError):
            services.schedule_create(
                actor=world.coach,
                relationship=rel,
                first_start=timezone.now() + datetime.timedelta(days=1),
                until=timezone.localdate() + datetime.timedelta(days=30),
                protocol=cycle.protocol(),
            )


# Intake ------------------------------------------------------------------------------


class TestIntake:
    def test_the_teacher_records_answers_and_placements(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        nodes, levels = cycle.components(version, 2), cycle.levels(version)
        intake = services.intake_record(
            actor=world.teacher,
            relationship=rel,
            teacher=world.teacher,
            framework_version=version,
            placements={str(nodes[0].pk): str(levels[0].pk), nodes[1].pk: levels[1].pk},
            strengths="  Warm relationships  ",
            interests="Questioning",
        )
        assert intake.strengths == "Warm relationships"
        placements = Placement.objects.filter(intake=intake).order_by("node__outline")
        assert [(p.node, p.level, p.source, p.teacher) for p in placements] == [
            (nodes[0], levels[0], PlacementSource.INTAKE, world.teacher),
            (nodes[1], levels[1], PlacementSource.INTAKE, world.teacher),
        ]
        assert all(p.placed_on == timezone.localdate() and p.district_id == world.district.pk for p in placements)

    def test_recording_again_updates_the_one_intake_and_replaces_its_placements(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        nodes, levels = cycle.components(version, 2), cycle.levels(version)
        services.intake_record(
            actor=world.teacher,
            relationship=rel,
            teacher=world.teacher,
            framework_version=version,
            placements={nodes[0].pk: levels[0].pk},
            interests="First",
        )
        intake = services.intake_record(
            actor=world.coach,
            relationship=rel,
            teacher=world.teacher,
            framework_version=version,
            placements={nodes[1].pk: levels[2].pk},
            interests="Second",
        )
        assert Intake.objects.filter(relationship=rel).count() == 1
        assert intake.interests == "Second"
        assert [(p.node, p.level) for p in intake.placements.all()] == [(nodes[1], levels[2])]
        assert AuditEntry.objects.filter(action="coaching_intake.update", object_id=str(intake.pk)).exists()

    def test_a_node_of_another_framework_version_is_refused(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        _other, foreign_node, _level = cycle.other_version()
        with pytest.raises(ValidationError) as excinfo:
            services.intake_record(
                actor=world.teacher,
                relationship=rel,
                teacher=world.teacher,
                framework_version=version,
                placements={foreign_node.pk: cycle.levels(version)[0].pk},
            )
        assert "placements" in excinfo.value.message_dict
        assert not Intake.objects.exists()

    def test_a_level_of_another_framework_version_is_refused(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        _other, _node, foreign_level = cycle.other_version()
        with pytest.raises(ValidationError) as excinfo:
            services.intake_record(
                actor=world.teacher,
                relationship=rel,
                teacher=world.teacher,
                framework_version=version,
                placements={cycle.components(version, 1)[0].pk: foreign_level.pk},
            )
        assert "placements" in excinfo.value.message_dict
        assert not Placement.objects.exists()

    @pytest.mark.parametrize("persona", ["facilitator", "campus_leader", "district_admin", "teacher_other_campus"])
    def test_only_the_teacher_or_coach_records_it(self, world, persona):
        rel = cycle.active(world)
        with pytest.raises(ValidationError) as excinfo:
            services.intake_record(
                actor=world.persona(persona),
                relationship=rel,
                teacher=world.teacher,
                framework_version=cycle.starter_version(),
            )
        assert "Only the teacher and their coach" in messages(excinfo)

    def test_the_teacher_must_be_in_the_relationship(self, world):
        rel = cycle.active(world)
        with pytest.raises(ValidationError):
            services.intake_record(
                actor=world.coach,
                relationship=rel,
                teacher=world.teacher_other_campus,
                framework_version=cycle.starter_version(),
            )

    def test_an_ended_relationship_takes_no_intake(self, world):
        rel = services.relationship_end(actor=world.coach, relationship=cycle.active(world))
        with pytest.raises(ValidationError):
            services.intake_record(
                actor=world.teacher,
                relationship=rel,
                teacher=world.teacher,
                framework_version=cycle.starter_version(),
            )

    @pytest.mark.parametrize("count", [1, 3])
    def test_confirming_one_to_three_focus_areas(self, world, count):
        rel = cycle.active(world)
        version = cycle.starter_version()
        intake = services.intake_record(
            actor=world.teacher, relationship=rel, teacher=world.teacher, framework_version=version
        )
        nodes = cycle.components(version, count)
        intake = services.intake_confirm_focus(actor=world.coach, intake=intake, nodes=nodes)
        assert set(intake.focus_nodes.all()) == set(nodes)
        assert intake.confirmed_at is not None

    @pytest.mark.parametrize("count", [0, 4])
    def test_zero_or_four_focus_areas_are_refused(self, world, count):
        rel = cycle.active(world)
        version = cycle.starter_version()
        intake = services.intake_record(
            actor=world.teacher, relationship=rel, teacher=world.teacher, framework_version=version
        )
        with pytest.raises(ValidationError) as excinfo:
            services.intake_confirm_focus(actor=world.teacher, intake=intake, nodes=cycle.components(version, count))
        assert "one to three" in messages(excinfo)
        intake.refresh_from_db()
        assert intake.confirmed_at is None and not intake.focus_nodes.exists()

    def test_an_ended_relationship_takes_no_focus(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        intake = services.intake_record(
            actor=world.teacher, relationship=rel, teacher=world.teacher, framework_version=version
        )
        services.relationship_end(actor=world.coach, relationship=rel)
        intake.relationship.refresh_from_db()
        with pytest.raises(ValidationError):
            services.intake_confirm_focus(actor=world.teacher, intake=intake, nodes=cycle.components(version, 1))

    def test_placement_ids_that_are_not_numbers_are_refused(self, world):
        rel = cycle.active(world)
        with pytest.raises(ValidationError) as excinfo:
            services.intake_record(
                actor=world.teacher,
                relationship=rel,
                teacher=world.teacher,
                framework_version=cycle.starter_version(),
                placements={"abc": "1"},
            )
        assert "placements" in excinfo.value.message_dict

    def test_a_focus_area_of_another_version_is_refused(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        intake = services.intake_record(
            actor=world.teacher, relationship=rel, teacher=world.teacher, framework_version=version
        )
        _other, foreign_node, _level = cycle.other_version()
        with pytest.raises(ValidationError) as excinfo:
            services.intake_confirm_focus(
                actor=world.teacher, intake=intake, nodes=[cycle.components(version, 1)[0], foreign_node]
            )
        assert "nodes" in excinfo.value.message_dict

    @pytest.mark.parametrize("persona", ["facilitator", "campus_leader", "district_admin"])
    def test_only_the_teacher_or_coach_confirms_the_focus(self, world, persona):
        rel = cycle.active(world)
        version = cycle.starter_version()
        intake = services.intake_record(
            actor=world.teacher, relationship=rel, teacher=world.teacher, framework_version=version
        )
        with pytest.raises(ValidationError):
            services.intake_confirm_focus(
                actor=world.persona(persona), intake=intake, nodes=cycle.components(version, 1)
            )

    def test_the_audit_log_keeps_the_answers_out(self, world):
        rel = cycle.active(world)
        services.intake_record(
            actor=world.teacher,
            relationship=rel,
            teacher=world.teacher,
            framework_version=cycle.starter_version(),
            constraints="Caring for a parent after school",
        )
        entries = AuditEntry.objects.filter(object_type="coaching.intake")
        assert entries.exists()
        assert not any("Caring for a parent" in f"{e.before} {e.after} {e.object_repr}" for e in entries)


# Placements ------------------------------------------------------------------------


class TestPlacement:
    def test_a_teacher_places_themselves(self, world):
        version = cycle.starter_version()
        node, level = cycle.components(version, 1)[0], cycle.levels(version)[1]
        placement = services.placement_record(actor=world.teacher, node=node, level=level)
        assert (placement.teacher, placement.node, placement.level) == (world.teacher, node, level)
        assert placement.source == PlacementSource.SELF
        assert placement.intake is None
        assert placement.placed_on == timezone.localdate()
        assert placement.district_id == world.district.pk

    def test_a_level_of_another_continuum_is_refused(self, world):
        version = cycle.starter_version()
        _other, _node, foreign_level = cycle.other_version()
        with pytest.raises(ValidationError) as excinfo:
            services.placement_record(actor=world.teacher, node=cycle.components(version, 1)[0], level=foreign_level)
        assert "level" in excinfo.value.message_dict
        assert not Placement.objects.exists()

    def test_service_center_staff_have_no_district_continuum(self, world):
        version = cycle.starter_version()
        with pytest.raises(ValidationError):
            services.placement_record(
                actor=world.facilitator, node=cycle.components(version, 1)[0], level=cycle.levels(version)[0]
            )
