"""Coaching relationships as pages: the list, proposing one, its agreement and consent, status, and the intake.

Relationships are fetched through ``trellis.coaching.access`` (404 for anyone
outside the relationship, so leaders and admins are not even told it exists) and
every write goes through ``trellis.coaching.services``.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from trellis.coaching.access import access_intake, access_relationship
from trellis.coaching.forms.cycle import (
    DEFAULT_NORMS,
    DEFAULT_SHARING,
    AgreementForm,
    FocusForm,
    IntakeForm,
    RelationshipCreateForm,
)
from trellis.coaching.models import OPEN_STATES, CoachingStep, Goal, GoalStatus, RelationshipStatus, StepState
from trellis.coaching.selectors import caseload_teachers
from trellis.coaching.selectors import relationships as sel
from trellis.coaching.services import (
    intake_confirm_focus,
    intake_record,
    relationship_consent,
    relationship_create,
    relationship_end,
    relationship_pause,
    relationship_resume,
    relationship_update,
)
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.lib.rules import rule_for
from trellis.observations.views.common import add_service_errors
from trellis.orgs.roles import roles_of

User = get_user_model()

STATUS_FILTERS = {
    "open": gettext_lazy("Open"),
    RelationshipStatus.PROPOSED: gettext_lazy("Waiting for consent"),
    RelationshipStatus.ACTIVE: gettext_lazy("Active"),
    RelationshipStatus.PAUSED: gettext_lazy("Paused"),
    RelationshipStatus.ENDED: gettext_lazy("Ended"),
}

# action -> (service, who may do it, the words of the confirmation page)
STATUS_ACTIONS = {
    "pause": {
        "service": relationship_pause,
        "teacher_may": False,
        "title": gettext_lazy("Pause the coaching?"),
        "explain": gettext_lazy(
            "Coaching stops for now: no new sessions can be scheduled until you resume. Sessions already "
            "scheduled stay in everyone's calendar; cancel the ones that will not happen."
        ),
        "button": gettext_lazy("Pause the coaching"),
        "done": gettext_lazy("The coaching is paused. Resume it from this page when you are ready."),
        "danger": False,
    },
    "resume": {
        "service": relationship_resume,
        "teacher_may": False,
        "title": gettext_lazy("Resume the coaching?"),
        "explain": gettext_lazy("The relationship becomes active again and you can schedule sessions."),
        "button": gettext_lazy("Resume the coaching"),
        "done": gettext_lazy("The coaching is active again."),
        "danger": False,
    },
    "end": {
        "service": relationship_end,
        "teacher_may": True,
        "title": gettext_lazy("End the coaching?"),
        "explain": gettext_lazy(
            "The relationship ends for everyone in it. Sessions still to come are cancelled and calendars are "
            "told. Notes, goals and steps stay readable by the coach and the teacher. This cannot be undone: to "
            "work together again, the coach proposes a new agreement."
        ),
        "button": gettext_lazy("End the coaching"),
        "done": gettext_lazy("The coaching has ended. Sessions still to come were cancelled."),
        "danger": True,
    },
}


def _may_coach(user) -> bool:
    roles = roles_of(user)
    return roles.is_coach or roles.is_facilitator


@login_required
def relationship_list(request):
    user = request.user
    roles = roles_of(user)
    is_coach = roles.is_coach or roles.is_facilitator
    if not (is_coach or roles.is_teacher):
        raise PermissionDenied
    wanted = request.GET.get("status") or "open"
    if wanted not in STATUS_FILTERS:
        wanted = "open"
    rows = sel.relationships_for(user, status=None if wanted == "open" else wanted)
    if wanted == "open":
        rows = rows.exclude(status=RelationshipStatus.ENDED)
    page_obj = paginate(request, rows)
    relationships = list(page_obj.object_list)
    for row in relationships:
        row.member_list = list(row.members.all())
        row.label = sel.relationship_label(row, user, row.member_list)
        row.pending_names = [m.teacher.display_name for m in row.member_list if m.consented_at is None]
    filters = [
        {"key": key, "label": label, "current": key == wanted, "query": "" if key == "open" else f"?status={key}"}
        for key, label in STATUS_FILTERS.items()
    ]
    return render(
        request,
        "coaching/relationship_list.html",
        {
            "page_obj": page_obj,
            "relationships": relationships,
            "query_string": query_string_without_page(request),
            "filters": filters,
            "status_filter": wanted,
            "can_create": is_coach,
        },
    )


def _agreement_district(user, teachers, preselected):
    """The district whose policy the form's placeholders show."""
    if preselected is not None:
        return preselected.district_id
    first = next((t for t in teachers if t.district_id), None)
    return first.district_id if first else user.district_id


