"""The observation list, planning a visit, the read view and the steps after sharing."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from trellis.audit.services import audit_read
from trellis.coaching.access import access_share
from trellis.coaching.models import CoachingShare
from trellis.coaching.services import leaders_of, share_create, share_revoke
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.observations import models as m
from trellis.observations import selectors
from trellis.observations.access import access_observation
from trellis.observations.forms import AcknowledgeForm, FilterForm, LeaderShareForm, PlanForm
from trellis.observations.services import (
    notice_mark_read,
    observation_acknowledge,
    observation_cancel,
    observation_discussed,
    observation_plan,
    observation_start,
    observation_update_plan,
)
from trellis.observations.views.common import add_service_errors, may_observe_anyone
from trellis.orgs.roles import roles_of

User = get_user_model()

# The list's views, in the order they are offered. Each person gets the ones their roles call for.
SCOPES = {
    "made": gettext_lazy("Visits I made"),
    "mine": gettext_lazy("About me"),
    "campus": gettext_lazy("At my campus"),
    "district": gettext_lazy("District counts"),
}


def _scopes(user) -> list[str]:
    roles = roles_of(user)
    scopes = []
    if roles.is_coach or roles.is_facilitator or roles.is_campus_leader:
        scopes.append("made")
    if roles.is_teacher:
        scopes.append("mine")
    if roles.is_campus_leader:
        scopes.append("campus")
    if roles.is_district_admin:
        # District admins see counts, never a row: who was observed and how is coaching business.
        scopes.append("district")
    return scopes


@login_required
def observation_list(request):
    user = request.user
    scopes = _scopes(user)
    if not scopes:
        raise PermissionDenied
    scope = request.GET.get("view")
    if scope not in scopes:
        scope = scopes[0]
    base = reverse("observations:list")
    tabs = [{"key": key, "label": SCOPES[key], "url": f"{base}?view={key}", "current": key == scope} for key in scopes]
    context = {"tabs": tabs if len(tabs) > 1 else [], "scope": scope, "scope_label": SCOPES[scope]}
    if scope == "district":
        roles = roles_of(user)
        context["counts"] = selectors.district_counts(roles.admin_district_ids)
        return render(request, "observations/list.html", context)

    teachers = selectors.observed_teachers(user) if scope == "made" else None
    filter_form = FilterForm(request.GET or None, teachers=teachers)
    state = teacher = None
    invalid = False
    if filter_form.is_bound:
        if filter_form.is_valid():
            state = filter_form.cleaned_data.get("state") or None
            teacher = filter_form.cleaned_data.get("teacher")
        else:
            invalid = True
    if scope == "made":
        rows = selectors.observations_made(user, state=state, teacher=teacher)
    elif scope == "mine":
        rows = selectors.observations_about(user, state=state)
    else:
        rows = selectors.campus_observations(user, state=state)
    if invalid:
        # An unknown teacher id shows the error and no rows, never someone else's rows.
        rows = rows.none()
    page_obj = paginate(request, rows)
    context.update(
        {
            "filter_form": filter_form,
            "page_obj": page_obj,
            "rows": page_obj.object_list,
            "query_string": query_string_without_page(request),
            "can_plan": may_observe_anyone(user),
            "filtered": bool(state or teacher),
        }
    )
    return render(request, "observations/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def observation_create(request):
    user = request.user
    if not may_observe_anyone(user):
        raise PermissionDenied
    teachers = selectors.observable_teachers(user)
    teacher_list = list(teachers)
    district_ids = {t.district_id for t in teacher_list}
    frameworks = selectors.plan_frameworks(user, district_ids)
    framework_list = list(frameworks)
    components = selectors.components_by_version([fw.current_version_id for fw in framework_list])
    chosen = None
    wanted = request.GET.get("teacher")
    if wanted and wanted.isdigit():
        chosen = next((t for t in teacher_list if t.pk == int(wanted)), None)
    if chosen is None and len(teacher_list) == 1:
        chosen = teacher_list[0]
    district_id = chosen.district_id if chosen else (user.district_id or next(iter(district_ids), None))
    framework = selectors.default_framework(framework_list, district_id)
    initial = {"teacher": chosen, "framework": framework, "campus": selectors.campus_of(chosen) if chosen else None}
    form = PlanForm(
        request.POST or None,
        initial=initial,
        teachers=teachers,
        campuses=selectors.campuses_in(district_ids),
        frameworks=frameworks,
        components=components,
        step_choices=selectors.plan_step_choices(user, district_ids),
    )
    if request.method == "POST" and form.is_valid():
        fields = form.plan_fields()
        teacher = fields.pop("teacher")
        focus = fields.pop("focus_nodes")
        if fields["campus"] is None:
            fields["campus"] = selectors.campus_of(teacher)
        try:
            obs = observation_plan(actor=user, teacher=teacher, focus_nodes=focus, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if "start" in request.POST:
                observation_start(actor=user, obs=obs)
                return redirect("observations:capture", obs.pk)
            messages.success(
                request,
                _("The visit to %(name)s is planned. Open live capture when you arrive.")
                % {"name": teacher.display_name},
            )
            return redirect("observations:detail", obs.pk)
    return render(
        request,
        "observations/plan.html",
        {"form": form, "has_teachers": bool(teacher_list), "chosen": chosen},
    )


EDITABLE_STATES = (m.State.PLANNED, m.State.IN_PROGRESS, m.State.DRAFT)


def _plan_initial(obs) -> dict:
    return {
        "teacher": obs.teacher_id,
        "kind": obs.kind,
        "purpose": obs.purpose,
        "campus": obs.campus_id,
        "class_name": obs.class_name,
        "subject": obs.subject,
        "grade_band": obs.grade_band,
        "lesson_objective": obs.lesson_objective,
        "framework": obs.framework_version.framework_id if obs.framework_version_id else None,
        "focus_nodes": [str(pk) for pk in selectors.focus_ids_of(obs)],
        "focus_step": obs.focus_step_id,
        "ratings_enabled": obs.ratings_enabled,
    }


@login_required
@require_http_methods(["GET", "POST"])
def observation_edit(request, pk):
    """Change a visit's plan until it is shared. The teacher stays; the framework stays once evidence exists."""
    user = request.user
    obs = access_observation(user, pk, write=True)
    if obs.state not in EDITABLE_STATES:
        messages.error(
            request,
            _("This observation is %(state)s: its plan can no longer change.")
            % {"state": obs.get_state_display().lower()},
        )
        return redirect("observations:detail", obs.pk)
    district_ids = {obs.district_id}
    locked = obs.state != m.State.PLANNED
    frameworks = selectors.edit_frameworks(user, obs, locked=locked)
    framework_list = list(frameworks)
    planned = obs.framework_version
    version_ids = [
        planned.pk if planned is not None and fw.pk == planned.framework_id else fw.current_version_id
        for fw in framework_list
    ]
    form = PlanForm(
        request.POST or None,
        initial=_plan_initial(obs),
        teachers=User.objects.filter(pk=obs.teacher_id),
        campuses=selectors.campuses_in(district_ids),
        frameworks=frameworks,
        components=selectors.components_by_version(version_ids),
        step_choices=selectors.plan_step_choices(user, district_ids),
        planned_version=planned,
        lock_teacher=True,
        lock_framework=locked,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.plan_fields()
        fields.pop("teacher")
        focus = fields.pop("focus_nodes")
        if fields["campus"] is None:
            fields["campus"] = selectors.campus_of(obs.teacher)
        try:
            obs = observation_update_plan(actor=user, obs=obs, focus_nodes=focus, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("observations:detail", obs.pk)
    return render(request, "observations/plan.html", {"form": form, "has_teachers": True, "obs": obs})


def _mark_notice_read(request, obs) -> None:
    url = reverse("observations:detail", args=[obs.pk])
    for notice in m.Notice.objects.filter(recipient=request.user, read_at__isnull=True, url=url):
        notice_mark_read(actor=request.user, notice=notice)


def _observation_shares(obs, teacher):
    ct = ContentType.objects.get_for_model(m.Observation)
    return list(
        CoachingShare.objects.filter(content_type=ct, object_id=obs.pk, teacher=teacher, revoked_at__isnull=True)
        .select_related("shared_with")
        .order_by("created_at", "id")
    )


def _render_detail(request, obs, *, ack_form=None, share_form=None):
    user = request.user
    # Every showing of the content is a read of coaching content: record it.
    audit_read(actor=user, obj=obs)
    _mark_notice_read(request, obs)
    is_observer = obs.observer_id == user.pk
    is_teacher = obs.teacher_id == user.pk and not is_observer
    evidence = selectors.evidence_of(obs)
    components = selectors.components_of(obs.framework_version_id)
    by_id = {c.id: c for c in components}
    for note in evidence.notes:
        note.tags = [by_id[n] for n in evidence.node_ids.get(note.pk, []) if n in by_id]
    focus_ids = set(selectors.focus_ids_of(obs))
    context = {
        "obs": obs,
        "evidence": evidence,
        "focus": [c for c in components if c.id in focus_ids],
        "growth": by_id.get(obs.growth_node_id),
        "is_observer": is_observer,
        "is_teacher": is_teacher,
        "ratings": [],
    }
    if obs.ratings_enabled:
        ratings = selectors.ratings_of(obs)
        context["ratings"] = [(c, ratings[c.id]) for c in components if c.id in ratings]
    if is_teacher:
        shares = _observation_shares(obs, user)
        leaders = leaders_of(user).exclude(pk__in=[s.shared_with_id for s in shares]).order_by("full_name", "id")
        context["shares"] = shares
        context["share_form"] = share_form or LeaderShareForm(leaders=leaders)
        context["can_share_more"] = share_form is not None or leaders.exists()
        context["ack_form"] = ack_form or AcknowledgeForm(initial={"reflection": obs.teacher_reflection})
    elif not is_observer:
        ct = ContentType.objects.get_for_model(m.Observation)
        context["shared_by"] = (
            CoachingShare.objects.filter(content_type=ct, object_id=obs.pk, shared_with=user, revoked_at__isnull=True)
            .select_related("teacher")
            .first()
        )
    return render(request, "observations/detail.html", context)


@login_required
def observation_detail(request, pk):
    obs = access_observation(request.user, pk)
    return _render_detail(request, obs)


@login_required
@require_http_methods(["GET", "POST"])
def observation_cancel_view(request, pk):
    obs = access_observation(request.user, pk, write=True)
    if request.method == "POST":
        try:
            observation_cancel(actor=request.user, obs=obs)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("observations:detail", obs.pk)
        messages.success(request, _("The visit is cancelled."))
        return redirect("observations:list")
    if obs.state not in (m.State.PLANNED, m.State.IN_PROGRESS, m.State.DRAFT):
        messages.error(request, _("A shared observation cannot be cancelled."))
        return redirect("observations:detail", obs.pk)
    return render(request, "observations/cancel.html", {"obs": obs})


@login_required
@require_POST
def observation_discussed_view(request, pk):
    obs = access_observation(request.user, pk, write=True)
    try:
        observation_discussed(actor=request.user, obs=obs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Marked as discussed with %(name)s.") % {"name": obs.teacher.display_name})
    return redirect("observations:detail", obs.pk)


@login_required
@require_POST
def observation_acknowledge_view(request, pk):
    obs = access_observation(request.user, pk)
    if obs.teacher_id != request.user.pk:
        # Only the teacher who was observed acknowledges; coaches and leaders read.
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            observation_acknowledge(actor=request.user, obs=obs, reflection=form.cleaned_data["reflection"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your coach sees that you read the feedback."))
            return redirect("observations:detail", obs.pk)
    return _render_detail(request, obs, ack_form=form)


@login_required
@require_POST
def observation_share_with_leader(request, pk):
    obs = access_observation(request.user, pk)
    if obs.teacher_id != request.user.pk:
        # Coaches and leaders read the observation but only the teacher decides who else may.
        raise PermissionDenied
    form = LeaderShareForm(request.POST, leaders=leaders_of(request.user))
    if form.is_valid():
        try:
            share = share_create(actor=request.user, record=obs, shared_with=form.cleaned_data["shared_with"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("You are sharing this observation with %(name)s. You can stop sharing at any time.")
                % {"name": share.shared_with.display_name},
            )
            return redirect("observations:detail", obs.pk)
    return _render_detail(request, obs, share_form=form)


@login_required
@require_POST
def observation_share_revoke(request, pk, share_pk):
    obs = access_observation(request.user, pk)
    if obs.teacher_id != request.user.pk:
        raise PermissionDenied
    share = access_share(request.user, share_pk, write=True)
    if share.object_id != obs.pk or share.content_type_id != ContentType.objects.get_for_model(m.Observation).pk:
        raise Http404
    share_revoke(actor=request.user, share=share)
    messages.success(
        request,
        _("You stopped sharing this observation with %(name)s. They can no longer open it.")
        % {"name": share.shared_with.display_name},
    )
    return redirect("observations:detail", obs.pk)
