"""Action steps: proposing one (from the library or in one's own words), its page, practice, follow-up, moves.

A step is read by its teacher and the coaches who support the teacher, and by
no one else (404). Who may make each move is the service's rule; the pages only
offer each person the moves that are theirs and show a refusal in plain words.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from trellis.coaching.access import access_session, access_step
from trellis.coaching.forms.sessions import (
    FollowUpForm,
    PracticeRoundForm,
    StepAgreeForm,
    StepMasterForm,
    StepProposeForm,
    StepSupersedeForm,
)
from trellis.coaching.models import CoachingStep, RelationshipStatus, RoundQuality, StepState
from trellis.coaching.selectors import dashboards as selectors
from trellis.coaching.services import (
    practice_round_add,
    step_agree,
    step_drop,
    step_follow_up,
    step_implement,
    step_master,
    step_propose,
    step_propose_from_observation,
    step_retry,
    step_supersede,
)
from trellis.coaching.services.common import coaches
from trellis.frameworks import selectors as library
from trellis.frameworks.forms import LibraryFilterForm
from trellis.frameworks.models import FrameworkNode
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.observations.access import access_observation
from trellis.observations.views.common import access_coached_teacher, add_service_errors
from trellis.orgs.roles import roles_of

# The road a step travels, shown as a progression.
PROGRESSION = [
    (StepState.PROPOSED, gettext_lazy("Proposed")),
    (StepState.AGREED, gettext_lazy("Agreed")),
    (StepState.PRACTISING, gettext_lazy("Practising")),
    (StepState.IMPLEMENTING, gettext_lazy("Using it in class")),
    (StepState.FOLLOW_UP, gettext_lazy("Follow-up")),
    (StepState.MASTERED, gettext_lazy("Mastered")),
]
# Moves only a coach makes; the others are the teacher's (a coach may record them in a meeting).
COACH_ONLY = {"retry", "supersede"}
ACTIONS = {
    "agree": {
        "title": gettext_lazy("Agree this action step"),
        "text": gettext_lazy(
            "You commit to practise this step and use it in class. Your coach follows it up by the date below."
        ),
        "button": gettext_lazy("Agree the step"),
        "done": gettext_lazy("The step is agreed. Follow-up is due on %(date)s."),
    },
    "implement": {
        "title": gettext_lazy("Using the step in class"),
        "text": gettext_lazy("Your coach then plans a follow-up visit to see the step in class."),
        "button": gettext_lazy("I'm using it in class"),
        "done": gettext_lazy("Noted: the step is in use in class. Your coach follows it up next."),
    },
    "retry": {
        "title": gettext_lazy("Not yet: back to practice"),
        "text": gettext_lazy(
            "The follow-up showed the step is not consistent yet. It goes back to practice, with a new follow-up date."
        ),
        "button": gettext_lazy("Back to practice"),
        "done": gettext_lazy("The step is back in practice. Follow-up is due on %(date)s."),
    },
    "supersede": {
        "title": gettext_lazy("Supersede this action step?"),
        "text": gettext_lazy(
            "A higher-leverage step takes priority. This step closes and stays in the history; it cannot be reopened."
        ),
        "button": gettext_lazy("Supersede the step"),
        "danger": True,
        "done": gettext_lazy("The step is superseded."),
    },
    "drop": {
        "title": gettext_lazy("Drop this proposed step?"),
        "text": gettext_lazy("The step was not agreed. It closes and stays in the history; it cannot be reopened."),
        "button": gettext_lazy("Drop the step"),
        "danger": True,
        "done": gettext_lazy("The step is dropped."),
    },
    "master": {
        "title": gettext_lazy("Mark this step mastered?"),
        "text": gettext_lazy(
            "Do this when you and your coach agree the look-fors are consistently in place. "
            "The step moves to the history of mastered steps."
        ),
        "button": gettext_lazy("Mark mastered"),
        "done": gettext_lazy("Mastered. Well done!"),
    },
}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next_url(request) -> str:
    """A ``next`` path on this site (the session screen a form was sent from), or empty."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _done(request, step):
    return redirect(_next_url(request) or reverse("coaching:step-detail", args=[step.pk]))