@login_required
@require_http_methods(["GET", "POST"])
def relationship_create_view(request):
    user = request.user
    if not _may_coach(user):
        raise PermissionDenied
    teachers = caseload_teachers(user)
    teacher_list = list(teachers)
    wanted = request.GET.get("teacher", "")
    preselected = next((t for t in teacher_list if wanted.isdigit() and t.pk == int(wanted)), None)
    if preselected is None and len(teacher_list) == 1:
        preselected = teacher_list[0]
    district_ids = {t.district_id for t in teacher_list if t.district_id} or {user.district_id}
    cycle_models = sel.cycle_models_for(user, district_ids)
    models_offered = list(cycle_models)
    policy = sel.policy_defaults(_agreement_district(user, teacher_list, preselected))
    initial = {
        "teachers": [preselected.pk] if preselected else [],
        # Chosen on purpose: preselected only when the district offers a single cycle model.
        "cycle_model": models_offered[0] if len(models_offered) == 1 else None,
        "norms": DEFAULT_NORMS,
        "sharing": DEFAULT_SHARING,
    }
    form = RelationshipCreateForm(
        request.POST or None, initial=initial, teachers=teachers, cycle_models=cycle_models, policy=policy
    )
    if request.method == "POST" and form.is_valid():
        agreement = form.agreement()
        cycle_model = agreement.pop("cycle_model")
        try:
            rel = relationship_create(
                actor=user, teachers=list(form.cleaned_data["teachers"]), cycle_model=cycle_model, **agreement
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The agreement is proposed. Each teacher is asked to read it and consent; coaching starts once "
                    "everyone has."
                ),  # fmt: skip
            )
            return redirect("coaching:relationship-detail", rel.pk)
    return render(
        request,
        "coaching/relationship_form.html",
        {"form": form, "rel": None, "has_teachers": bool(teacher_list), "policy": policy},
    )


