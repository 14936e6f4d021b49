"""Goals as pages: setting one with a measure, data over time as a chart with its table, trials, and moves."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.coaching import services
from trellis.coaching.models import Goal, GoalDataPoint, GoalStatus, StrategyTrial
from trellis.coaching.tests import authz_sessions as build

pytestmark = pytest.mark.django_db


def create_url(**params):
    url = reverse("coaching:goal-create")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def detail(goal):
    return reverse("coaching:goal-detail", args=[goal.pk])


def goal_action(goal, name):
    return reverse("coaching:goal-action", args=[goal.pk, name])


def goal_data(**overrides):
    data = {
        "kind": "student_outcome",
        "statement": "70% of my students explain their reasoning in writing.",
        "measure": "Exit tickets with a written explanation",
        "unit": "%",
        "baseline": "25",
        "target": "70",
        "collection": "Friday exit tickets",
    }
    data.update(overrides)
    return data


def test_teacher_sets_a_goal_for_themselves(world, client_for):
    node = build.component()
    response = client_for(world.teacher).post(create_url(), goal_data(nodes=[node.pk]))
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(goal)
    assert (goal.teacher, goal.created_by, goal.status, goal.kind) == (
        world.teacher,
        world.teacher,
        GoalStatus.DRAFT,
        "student_outcome",
    )
    assert (goal.baseline, goal.target, goal.unit) == (Decimal("25"), Decimal("70"), "%")
    assert list(goal.nodes.all()) == [node]


def test_coach_sets_a_goal_with_a_teacher_in_a_relationship(world, client_for):
    rel = build.relationship(world)
    client = client_for(world.coach)
    html = client.get(create_url(teacher=world.teacher.pk, relationship=rel.pk)).content.decode()
    assert "Set a goal with Ana Teacher" in html
    client.post(create_url(teacher=world.teacher.pk, relationship=rel.pk), goal_data())
    goal = Goal.objects.get()
    assert (goal.teacher, goal.created_by, goal.relationship) == (world.teacher, world.coach, rel)


def test_coach_cannot_set_goals_for_others(world, client_for):
    client = client_for(world.coach)
    assert client.get(create_url(teacher=world.teacher_other_campus.pk)).status_code == 404
    assert client.get(create_url(teacher=world.teacher_b.pk)).status_code == 404
    assert client.get(create_url(teacher="abc")).status_code == 404
    assert client_for(world.teacher).get(create_url(teacher=world.teacher_other_campus.pk)).status_code == 403
    # A relationship the teacher is not in is refused by the service, in words.
    tia_rel = build.relationship(world, coach=world.facilitator)
    response = client_for(world.facilitator).post(
        create_url(teacher=world.teacher.pk, relationship=tia_rel.pk), goal_data()
    )
    assert response.status_code == 302
    other = build.relationship(world)
    assert client_for(world.teacher_other_campus).get(create_url(relationship=other.pk)).status_code == 404


def test_goal_form_explains_what_is_missing(world, client_for):
    response = client_for(world.teacher).post(create_url(), goal_data(statement="", measure="", baseline="many"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write the goal in a sentence." in html
    assert "Say what you will measure to know the goal is met." in html
    assert "Enter the baseline as a number." in html
    response = client_for(world.teacher).post(create_url(), goal_data(nodes=[99999999]))
    assert "Choose areas of your district&#x27;s framework." in response.content.decode()
    assert not Goal.objects.exists()


def test_draft_is_edited_an_active_goal_is_not(world, client_for):
    goal = build.goal(world)
    client = client_for(world.teacher)
    edit = reverse("coaching:goal-edit", args=[goal.pk])
    assert "Edit the goal" in client.get(edit).content.decode()
    client.post(edit, goal_data(statement="Sharper statement"))
    assert Goal.objects.get(pk=goal.pk).statement == "Sharper statement"
    services.goal_activate(actor=world.teacher, goal=goal)
    response = client.get(edit)
    assert response.status_code == 302 and response["Location"] == detail(goal)


def test_start_needs_baseline_and_target(world, client_for):
    goal = build.goal(world, baseline=None, target=None)
    client = client_for(world.teacher)
    assert "Start working toward this goal?" in client.get(goal_action(goal, "activate")).content.decode()
    html = client.post(goal_action(goal, "activate")).content.decode()
    assert "Record where things stand now (the baseline) before starting." in html
    assert "Set the target the goal aims for before starting." in html
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.DRAFT
    goal.baseline, goal.target = 10, 50
    goal.save()
    client.post(goal_action(goal, "activate"))
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.ACTIVE


def test_progress_chart_with_its_table(world, client_for):
    goal = build.goal(world, active=True)
    client = client_for(world.teacher)
    assert "No data yet." in client.get(detail(goal)).content.decode()
    for days, value in ((14, "30"), (7, "41.5")):
        response = client.post(
            reverse("coaching:goal-data", args=[goal.pk]),
            {"recorded_on": (timezone.localdate() - datetime.timedelta(days=days)).isoformat(), "value": value,
             "source": "student_work", "note": "Friday tickets"},
        )  # fmt: skip
        assert response.status_code == 302
    assert GoalDataPoint.objects.filter(goal=goal).count() == 2
    html = client.get(detail(goal)).content.decode()
    assert '<img src="data:image/svg+xml;base64,' in html
    assert "The dashed line is the target: 60 %." in html
    assert "<td>41.50 <span" in html and "<td>30 <span" in html and "Baseline" in html


def test_data_point_mistakes_are_explained(world, client_for):
    goal = build.goal(world, active=True)
    url = reverse("coaching:goal-data", args=[goal.pk])
    client = client_for(world.teacher)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    html = client.post(url, {"recorded_on": tomorrow, "value": "3", "source": "survey"}).content.decode()
    assert "The date cannot be in the future." in html
    html = client.post(url, {"recorded_on": "yesterday", "value": "x", "source": ""}).content.decode()
    assert "Enter the date as a date" in html and "Enter a number." in html
    assert "Choose where the number comes from." in html
    html = client.post(url, {"recorded_on": "2025-01-01", "value": "1", "source": "survey", "observation": "9999"})
    assert "Choose one of the observations listed." in html.content.decode()
    assert not GoalDataPoint.objects.exists()


def test_data_point_links_an_observation(world, client_for):
    goal = build.goal(world, active=True)
    obs = build.observation(world)
    client_for(world.coach).post(
        reverse("coaching:goal-data", args=[goal.pk]),
        {"recorded_on": timezone.localdate().isoformat(), "value": "3", "source": "observation", "observation": obs.pk},
    )
    assert GoalDataPoint.objects.get().observation == obs
    # The teacher cannot link a visit that was not shared with them.
    response = client_for(world.teacher).post(
        reverse("coaching:goal-data", args=[goal.pk]),
        {"recorded_on": timezone.localdate().isoformat(), "value": "3", "source": "observation", "observation": obs.pk},
    )
    assert "Choose one of the observations listed." in response.content.decode()


def test_met_needs_data_since_the_start(world, client_for):
    goal = build.goal(world, active=True)
    client = client_for(world.teacher)
    html = client.post(goal_action(goal, "met")).content.decode()
    assert "Record at least one data point since the goal started before marking it met." in html
    services.data_point_add(
        actor=world.teacher, goal=goal, recorded_on=timezone.localdate(), value=61, source="student_work"
    )
    client.post(goal_action(goal, "met"))
    goal.refresh_from_db()
    assert goal.status == GoalStatus.MET
    html = client.get(detail(goal)).content.decode()
    assert "Record a data point" not in html and "Mark met" not in html
    response = client.post(reverse("coaching:goal-data", args=[goal.pk]),
                           {"recorded_on": timezone.localdate().isoformat(), "value": "3", "source": "survey"})  # fmt: skip
    assert "This goal is closed; its data can no longer change." in response.content.decode()


def test_set_aside_asks_first(world, client_for):
    goal = build.goal(world, active=True)
    client = client_for(world.coach)
    page = client.get(goal_action(goal, "abandon")).content.decode()
    assert "Set this goal aside?" in page and "cannot be reopened" in page and "button-danger" in page
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.ACTIVE
    client.post(goal_action(goal, "abandon"))
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.ABANDONED


def test_revise_keeps_the_old_goal_and_its_data(world, client_for):
    goal = build.goal(world, active=True)
    services.data_point_add(actor=world.teacher, goal=goal, recorded_on=timezone.localdate(), value=30,
                            source="student_work")  # fmt: skip
    client = client_for(world.teacher)
    page = client.get(goal_action(goal, "revise")).content.decode()
    assert "Revise this goal" in page and goal.statement in page
    response = client.post(goal_action(goal, "revise"), goal_data(statement="Revised: 60% by March", target="60"))
    new = Goal.objects.get(revised_from=goal)
    assert response["Location"] == detail(new)
    assert (new.status, new.target, new.statement) == (GoalStatus.ACTIVE, Decimal("60"), "Revised: 60% by March")
    goal.refresh_from_db()
    assert goal.status == GoalStatus.REVISED and goal.data_points.count() == 1
    assert detail(new) in client.get(detail(goal)).content.decode()
    assert detail(goal) in client.get(detail(new)).content.decode()


def test_unknown_goal_move_is_404(world, client_for):
    goal = build.goal(world)
    assert client_for(world.teacher).get(goal_action(goal, "delete")).status_code == 404


def test_strategy_trials(world, client_for):
    goal = build.goal(world, active=True)
    url = reverse("coaching:trial-create", args=[goal.pk])
    client = client_for(world.teacher)
    html = client.post(url, {"strategy": "Stems", "tried_on": timezone.localdate().isoformat(), "evidence": "",
                             "result": ""}).content.decode()  # fmt: skip
    assert "Say what data you gathered about its effect." in html and "Say whether it worked." in html
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    html = client.post(url, {"strategy": "Stems", "tried_on": tomorrow, "evidence": "x", "result": "worked"})
    assert "The date cannot be in the future." in html.content.decode()
    response = client.post(
        url,
        {"strategy": "Sentence stems", "tried_on": timezone.localdate().isoformat(), "evidence": "18 of 26 used one",
         "result": "partly", "reflection": "Model one aloud first."},
    )  # fmt: skip
    assert response.status_code == 302
    trial = StrategyTrial.objects.get()
    assert (trial.strategy, trial.result, trial.created_by) == ("Sentence stems", "partly", world.teacher)
    html = client.get(detail(goal)).content.decode()
    assert "Sentence stems" in html and "Model one aloud first." in html and "Partly" in html


def test_script_in_a_goal_is_escaped(world, client_for):
    goal = build.goal(world, statement="<script>alert(1)</script>", measure="<b>bold</b>")
    html = client_for(world.coach).get(detail(goal)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html


@pytest.mark.parametrize(
    "persona", ["campus_leader", "district_admin", "other_admin", "sc_admin", "teacher_other_campus",
                "facilitator_no_grant"],
)  # fmt: skip
def test_goal_content_is_behind_the_firewall(world, client_for, persona):
    goal = build.goal(world, active=True)
    client = client_for(getattr(world, persona))
    for url in (
        detail(goal),
        reverse("coaching:goal-edit", args=[goal.pk]),
        reverse("coaching:goal-data", args=[goal.pk]),
        reverse("coaching:trial-create", args=[goal.pk]),
        goal_action(goal, "met"),
    ):
        assert client.get(url).status_code == 404, url


def test_another_districts_goal_is_404(world, client_for):
    other = services.goal_create(actor=world.teacher_b, teacher=world.teacher_b, statement="B", measure="m")
    for person in (world.coach, world.teacher, world.facilitator_no_grant):
        assert client_for(person).get(detail(other)).status_code == 404