def _require_coach_role(user):
    roles = roles_of(user)
    if not (roles.is_coach or roles.is_facilitator):
        raise PermissionDenied


def _require_coach_of(user, step):
    """Practice, follow-up and the coach's moves: the coaches who support the teacher (the teacher gets 403)."""
    if step.teacher_id == user.pk or not coaches(user, step.teacher):
        raise PermissionDenied


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Proposing a step ----------------------------------------------------------------------------------------------------


def _library_context(request, teacher):
    """The library the coach browses, narrowed by search and filters, one page of steps."""
    libraries = list(selectors.district_libraries(request.user, teacher.district_id))
    wanted = _int(request.GET.get("library"))
    chosen = next((lib for lib in libraries if lib.pk == wanted), libraries[0] if libraries else None)
    if chosen is None:
        return {"libraries": [], "library": None, "page_obj": None, "filter_form": None, "filtered": False}
    options = library.library_filter_options(chosen)
    filter_form = LibraryFilterForm(request.GET, options=options)
    filter_form.is_valid()
    data = getattr(filter_form, "cleaned_data", {})
    node_ids = {data["component"]} if data.get("component") else None
    if data.get("domain"):
        below = set(options.below.get(data["domain"], []))
        node_ids = below if node_ids is None else node_ids & below
    phase = next((p for p in options.phases if p.pk == data.get("phase")), None)
    q = (data.get("q") or "").strip()
    steps = library.library_steps(chosen, q=q, node_ids=node_ids, phase=phase)
    page_obj = paginate(request, steps, library.STEPS_PER_PAGE)
    return {
        "libraries": libraries,
        "library": chosen,
        "filter_form": filter_form,
        "page_obj": page_obj,
        "filtered": bool(q or node_ids is not None or phase),
    }


@login_required
@require_http_methods(["GET", "POST"])
def step_create_view(request):
    _require_coach_role(request.user)
    if not request.GET.get("teacher"):
        messages.info(request, _("Choose the teacher first: each row of your caseload has a link to propose a step."))
        return redirect("coaching:caseload")
    teacher = access_coached_teacher(request.user, request.GET["teacher"])
    observation = None
    if request.GET.get("observation"):
        observation = access_observation(request.user, request.GET["observation"])
        if observation.teacher_id != teacher.pk:
            raise Http404
    relationships = selectors.coach_relationships(request.user, teacher)
    relationship_list = list(relationships)

    if request.method == "POST" and request.POST.get("from_observation"):
        if observation is None:
            raise Http404
        wanted = _int(request.POST.get("relationship"))
        relationship = next((r for r in relationship_list if r.pk == wanted), None)
        try:
            step = step_propose_from_observation(actor=request.user, observation=observation, relationship=relationship)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(_next_url(request) or reverse("coaching:caseload"))
        messages.success(
            request,
            _("“%(title)s” is proposed to %(name)s, who agrees it with a follow-up date.")
            % {"title": step.title, "name": teacher.display_name},
        )
        return _done(request, step)

    browse = _library_context(request, teacher)
    allowed_steps = selectors.steps_for_teacher_district(request.user, teacher.district_id)
    page_steps = list(browse["page_obj"].object_list) if browse["page_obj"] else []
    posted = _int(request.POST.get("library_step")) if request.method == "POST" else None
    proposed_id = observation.proposed_step_id if observation is not None else None
    extra_ids = {pk for pk in (posted, proposed_id) if pk} - {s.pk for s in page_steps}
    extra = list(allowed_steps.filter(pk__in=extra_ids)) if extra_ids else []
    choosable = page_steps + extra
    areas = selectors.area_choices(teacher.district_id)
    if observation is not None and observation.growth_node_id and observation.growth_node_id not in dict(areas):
        node = observation.growth_node
        areas.append((node.pk, f"{node.code} {node.title or node.statement[:80]}".strip()))
    active = [r for r in relationship_list if r.status == RelationshipStatus.ACTIVE]
    initial = {"relationship": active[0].pk if len(active) == 1 else None}
    if observation is not None:
        initial.update(
            {
                "title": observation.proposed_step_text,
                "library_step": observation.proposed_step_id,
                "node": observation.growth_node_id,
            }
        )
    form = StepProposeForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        library_steps=choosable,
        areas=areas,
        relationships=relationships,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        library_step = next((s for s in choosable if s.pk == data.get("library_step")), None)
        node = FrameworkNode.objects.filter(pk=data["node"]).first() if data.get("node") else None
        try:
            step = step_propose(
                actor=request.user,
                teacher=teacher,
                title=data.get("title", ""),
                look_fors=data.get("look_fors", ""),
                library_step=library_step,
                node=node,
                relationship=data.get("relationship"),
                source_observation=observation,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The step is proposed to %(name)s, who agrees it with a follow-up date before practice begins.")
                % {"name": teacher.display_name},
            )
            return redirect("coaching:step-detail", step.pk)
    chosen_step = form["library_step"].value()
    context = {
        "teacher": teacher,
        "observation": observation,
        "form": form,
        "chosen_step": str(chosen_step) if chosen_step not in (None, "") else "",
        "extra_steps": extra,
        "query_string": query_string_without_page(request),
        **browse,
    }
    return render(request, "coaching/step_create.html", context)