@login_required
def relationship_detail(request, pk):
    user = request.user
    rel = access_relationship(user, pk)
    page = sel.relationship_page(rel)
    is_coach = rel.coach_id == user.pk
    me = next((v for v in page.members if v.member.teacher_id == user.pk), None)
    ended = rel.status == RelationshipStatus.ENDED
    actions = []
    if is_coach and rel.status == RelationshipStatus.ACTIVE:
        actions.append("pause")
    if is_coach and rel.status == RelationshipStatus.PAUSED:
        actions.append("resume")
    if (is_coach or me is not None) and not ended:
        actions.append("end")
    # A teacher in a group sees who else is in it and whether they consented, never their intake.
    members = [v for v in page.members if is_coach or v.member.teacher_id == user.pk]
    others = [v for v in page.members if not (is_coach or v.member.teacher_id == user.pk)]
    policy = sel.policy_defaults(rel.district_id)
    context = {
        "rel": rel,
        "rel_label": sel.relationship_label(rel, user, [v.member for v in page.members]),
        "meetings_per_month": rel.meetings_per_month or policy.meetings_per_month,
        "meeting_minutes": rel.meeting_minutes or policy.meeting_minutes,
        "uses_defaults": not (rel.meetings_per_month and rel.meeting_minutes),
        "page": page,
        "is_coach": is_coach,
        "me": me,
        "members": members,
        "others": others,
        "ended": ended,
        "is_active": rel.status == RelationshipStatus.ACTIVE,
        "actions": [{"key": key, "label": STATUS_ACTIONS[key]["button"]} for key in actions],
        "tz": rel.district.timezone,
        "open_series": [s for s in page.series if s.stopped_at is None],
        "past_series": [s for s in page.series if s.stopped_at is not None],
        # Through the firewall rules: in a group, a teacher lists only her own goals and steps.
        "goals": list(
            rule_for(Goal)
            .visible(user)
            .filter(relationship=rel, status__in=[GoalStatus.DRAFT, GoalStatus.ACTIVE])
            .select_related("teacher")
            .order_by("teacher__full_name", "-created_at")
        ),
        "steps": list(
            rule_for(CoachingStep)
            .visible(user)
            .filter(relationship=rel, state__in=[StepState.PROPOSED, *OPEN_STATES])
            .select_related("teacher")
            .order_by("teacher__full_name", "-created_at")
        ),
    }
    return render(request, "coaching/relationship_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def relationship_edit(request, pk):
    user = request.user
    rel = access_relationship(user, pk, write=True)
    if rel.coach_id != user.pk:
        raise PermissionDenied
    if rel.status == RelationshipStatus.ENDED:
        messages.error(request, _("This relationship has ended; its agreement can no longer change."))
        return redirect("coaching:relationship-detail", rel.pk)
    cycle_models = sel.cycle_models_for(user, {rel.district_id})
    initial = {
        "title": rel.title,
        "cycle_model": rel.cycle_model_id,
        "norms": rel.norms,
        "sharing": rel.sharing,
        "meetings_per_month": rel.meetings_per_month,
        "meeting_minutes": rel.meeting_minutes,
        "location": rel.location,
    }
    form = AgreementForm(
        request.POST or None, initial=initial, cycle_models=cycle_models, policy=sel.policy_defaults(rel.district_id)
    )
    if request.method == "POST" and form.is_valid():
        agreement = form.agreement()
        asks_again = agreement["norms"].strip() != rel.norms or agreement["sharing"].strip() != rel.sharing
        try:
            relationship_update(actor=user, relationship=rel, **agreement)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if asks_again:
                messages.success(
                    request,
                    _(
                        "The agreement is saved. Because how you work together or what is shared changed, each "
                        "teacher is asked to read it and consent again."
                    ),  # fmt: skip
                )
            else:
                messages.success(request, _("The agreement is saved."))
            return redirect("coaching:relationship-detail", rel.pk)
    context = {"form": form, "rel": rel, "rel_label": sel.label_for(rel, user), "has_teachers": True}
    return render(request, "coaching/relationship_form.html", context)


@login_required
@require_POST
def relationship_consent_view(request, pk):
    user = request.user
    rel = access_relationship(user, pk)
    if not rel.members.filter(teacher=user).exists():
        raise PermissionDenied
    try:
        rel = relationship_consent(actor=user, relationship=rel)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if rel.status == RelationshipStatus.ACTIVE:
            messages.success(request, _("Thank you. You consented to the agreement, and the coaching is active."))
        else:
            messages.success(
                request, _("Thank you. You consented; the coaching starts once everyone in the group has.")
            )
    return redirect("coaching:relationship-detail", rel.pk)


@login_required
@require_http_methods(["GET", "POST"])
def relationship_status_view(request, pk, action):
    if action not in STATUS_ACTIONS:
        raise Http404
    user = request.user
    rel = access_relationship(user, pk)
    words = STATUS_ACTIONS[action]
    is_coach = rel.coach_id == user.pk
    is_member = rel.members.filter(teacher=user).exists()
    if not (is_coach or (words["teacher_may"] and is_member)):
        raise PermissionDenied
    if request.method == "POST":
        try:
            words["service"](actor=user, relationship=rel)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, words["done"])
        return redirect("coaching:relationship-detail", rel.pk)
    context = {"rel": rel, "rel_label": sel.label_for(rel, user), "action": action, "words": words}
    return render(request, "coaching/relationship_status.html", context)


# Intake -----------------------------------------------------------------------------------------------------------------


def _intake_people(user, rel, teacher_pk):
    """The member teacher the intake is about; only that teacher and the coach fill it in."""
    member = rel.members.select_related("teacher").filter(teacher_id=teacher_pk).first() if teacher_pk else None
    if member is None:
        raise Http404
    if user.pk not in (member.teacher_id, rel.coach_id):
        raise PermissionDenied
    return member.teacher


