"""The coaching firewall for the coaching cycle: who lists, reads and changes each kind of record.

Two relationships with the same teacher: one led by ``coach``, one by
``facilitator`` (under district A's grant). Records that belong to a relationship
are seen by its teachers and by its own coach; a teacher's growth records (goals,
steps, placements) are seen by the teacher and by every coach who currently
supports them. Nobody else sees any of it: not the campus leader, not the
district admin. A facilitator loses it all the moment the grant is revoked.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from trellis.coaching import access, services
from trellis.coaching import models as m
from trellis.coaching.tests import cycle
from trellis.lib.rules import rule_for
from trellis.orgs.services import grant_revoke

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "campus_leader",
    "district_admin",
    "teacher_other_campus",
    "other_admin",
    "sc_admin",
    "facilitator_no_grant",
    "anonymous",
]
EVERYONE = ["teacher", "coach", "facilitator", *OUTSIDERS]

RELATIONSHIP_MODELS = [m.Relationship, m.RelationshipMember, m.Intake, m.SessionSeries, m.CoachingSession]
TEACHER_MODELS = [m.Goal, m.GoalDataPoint, m.StrategyTrial, m.CoachingStep, m.PracticeRound, m.Placement]

# Which groups of records each persona sees (see the module docstring).
SEES_RELATIONSHIP = {"teacher": {"coach", "fac"}, "coach": {"coach"}, "facilitator": {"fac"}}
SEES_TEACHER = {"teacher": {"coach", "fac"}, "coach": {"coach", "fac"}, "facilitator": {"coach", "fac"}}


def user(world, persona):
    return world.persona(persona) or AnonymousUser()


def _coaching(world, coach, tag, records):
    """A relationship led by ``coach`` with everything a cycle makes, filed under ``tag``."""
    rel = cycle.active(world, coach=coach)
    version = cycle.starter_version()
    node, level = cycle.components(version, 1)[0], cycle.levels(version)[0]
    intake = services.intake_record(
        actor=world.teacher,
        relationship=rel,
        teacher=world.teacher,
        framework_version=version,
        placements={node.pk: level.pk},
        interests="Questioning",
    )
    start = (timezone.now() + datetime.timedelta(days=2)).replace(microsecond=0)
    series = services.schedule_create(
        actor=coach,
        relationship=rel,
        first_start=start,
        until=(start + datetime.timedelta(days=28)).date(),
        protocol=cycle.protocol(),
    )
    one_off = services.session_schedule(
        actor=coach,
        relationship=rel,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        protocol=cycle.protocol("check-in"),
    )
    goal = services.goal_create(
        actor=coach,
        teacher=world.teacher,
        relationship=rel,
        statement="Every student talks",
        measure="Talk moves",
        baseline=Decimal("2"),
        target=Decimal("8"),
    )
    goal = services.goal_activate(actor=world.teacher, goal=goal)
    point = services.data_point_add(
        actor=world.teacher, goal=goal, recorded_on=timezone.localdate(), value=Decimal("4"), source="observation"
    )
    trial = services.trial_record(
        actor=world.teacher,
        goal=goal,
        strategy="Turn and talk",
        tried_on=timezone.localdate(),
        evidence="Counted",
        result="partly",
    )
    step = services.step_propose(actor=coach, teacher=world.teacher, title=f"Step from {tag}", relationship=rel)
    step = services.step_agree(actor=world.teacher, step=step)
    practice = services.practice_round_add(actor=coach, step=step, quality="close", session=one_off)
    rows = {
        m.Relationship: [rel.pk],
        m.RelationshipMember: list(rel.members.values_list("pk", flat=True)),
        m.Intake: [intake.pk],
        m.SessionSeries: [series.pk],
        m.CoachingSession: list(rel.sessions.values_list("pk", flat=True)),
        m.Goal: [goal.pk],
        m.GoalDataPoint: [point.pk],
        m.StrategyTrial: [trial.pk],
        m.CoachingStep: [step.pk],
        m.PracticeRound: [practice.pk],
        m.Placement: list(intake.placements.values_list("pk", flat=True)),
    }
    for model, pks in rows.items():
        assert pks, model
        records.setdefault(model, {}).setdefault(tag, set()).update(pks)
    return rel


@pytest.fixture
def records(world):
    """{model: {tag: {pk}}} for the coach's and the facilitator's coaching of ``teacher``, and some noise."""
    records = {}
    records["coach_rel"] = _coaching(world, world.coach, "coach", records)
    records["fac_rel"] = _coaching(world, world.facilitator, "fac", records)
    # The teacher's own placement is a teacher record too.
    version = cycle.starter_version()
    own = services.placement_record(
        actor=world.teacher, node=cycle.components(version, 2)[1], level=cycle.levels(version)[1]
    )
    records[m.Placement]["coach"].add(own.pk)
    # Noise: district B's teacher's own goal and placement, seen by nobody here.
    goal_b = services.goal_create(actor=world.teacher_b, teacher=world.teacher_b, statement="B goal", measure="B")
    placement_b = services.placement_record(
        actor=world.teacher_b, node=cycle.components(version, 1)[0], level=cycle.levels(version)[0]
    )
    records[m.Goal]["noise"] = {goal_b.pk}
    records[m.Placement]["noise"] = {placement_b.pk}
    return records


def expected(records, model, tags) -> set:
    return set().union(*(records[model].get(tag, set()) for tag in tags))


def visible(model, person) -> set:
    return set(rule_for(model).visible(person).values_list("pk", flat=True))


def changeable(model, person) -> set:
    return set(rule_for(model).changeable(person).values_list("pk", flat=True))


class TestVisible:
    @pytest.mark.parametrize("model", RELATIONSHIP_MODELS, ids=lambda mdl: mdl.__name__)
    @pytest.mark.parametrize("persona", EVERYONE)
    def test_relationship_records(self, world, records, model, persona):
        tags = SEES_RELATIONSHIP.get(persona, set())
        assert visible(model, user(world, persona)) == expected(records, model, tags)

    @pytest.mark.parametrize("model", TEACHER_MODELS, ids=lambda mdl: mdl.__name__)
    @pytest.mark.parametrize("persona", EVERYONE)
    def test_teacher_records(self, world, records, model, persona):
        tags = SEES_TEACHER.get(persona, set())
        assert visible(model, user(world, persona)) == expected(records, model, tags)

    @pytest.mark.parametrize("model", RELATIONSHIP_MODELS + TEACHER_MODELS, ids=lambda mdl: mdl.__name__)
    def test_the_facilitator_loses_everything_when_the_grant_is_revoked(self, world, records, model):
        assert visible(model, world.facilitator)
        grant_revoke(actor=world.district_admin, grant=world.grant)
        assert visible(model, world.facilitator) == set()
        assert changeable(model, world.facilitator) == set()
        # The teacher and the district's own coach keep theirs.
        assert visible(model, world.teacher) == expected(records, model, {"coach", "fac"})
        assert visible(model, world.coach)

    def test_a_coach_loses_access_when_the_caseload_ends(self, world, records):
        from trellis.orgs.models import CaseloadAssignment

        CaseloadAssignment.objects.filter(coach=world.coach, teacher=world.teacher).update(
            valid_to=timezone.localdate() - datetime.timedelta(days=1)
        )
        for model in RELATIONSHIP_MODELS + TEACHER_MODELS:
            assert visible(model, world.coach) == set(), model
        assert visible(m.Relationship, world.teacher) == expected(records, m.Relationship, {"coach", "fac"})

    def test_a_shared_note_does_not_open_the_cycle_to_the_leader(self, world, records):
        note = services.note_create(actor=world.coach, teacher=world.teacher, title="Talk", body="Notes")
        services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
        for model in RELATIONSHIP_MODELS + TEACHER_MODELS:
            assert visible(model, world.campus_leader) == set(), model


class TestGroups:
    def test_group_members_see_the_relationship_and_its_sessions(self, world):
        other = cycle.extra_teachers(world, 1)[0]
        rel = cycle.active(world, teachers=[world.teacher, other])
        assert visible(m.Relationship, other) == {rel.pk}

    def test_a_peers_placements_stay_private(self, world):
        other = cycle.extra_teachers(world, 1)[0]
        rel = cycle.active(world, teachers=[world.teacher, other])
        version = cycle.starter_version()
        intake = services.intake_record(
            actor=world.teacher,
            relationship=rel,
            teacher=world.teacher,
            framework_version=version,
            placements={cycle.components(version, 1)[0].pk: cycle.levels(version)[0].pk},
        )
        assert visible(m.Placement, other) == set()
        assert visible(m.Placement, world.teacher) == set(intake.placements.values_list("pk", flat=True))

    def test_a_peers_intake_stays_private(self, world):
        other = cycle.extra_teachers(world, 1)[0]
        rel = cycle.active(world, teachers=[world.teacher, other])
        intake = services.intake_record(
            actor=world.teacher,
            relationship=rel,
            teacher=world.teacher,
            framework_version=cycle.starter_version(),
            constraints="Caring for a parent after school",
        )
        assert intake.pk in visible(m.Intake, world.teacher)
        assert intake.pk in visible(m.Intake, world.coach)
        assert intake.pk not in visible(m.Intake, other)
        with pytest.raises(Http404):
            access.access_intake(other, intake.pk)


class TestChangeable:
    @pytest.mark.parametrize("persona", EVERYONE)
    @pytest.mark.parametrize(
        ("model", "sees"),
        [
            (m.Relationship, {"coach": {"coach"}, "facilitator": {"fac"}}),
            (m.SessionSeries, {"coach": {"coach"}, "facilitator": {"fac"}}),
            (m.CoachingSession, {"coach": {"coach"}, "facilitator": {"fac"}}),
            (m.Intake, SEES_RELATIONSHIP),
            (m.RelationshipMember, SEES_RELATIONSHIP),
            (m.Goal, SEES_TEACHER),
            (m.GoalDataPoint, SEES_TEACHER),
            (m.StrategyTrial, SEES_TEACHER),
            (m.CoachingStep, SEES_TEACHER),
            (m.PracticeRound, SEES_TEACHER),
            (m.Placement, {"teacher": {"coach", "fac"}}),
        ],
        ids=lambda v: v.__name__ if isinstance(v, type) else "",
    )
    def test_who_changes_what(self, world, records, model, sees, persona):
        assert changeable(model, user(world, persona)) == expected(records, model, sees.get(persona, set()))


class TestSharedData:
    @pytest.fixture
    def own(self, world):
        return {
            m.CycleModel: m.CycleModel.objects.create(district=world.district, key="ours", name="Ours"),
            m.Protocol: m.Protocol.objects.create(district=world.district, key="ours", name="Ours", purpose="other"),
        }

    @pytest.mark.parametrize("model", [m.CycleModel, m.Protocol], ids=lambda mdl: mdl.__name__)
    @pytest.mark.parametrize("persona", EVERYONE)
    def test_shipped_for_everyone_a_districts_own_for_its_people(self, world, own, model, persona):
        shipped = set(model.objects.filter(district=None).values_list("pk", flat=True))
        assert shipped
        district_a = {"teacher", "coach", "campus_leader", "district_admin", "teacher_other_campus", "facilitator"}
        if persona == "anonymous":
            want = set()
        elif persona in district_a:
            want = shipped | {own[model].pk}
        else:
            want = shipped
        assert visible(model, user(world, persona)) == want
        assert changeable(model, user(world, persona)) == ({own[model].pk} if persona == "district_admin" else set())

    @pytest.mark.parametrize("model", [m.CycleModel, m.Protocol], ids=lambda mdl: mdl.__name__)
    def test_the_facilitator_uses_the_districts_own_only_under_the_grant(self, world, own, model):
        assert own[model].pk in visible(model, world.facilitator)
        grant_revoke(actor=world.district_admin, grant=world.grant)
        assert own[model].pk not in visible(model, world.facilitator)

    @pytest.mark.parametrize("persona", EVERYONE)
    def test_the_policy_is_the_districts(self, world, persona):
        policy = m.CoachingPolicy.objects.create(district=world.district, max_open_steps=1)
        district_a = {"teacher", "coach", "campus_leader", "district_admin", "teacher_other_campus"}
        person = user(world, persona)
        assert visible(m.CoachingPolicy, person) == ({policy.pk} if persona in district_a else set())
        assert changeable(m.CoachingPolicy, person) == ({policy.pk} if persona == "district_admin" else set())


class TestFetch:
    @pytest.mark.parametrize(
        ("helper", "model", "tag"),
        [
            (access.access_relationship, m.Relationship, "coach"),
            (access.access_session, m.CoachingSession, "coach"),
            (access.access_intake, m.Intake, "coach"),
            (access.access_goal, m.Goal, "coach"),
            (access.access_step, m.CoachingStep, "coach"),
        ],
        ids=["relationship", "session", "intake", "goal", "step"],
    )
    @pytest.mark.parametrize("persona", OUTSIDERS)
    def test_outsiders_get_404(self, world, records, helper, model, tag, persona):
        pk = min(records[model][tag])
        for write in (False, True):
            with pytest.raises(Http404):
                helper(user(world, persona), pk, write=write)

    def test_the_coach_reads_and_changes(self, world, records):
        rel_pk = min(records[m.Relationship]["coach"])
        assert access.access_relationship(world.coach, rel_pk, write=True).pk == rel_pk
        session_pk = min(records[m.CoachingSession]["coach"])
        assert access.access_session(world.coach, session_pk, write=True).pk == session_pk
        assert access.access_step(world.coach, min(records[m.CoachingStep]["coach"]), write=True)
        assert access.access_goal(world.coach, min(records[m.Goal]["coach"]), write=True)

    def test_the_teacher_reads_but_does_not_change_the_relationship_or_session(self, world, records):
        rel_pk = min(records[m.Relationship]["coach"])
        session_pk = min(records[m.CoachingSession]["coach"])
        assert access.access_relationship(world.teacher, rel_pk).pk == rel_pk
        assert access.access_session(world.teacher, session_pk).pk == session_pk
        with pytest.raises(PermissionDenied):
            access.access_relationship(world.teacher, rel_pk, write=True)
        with pytest.raises(PermissionDenied):
            access.access_session(world.teacher, session_pk, write=True)
        # Their own goals and steps they change.
        assert access.access_goal(world.teacher, min(records[m.Goal]["coach"]), write=True)
        assert access.access_step(world.teacher, min(records[m.CoachingStep]["coach"]), write=True)

    def test_another_coachs_relationship_is_404_but_the_teachers_steps_are_shared(self, world, records):
        coach_rel = min(records[m.Relationship]["coach"])
        with pytest.raises(Http404):
            access.access_relationship(world.facilitator, coach_rel)
        with pytest.raises(Http404):
            access.access_session(world.facilitator, min(records[m.CoachingSession]["coach"]))
        step_pk = min(records[m.CoachingStep]["coach"])
        assert access.access_step(world.facilitator, step_pk, write=True).pk == step_pk

    def test_the_facilitator_gets_404_once_the_grant_is_revoked(self, world, records):
        rel_pk = min(records[m.Relationship]["fac"])
        step_pk = min(records[m.CoachingStep]["fac"])
        goal_pk = min(records[m.Goal]["fac"])
        assert access.access_relationship(world.facilitator, rel_pk, write=True).pk == rel_pk
        grant_revoke(actor=world.district_admin, grant=world.grant)
        for helper, pk in (
            (access.access_relationship, rel_pk),
            (access.access_step, step_pk),
            (access.access_goal, goal_pk),
        ):
            with pytest.raises(Http404):
                helper(world.facilitator, pk)

    @pytest.mark.parametrize("pk", ["abc", None, 0, 10**9])
    def test_bad_and_unknown_ids_are_404(self, world, records, pk):
        for helper in (access.access_relationship, access.access_step, access.access_goal):
            with pytest.raises(Http404):
                helper(world.coach, pk)