# The step's page ----------------------------------------------------------------------------------------------------


def _progression(step) -> list[dict]:
    states = [state for state, _label in PROGRESSION]
    at = states.index(step.state) if step.state in states else -1
    return [
        {"state": state, "label": label, "done": i < at, "current": i == at}
        for i, (state, label) in enumerate(PROGRESSION)
    ]


def _detail_context(request, step, **extra) -> dict:
    user = request.user
    is_teacher = step.teacher_id == user.pk
    is_coach = not is_teacher  # the firewall lets only the teacher and their coaches read a step
    step.is_overdue = selectors.is_overdue(step)
    readable = selectors.readable_observation_ids(user, [step.source_observation_id, step.follow_up_observation_id])
    rounds = selectors.step_rounds(step)
    follow_up_default = selectors.session_default_follow_up(step.district_id)
    context = {
        "step": step,
        "is_teacher": is_teacher,
        "is_coach": is_coach,
        "progression": _progression(step),
        "closed": step.state in (StepState.SUPERSEDED, StepState.DROPPED),
        "rounds": rounds,
        "evidence": selectors.step_mastery_evidence(step) if step.follow_up_observation_id else [],
        "source_readable": step.source_observation_id in readable,
        "follow_up_readable": step.follow_up_observation_id in readable,
        "qualities": RoundQuality.choices,
        "next_round": len(rounds) + 1,
        "follow_up_default": follow_up_default,
        "today": timezone.localdate(),
        "can_practise": is_coach and step.state in (StepState.AGREED, StepState.PRACTISING, StepState.FOLLOW_UP),
        "practice_form": PracticeRoundForm(),
        "agree_form": StepAgreeForm(initial={"follow_up_due": follow_up_default}),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def step_detail(request, pk):
    step = access_step(request.user, pk)
    return render(request, "coaching/step_detail.html", _detail_context(request, step))


@login_required
@require_http_methods(["GET", "POST"])
def step_practice_view(request, pk):
    step = access_step(request.user, pk)
    _require_coach_of(request.user, step)
    form = PracticeRoundForm(request.POST or None)
    next_url = _next_url(request)
    if request.method == "POST":
        session = access_session(request.user, request.POST["session"]) if request.POST.get("session") else None
        if form.is_valid():
            try:
                practice = practice_round_add(actor=request.user, step=step, session=session, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Round %(n)s is recorded: %(quality)s.")
                    % {"n": practice.number, "quality": practice.get_quality_display().lower()},
                )
                return _done(request, step)
        if next_url:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return redirect(next_url)
    return render(
        request,
        "coaching/step_practice.html",
        {"step": step, "form": form, "rounds": selectors.step_rounds(step)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_follow_up_view(request, pk):
    step = access_step(request.user, pk)
    _require_coach_of(request.user, step)
    observations = selectors.follow_up_observations(request.user, step)
    wanted = _int(request.POST.get("observation") if request.method == "POST" else request.GET.get("observation"))
    if wanted is None and len(observations) == 1:
        wanted = observations[0].pk
    chosen = next((o for o in observations if o.pk == wanted), None)
    notes = selectors.observation_notes(chosen) if chosen else []
    form = FollowUpForm(
        request.POST if request.method == "POST" else None,
        initial={"observation": chosen.pk if chosen else None},
        observations=observations,
        notes=notes,
    )
    if request.method == "POST" and form.is_valid():
        ticked = set(form.cleaned_data["evidence"])
        try:
            step_follow_up(
                actor=request.user,
                step=step,
                observation=chosen,
                evidence_notes=[n for n in notes if n.pk in ticked],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The follow-up is linked. Mark the step mastered with %(name)s, or send it back to practice.")
                % {"name": step.teacher.display_name},
            )
            return redirect("coaching:step-detail", step.pk)
    ticked = {str(v) for v in (form["evidence"].value() or [])}
    context = {
        "step": step,
        "form": form,
        "observations": observations,
        "chosen": chosen,
        "notes": notes,
        "ticked": ticked,
        "ready": step.state == StepState.IMPLEMENTING,
    }
    return render(request, "coaching/step_follow_up.html", context)


# Moves ---------------------------------------------------------------------------------------------------------------


def _action_form(action, step, data, follow_up_default):
    if action == "agree":
        return StepAgreeForm(data, initial={"follow_up_due": follow_up_default})
    if action == "master":
        return StepMasterForm(data)
    if action == "supersede":
        others = CoachingStep.objects.filter(pk__in=[s.pk for s in selectors.other_current_steps(step)])
        return StepSupersedeForm(data, steps=others.order_by("-created_at", "-id"))
    return forms.Form(data)


def _apply(action, actor, step, data):
    if action == "agree":
        return step_agree(actor=actor, step=step, follow_up_due=data["follow_up_due"])
    if action == "implement":
        return step_implement(actor=actor, step=step)
    if action == "retry":
        return step_retry(actor=actor, step=step)
    if action == "supersede":
        return step_supersede(actor=actor, step=step, by=data.get("by"))
    if action == "drop":
        return step_drop(actor=actor, step=step)
    return step_master(actor=actor, step=step, note=data.get("note", ""))


@login_required
@require_http_methods(["GET", "POST"])
def step_action_view(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    step = access_step(request.user, pk)
    if action in COACH_ONLY:
        _require_coach_of(request.user, step)
    words = ACTIONS[action]
    follow_up_default = selectors.session_default_follow_up(step.district_id)
    form = _action_form(action, step, request.POST if request.method == "POST" else None, follow_up_default)
    if request.method == "POST" and form.is_valid():
        try:
            step = _apply(action, request.user, step, form.cleaned_data)
        except ValidationError as exc:
            if _next_url(request):
                messages.error(request, _error_text(exc))
                return redirect(_next_url(request))
            add_service_errors(form, exc)
        else:
            done = str(words["done"])
            if "%(date)s" in done:
                done = done % {"date": date_format(step.follow_up_due, "M j, Y") if step.follow_up_due else ""}
            messages.success(request, done)
            return _done(request, step)
    if request.method == "POST" and _next_url(request) and form.errors:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(_next_url(request))
    context = {
        "step": step,
        "action": action,
        "words": words,
        "form": form,
        "is_teacher": step.teacher_id == request.user.pk,
    }
    return render(request, "coaching/step_confirm.html", context)