@login_required
@require_http_methods(["GET", "POST"])
def intake_view(request, pk, teacher_pk):
    user = request.user
    rel = access_relationship(user, pk)
    teacher = _intake_people(user, rel, teacher_pk)
    intake = rel.intakes.filter(teacher=teacher).first()
    version = sel.intake_framework(user, teacher, intake)
    ended = rel.status == RelationshipStatus.ENDED
    continuum = sel.intake_continuum(version, {})
    components = [row.node for row in continuum.components]
    initial = {}
    if intake is not None:
        initial = {name: getattr(intake, name) for name in ("strengths", "interests", "prior_pd", "constraints",
                                                            "preferred_times")}  # fmt: skip
    form = IntakeForm(request.POST or None, initial=initial, components=components, levels=continuum.levels)
    if request.method == "POST" and not ended and version is not None and form.is_valid():
        try:
            intake = intake_record(
                actor=user,
                relationship=rel,
                teacher=teacher,
                framework_version=version,
                placements=form.placements(),
                **form.answers(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The intake is saved. Now choose where to start."))
            return redirect("coaching:intake-focus", intake.pk)
    if form.is_bound:
        chosen = {}
        for row in continuum.components:
            value = form.data.get(row.field_name, "")
            if value.isdigit():
                chosen[row.node.pk] = int(value)
    else:
        chosen = sel.placements_of(intake)
    continuum = _with_choices(continuum, chosen, form)
    return render(
        request,
        "coaching/intake.html",
        {
            "rel": rel,
            "rel_label": sel.label_for(rel, user),
            "teacher": teacher,
            "intake": intake,
            "version": version,
            "continuum": continuum,
            "form": form,
            "is_teacher": teacher.pk == user.pk,
            "ended": ended,
        },
    )


def _with_choices(continuum, chosen: dict, form):
    for row in continuum.components:
        picked = chosen.get(row.node.pk)
        for choice in row.choices:
            choice.checked = picked == choice.level.pk
        row.unsure_checked = not any(choice.checked for choice in row.choices)
        if form.is_bound and form.errors.get(row.field_name):
            row.error = form.errors[row.field_name][0]
    return continuum


@login_required
@require_http_methods(["GET", "POST"])
def intake_focus_view(request, pk):
    user = request.user
    intake = access_intake(user, pk)
    rel = intake.relationship
    if user.pk not in (intake.teacher_id, rel.coach_id):
        raise PermissionDenied
    components, domains = sel.component_nodes(intake.framework_version)
    suggestions = sel.suggest_focus(intake, viewer=user)
    confirmed = list(intake.focus_nodes.values_list("pk", flat=True))
    initial = {"nodes": confirmed or [s.node_id for s in suggestions]}
    form = FocusForm(request.POST or None, initial=initial, components=components)
    ended = rel.status == RelationshipStatus.ENDED
    if request.method == "POST" and not ended and form.is_valid():
        try:
            intake_confirm_focus(actor=user, intake=intake, nodes=form.cleaned_data["nodes"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The focus is confirmed. You start from these areas."))
            return redirect("coaching:relationship-detail", rel.pk)
    if form.is_bound:
        ticked = {int(v) for v in form.data.getlist("nodes") if v.isdigit()}
    else:
        ticked = set(initial["nodes"])
    suggested_ids = {s.node_id for s in suggestions}
    others: list = []
    for node in components:
        if node.pk in suggested_ids:
            continue
        domain = domains.get(node.parent_id)
        if not others or others[-1][0] != domain:
            others.append((domain, []))
        others[-1][1].append(node)
    return render(
        request,
        "coaching/intake_focus.html",
        {
            "rel": rel,
            "rel_label": sel.label_for(rel, user),
            "intake": intake,
            "teacher": intake.teacher,
            "form": form,
            "suggestions": suggestions,
            "others": others,
            "ticked": ticked,
            "is_teacher": intake.teacher_id == user.pk,
            "ended": ended,
            "others_open": bool(ticked - suggested_ids) or not suggestions,
        },
    )
