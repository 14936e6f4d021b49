"""After the visit: the review page (evidence by component, ranked growth areas, the one focus) and sharing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trellis.frameworks.models import ActionStep, FrameworkNode, ScaleLevel
from trellis.observations import models as m
from trellis.observations import selectors
from trellis.observations.access import access_observation
from trellis.observations.forms import ReviewForm
from trellis.observations.ranking import rank_growth_areas
from trellis.observations.services import (
    observation_finish,
    observation_rate,
    observation_set_focus,
    observation_share,
)
from trellis.observations.views.common import add_service_errors

REVIEW_STATES = (m.State.IN_PROGRESS, m.State.DRAFT)


def _review_context(user, obs) -> dict:
    """Everything the review page shows, in a fixed number of queries whatever the number of notes."""
    evidence = selectors.evidence_of(obs)
    components = selectors.components_of(obs.framework_version_id)
    by_id = {c.id: c for c in components}
    for note in evidence.notes:
        note.tags = [by_id[n] for n in evidence.node_ids.get(note.pk, []) if n in by_id]
    focus_ids = set(selectors.focus_ids_of(obs))
    steps = selectors.steps_for_version(user, obs.framework_version_id)
    first, max_sequence = selectors.first_sequences(steps)
    ranked = rank_growth_areas(
        [(n.valence, evidence.node_ids.get(n.pk, [])) for n in evidence.notes],
        first_sequence=first,
        focus_ids=focus_ids,
        max_sequence=max_sequence,
        outline={c.id: c.outline for c in components},
    )
    suggestions = [(by_id[s.node_id], s) for s in ranked if s.node_id in by_id]
    suggested_ids = {c.id for c, _s in suggestions}
    return {
        "obs": obs,
        "evidence": evidence,
        "groups": selectors.group_evidence(evidence.notes, evidence.node_ids, components),
        "components": components,
        "suggestions": suggestions,
        "others": [c for c in components if c.id not in suggested_ids],
        "focus": [c for c in components if c.id in focus_ids],
        "steps": steps,
        "levels": selectors.scale_levels(obs.framework_version_id) if obs.ratings_enabled else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def observation_review(request, pk):
    obs = access_observation(request.user, pk, write=True)
    if obs.state == m.State.PLANNED:
        messages.info(request, _("Start the visit and take some notes first."))
        return redirect("observations:capture", obs.pk)
    if obs.state not in REVIEW_STATES:
        return redirect("observations:detail", obs.pk)
    context = _review_context(request.user, obs)
    initial = {
        "growth_node": obs.growth_node_id,
        "growth_rationale": obs.growth_rationale,
        "proposed_step": obs.proposed_step_id,
        "proposed_step_text": obs.proposed_step_text,
        "strengths_summary": obs.strengths_summary,
    }
    if obs.ratings_enabled:
        initial.update({f"rating_{node_id}": r.level_id for node_id, r in selectors.ratings_of(obs).items()})
    form = ReviewForm(
        request.POST or None,
        initial=initial,
        components=context["components"],
        steps=context["steps"],
        levels=context["levels"],
        rate=obs.ratings_enabled,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        growth_node = (
            FrameworkNode.objects.filter(pk=data["growth_node"], version_id=obs.framework_version_id).first()
            if data.get("growth_node")
            else None
        )
        step = ActionStep.objects.filter(pk=data["proposed_step"]).first() if data.get("proposed_step") else None
        try:
            obs = observation_set_focus(
                actor=request.user,
                obs=obs,
                growth_node=growth_node,
                growth_rationale=data.get("growth_rationale", ""),
                proposed_step=step,
                proposed_step_text=data.get("proposed_step_text", ""),
                strengths_summary=data.get("strengths_summary", ""),
            )
            ratings = form.ratings()
            if ratings:
                nodes = FrameworkNode.objects.in_bulk(list(ratings))
                levels = ScaleLevel.objects.select_related("scale").in_bulk(list(ratings.values()))
                for node_id, level_id in ratings.items():
                    observation_rate(actor=request.user, obs=obs, node=nodes[node_id], level=levels[level_id])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if "share" in request.POST:
                return redirect("observations:share", obs.pk)
            messages.success(request, _("Your review is saved. Share it with the teacher when it is ready."))
            return redirect("observations:review", obs.pk)
    context["form"] = form
    chosen = form["growth_node"].value()
    context["chosen_growth"] = str(chosen) if chosen not in (None, "") else ""
    context["other_open"] = bool(context["chosen_growth"]) and context["chosen_growth"] not in {
        str(c.id) for c, _s in context["suggestions"]
    }
    return render(request, "observations/review.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def observation_share_view(request, pk):
    """Confirm, then share with the teacher: they get a notice in Trellis and an email that feedback is waiting."""
    obs = access_observation(request.user, pk, write=True)
    if obs.state not in REVIEW_STATES:
        if obs.state == m.State.PLANNED:
            return redirect("observations:capture", obs.pk)
        return redirect("observations:detail", obs.pk)
    if request.method == "POST":
        try:
            if obs.state == m.State.IN_PROGRESS:
                obs = observation_finish(actor=request.user, obs=obs)
            observation_share(actor=request.user, obs=obs)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("observations:review", obs.pk)
        messages.success(
            request,
            _("Shared with %(name)s. They are told in Trellis and by email.") % {"name": obs.teacher.display_name},
        )
        return redirect("observations:detail", obs.pk)
    components = {c.id: c for c in selectors.components_of(obs.framework_version_id)}
    note_count = obs.notes.filter(deleted=False).count()
    return render(
        request,
        "observations/share_confirm.html",
        {
            "obs": obs,
            "growth": components.get(obs.growth_node_id),
            "note_count": note_count,
            "ready": bool(obs.growth_node_id or obs.proposed_step_id or obs.proposed_step_text)
            or obs.purpose == m.Purpose.EVALUATION,
        },
    )
