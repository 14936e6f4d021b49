"""Goals: the teacher's goal and its measure, data over time, the strategies tried, and the goal's moves.

A goal is read and worked on by its teacher and the coaches who support the
teacher (404 for anyone else). The teacher sets goals for themselves; a coach
sets one with a teacher from their caseload (``?teacher=``).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from trellis.coaching.access import access_goal, access_relationship
from trellis.coaching.forms.sessions import DataPointForm, GoalForm, TrialForm
from trellis.coaching.models import GoalStatus
from trellis.coaching.selectors import dashboards as selectors
from trellis.coaching.services import (
    GOAL_FIELDS,
    data_point_add,
    goal_activate,
    goal_close,
    goal_create,
    goal_revise,
    goal_update,
    trial_record,
)
from trellis.frameworks.models import FrameworkNode
from trellis.observations.access import access_observation
from trellis.observations.views.common import access_coached_teacher, add_service_errors
from trellis.orgs.roles import roles_of

ACTIONS = {
    "activate": {
        "title": gettext_lazy("Start working toward this goal?"),
        "text": gettext_lazy(
            "The goal becomes active: record data points as you go. It needs a baseline and a target to start."
        ),
        "button": gettext_lazy("Start the goal"),
        "done": gettext_lazy("The goal is active. Record data as you collect it."),
    },
    "met": {
        "title": gettext_lazy("Mark this goal met?"),
        "text": gettext_lazy("The goal closes as met and keeps its data. It needs data recorded since it started."),
        "button": gettext_lazy("Mark the goal met"),
        "done": gettext_lazy("Goal met. Well done!"),
    },
    "abandon": {
        "title": gettext_lazy("Set this goal aside?"),
        "text": gettext_lazy(
            "The goal closes and keeps its data and strategy trials; it cannot be reopened. "
            "To change a goal and keep working on it, revise it instead."
        ),
        "button": gettext_lazy("Set the goal aside"),
        "danger": True,
        "done": gettext_lazy("The goal is set aside."),
    },
    "revise": {
        "title": gettext_lazy("Revise this goal"),
        "text": gettext_lazy(
            "The goal as it stands is kept, with its data, as revised; the revised goal starts active from today."
        ),
        "button": gettext_lazy("Save the revised goal"),
        "done": gettext_lazy("The revised goal is active. The earlier version is kept with its data."),
    },
}


def _areas(goal_or_teacher_district_id, goal=None):
    """The framework areas a goal can name: the district framework's, plus those the goal names already."""
    areas = selectors.area_choices(goal_or_teacher_district_id)
    if goal is not None:
        known = dict(areas)
        areas += [
            (n.pk, f"{n.code} {n.title or n.statement[:80]}".strip()) for n in selectors.goal_nodes(goal)
            if n.pk not in known
        ]  # fmt: skip
    return areas


def _nodes(ids) -> list:
    return list(FrameworkNode.objects.filter(pk__in=list(ids or []))) if ids else []


def _goal_fields(data) -> dict:
    return {name: data[name] for name in GOAL_FIELDS if name in data}


def _initial(goal) -> dict:
    initial = {name: getattr(goal, name) for name in GOAL_FIELDS}
    initial["nodes"] = [n.pk for n in selectors.goal_nodes(goal)]
    return initial


def _whose_goal(request):
    """The teacher the new goal is for: oneself (a teacher) or, with ``?teacher=``, a teacher one coaches."""
    roles = roles_of(request.user)
    wanted = request.GET.get("teacher")
    if wanted and str(wanted) != str(request.user.pk):
        if not (roles.is_coach or roles.is_facilitator):
            raise PermissionDenied
        return access_coached_teacher(request.user, wanted)
    if not roles.is_teacher:
        if roles.is_coach or roles.is_facilitator:
            messages.info(request, _("Choose the teacher first: each row of your caseload has a link to set a goal."))
            return None
        raise PermissionDenied
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def goal_create_view(request):
    teacher = _whose_goal(request)
    if teacher is None:
        return redirect("coaching:caseload")
    relationship = None
    if request.GET.get("relationship"):
        relationship = access_relationship(request.user, request.GET["relationship"])
    areas = _areas(teacher.district_id)
    form = GoalForm(request.POST or None, areas=areas, initial={"kind": "teacher_practice"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal = goal_create(
                actor=request.user,
                teacher=teacher,
                relationship=relationship,
                nodes=_nodes(data.get("nodes")),
                **_goal_fields(data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The goal is saved as a draft. Start it once the baseline and the target are set."),
            )
            return redirect("coaching:goal-detail", goal.pk)
    context = {"form": form, "teacher": teacher, "relationship": relationship, "is_self": teacher.pk == request.user.pk}
    return render(request, "coaching/goal_form.html", context)


def _detail_context(request, goal, **extra) -> dict:
    progress = selectors.goal_progress(goal)
    observations = selectors.data_point_observations(request.user, goal.teacher)
    context = {
        "goal": goal,
        "is_teacher": goal.teacher_id == request.user.pk,
        "is_open": goal.status in (GoalStatus.DRAFT, GoalStatus.ACTIVE),
        "progress": progress,
        "nodes": selectors.goal_nodes(goal),
        "trials": selectors.goal_trials(goal),
        "data_form": DataPointForm(observations=observations),
        "revisions": list(goal.revisions.order_by("-created_at", "-id")[:1]),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def goal_detail(request, pk):
    goal = access_goal(request.user, pk)
    return render(request, "coaching/goal_detail.html", _detail_context(request, goal))


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal = access_goal(request.user, pk, write=True)
    if goal.status != GoalStatus.DRAFT:
        messages.info(request, _("Only a draft goal is edited; revise an active goal instead."))
        return redirect("coaching:goal-detail", goal.pk)
    form = GoalForm(request.POST or None, areas=_areas(goal.district_id, goal), initial=_initial(goal))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goal_update(
                actor=request.user,
                goal=goal,
                nodes=_nodes(data.get("nodes")) if "nodes" in form.fields else None,
                **_goal_fields(data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("coaching:goal-detail", goal.pk)
    context = {"form": form, "goal": goal, "teacher": goal.teacher, "is_self": goal.teacher_id == request.user.pk}
    return render(request, "coaching/goal_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_data_view(request, pk):
    goal = access_goal(request.user, pk, write=True)
    observations = selectors.data_point_observations(request.user, goal.teacher)
    form = DataPointForm(request.POST or None, observations=observations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        observation = access_observation(request.user, data["observation"]) if data.get("observation") else None
        try:
            data_point_add(
                actor=request.user,
                goal=goal,
                recorded_on=data["recorded_on"],
                value=data["value"],
                source=data["source"],
                note=data.get("note", ""),
                observation=observation,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The data point is recorded."))
            return redirect("coaching:goal-detail", goal.pk)
    return render(request, "coaching/goal_data.html", {"goal": goal, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def trial_create_view(request, pk):
    goal = access_goal(request.user, pk, write=True)
    form = TrialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            trial_record(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The strategy trial is recorded."))
            return redirect("coaching:goal-detail", goal.pk)
    return render(
        request,
        "coaching/trial_form.html",
        {"goal": goal, "form": form, "is_teacher": goal.teacher_id == request.user.pk},
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_action_view(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    goal = access_goal(request.user, pk, write=True)
    data = request.POST if request.method == "POST" else None
    if action == "revise":
        form = GoalForm(data, areas=_areas(goal.district_id, goal), initial=_initial(goal))
    else:
        form = forms.Form(data)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "activate":
                goal = goal_activate(actor=request.user, goal=goal)
            elif action == "met":
                goal = goal_close(actor=request.user, goal=goal, outcome=GoalStatus.MET)
            elif action == "abandon":
                goal = goal_close(actor=request.user, goal=goal, outcome=GoalStatus.ABANDONED)
            else:
                cleaned = form.cleaned_data
                goal = goal_revise(
                    actor=request.user,
                    goal=goal,
                    nodes=_nodes(cleaned.get("nodes")) if "nodes" in form.fields else None,
                    **_goal_fields(cleaned),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, ACTIONS[action]["done"])
            return redirect("coaching:goal-detail", goal.pk)
    context = {"goal": goal, "action": action, "words": ACTIONS[action], "form": form}
    return render(request, "coaching/goal_confirm.html", context)
