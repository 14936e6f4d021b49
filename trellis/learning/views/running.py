"""Facilitators' pages: running one session.

The session page (summary, roster with attendance), the check-in screen for the
projector, editing and cancelling, materials, the post-session survey and its results
(with the follow-up back on campus), and the After Action Review. Facilitators of the
session or its cohort and the program's managers use them; participants who see the
session in their catalogue get 403, everyone else 404. Managers alone change a session's
time, place and seats, and cancel it (the services enforce it too).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.access import (
    access_material,
    access_review_point,
    access_session,
    access_survey,
    may_manage,
    may_run_session,
)
from trellis.learning.documents import checkin_url, qr_svg_data_uri
from trellis.learning.forms.programs import SERVICE_TO_FORM, SessionForm, session_initial
from trellis.learning.forms.running import (
    CancelForm,
    MaterialForm,
    ReviewForm,
    ReviewPointForm,
    RosterRowForm,
    SurveyBuildForm,
    roster_row_values,
)
from trellis.learning.notify import absolute_url
from trellis.learning.selectors import (
    facilitator_candidates,
    follow_up,
    question_bank,
    session_roster,
    session_summary,
    survey_results,
)
from trellis.learning.selectors_manage import session_staff, shared_commitments
from trellis.learning.services.registration import CHECKIN_OPENS_BEFORE
from trellis.learning.views.programs import error_messages, posted_data, service_errors
from trellis.lib.charts import bar_chart
from trellis.lib.pagination import query_string_without_page

S = m.RegistrationStatus
ROSTER_PER_PAGE = 100
FOLLOW_UP_PER_PAGE = 50


def _staff_session(user, pk) -> m.Session:
    """A session the user runs: 404 when they do not see it, 403 when they see it only as a participant."""
    return access_session(user, pk, write=True)


def _page_context(user, session, **extra) -> dict:
    return {"session": session, "cohort": session.cohort, "program": session.cohort.program,
            "is_manager": may_manage(user, session.owner_id), **extra}  # fmt: skip


def _checkin_window(session, now=None) -> str:
    """'early', 'open' (check-in may open now), 'over' or 'cancelled'."""
    now = now or timezone.now()
    if session.is_cancelled:
        return "cancelled"
    if now < session.starts_at - CHECKIN_OPENS_BEFORE:
        return "early"
    if now > session.ends_at:
        return "over"
    return "open"


# The session page and its roster ----------------------------------------------------------------


def _roster(user, session, request):
    roster = session_roster(user, session, runs_session=True)  # the caller fetched it with _staff_session
    search = (request.GET.get("q") or "").strip()[:100]
    if search:
        roster = roster.filter(participant__full_name__icontains=search)
    page_obj = Paginator(roster, ROSTER_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for registration in page_obj.object_list:
        inputs = roster_row_values(registration, session) if registration.status == S.CONFIRMED else None
        rows.append({"registration": registration, "form": inputs})
    return search, page_obj, rows


@login_required
@require_GET
def session_manage(request, pk):
    """The facilitator's page of one session: counts, roster with attendance, and every tool for the day."""
    user = request.user
    session = _staff_session(user, pk)
    search, page_obj, rows = _roster(user, session, request)
    now = timezone.now()
    return render(
        request,
        "learning/session_manage.html",
        _page_context(
            user,
            session,
            summary=session_summary(session),
            search=search,
            page_obj=page_obj,
            query_string=query_string_without_page(request),
            rows=rows,
            tickable=[row["registration"].pk for row in rows if row["form"] is not None],
            materials=list(session.materials.all()),
            survey=m.Survey.objects.filter(session=session).first(),
            has_review=m.ActionReview.objects.filter(session=session).exists(),
            staff=list(session_staff(session)),
            window=_checkin_window(session, now),
            attendance_open=not session.is_cancelled and now >= session.starts_at - CHECKIN_OPENS_BEFORE,
            has_started=now >= session.starts_at,
        ),
    )


@login_required
@require_POST
def roster_update(request, pk):
    """Save the roster: who is present (ticked), and late arrivals, early leaves or minutes changed."""
    user = request.user
    session = _staff_session(user, pk)
    ids = [int(value) for value in request.POST.getlist("rows") if value.isdigit()][:ROSTER_PER_PAGE]
    registrations = session_roster(user, session, runs_session=True).filter(pk__in=ids, status=S.CONFIRMED)
    marked = unmarked = adjusted = problems = 0
    for registration in registrations:
        name = registration.participant.display_name
        form = RosterRowForm(request.POST, registration=registration, session=session)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, _("%(name)s: %(problem)s") % {"name": name, "problem": error})
                    problems += 1
            continue
        present = form.cleaned_data["present"]
        try:
            if present != registration.attended:
                s.attendance_mark(actor=user, registration=registration, present=present)
                marked += present
                unmarked += not present
            changes = form.adjustments() if present else {}
            if changes:
                s.attendance_adjust(actor=user, registration=registration, **changes)
                adjusted += 1
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, _("%(name)s: %(problem)s") % {"name": name, "problem": message})
                problems += 1
    if marked or unmarked or adjusted:
        parts = []
        if marked:
            parts.append(ngettext("%(n)s marked present", "%(n)s marked present", marked) % {"n": marked})
        if unmarked:
            parts.append(ngettext("%(n)s marked absent", "%(n)s marked absent", unmarked) % {"n": unmarked})
        if adjusted:
            parts.append(ngettext("%(n)s time adjusted", "%(n)s times adjusted", adjusted) % {"n": adjusted})
        messages.success(request, _("Attendance saved: %(changes)s.") % {"changes": ", ".join(parts)})
    elif not problems:
        messages.info(request, _("Nothing changed on the roster."))
    url = reverse("learning:session-manage", args=[session.pk])
    keep = {key: request.POST.get(key) for key in ("page", "q") if request.POST.get(key)}
    if keep:
        url += "?" + urlencode(keep)
    return HttpResponseRedirect(url + "#roster")


# The check-in screen ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkin_screen(request, pk):
    """The screen shown on the projector: the code, large, and its QR code, with the live count.

    POST ``action=open`` opens check-in (the same code while it stays open), ``action=close``
    closes it. ``?format=json`` gives the live count to the page's script.
    """
    user = request.user
    session = _staff_session(user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "open":
            try:
                s.session_open_checkin(actor=user, session=session)
            except ValidationError as exc:
                error_messages(request, exc)
            return redirect("learning:checkin-screen", session.pk)
        if action == "close":
            s.session_close_checkin(actor=user, session=session)
            messages.success(request, _("Check-in is closed: the code no longer works. The roster keeps who came."))
            return redirect("learning:session-manage", session.pk)
        raise Http404
    summary = session_summary(session)
    if request.GET.get("format") == "json":
        response = JsonResponse(
            {"open": session.checkin_is_open, "checked_in": summary["checked_in"], "confirmed": summary["confirmed"]}
        )
        response["Cache-Control"] = "no-store"
        return response
    url = checkin_url(session)
    return render(
        request,
        "learning/checkin_screen.html",
        _page_context(
            user,
            session,
            summary=summary,
            code=session.checkin_code,
            code_first=session.checkin_code[:3],
            code_last=session.checkin_code[3:],
            code_spelled=" ".join(session.checkin_code),
            qr=qr_svg_data_uri(url) if url else "",
            checkin_form_url=absolute_url(reverse("learning:checkin-form")),
            window=_checkin_window(session),
            opens_at=session.starts_at - CHECKIN_OPENS_BEFORE,
        ),
    )


# Editing and cancelling -------------------------------------------------------------------------

CONTENT_FIELDS = ("title", "agenda", "objectives")
WHEN_FIELDS = {"date", "start_time", "end_time", "timezone"}
PLAIN_PLAN_FIELDS = ("location", "online_url", "capacity", "contact_minutes", "registration_closes_at",
                     "cancel_deadline")  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    """Facilitators change a session's title, agenda and objectives; its managers also time, place and seats."""
    user = request.user
    session = _staff_session(user, pk)
    is_manager = may_manage(user, session.owner_id)
    if session.is_cancelled:
        messages.info(request, _("This session was cancelled; it can no longer change."))
        return redirect("learning:session-manage", session.pk)
    initial = session_initial(session)
    candidates = None
    if is_manager:
        initial["facilitators"] = [p.pk for p in session.facilitators.all()]
        candidates = facilitator_candidates(session.owner)
    form = SessionForm(
        posted_data(request),
        plan=is_manager,
        candidates=candidates,
        zones=[session.timezone, session.owner.timezone],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        changed = set(form.changed_data)
        fields = {name: form.cleaned_data[name] for name in CONTENT_FIELDS if name in changed}
        moved = False
        if is_manager:
            plan = form.plan_fields()
            if changed & WHEN_FIELDS:
                fields.update({k: plan[k] for k in ("starts_at", "ends_at", "timezone", "contact_minutes")})
            fields.update({name: plan[name] for name in PLAIN_PLAN_FIELDS if name in changed})
            moved = bool(changed & (WHEN_FIELDS | {"location", "online_url"}))
        try:
            if fields:
                s.session_update(actor=user, session=session, **fields)
            if is_manager and "facilitators" in changed:
                s.session_set_facilitators(actor=user, session=session, facilitators=form.cleaned_data["facilitators"])
        except ValidationError as exc:
            service_errors(form, exc, SERVICE_TO_FORM)
        else:
            if moved:
                messages.success(
                    request, _("The session is saved. Everyone with a seat gets the updated invitation by email.")
                )
            elif fields or "facilitators" in changed:
                messages.success(request, _("The session is saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("learning:session-manage", session.pk)
    return render(
        request,
        "learning/session_form.html",
        _page_context(user, session, form=form, owner_zone=session.owner.timezone),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel_view(request, pk):
    user = request.user
    session = _staff_session(user, pk)
    if not may_manage(user, session.owner_id):
        raise PermissionDenied
    if session.is_cancelled:
        messages.info(request, _("This session is already cancelled."))
        return redirect("learning:session-manage", session.pk)
    form = CancelForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            s.session_cancel(actor=user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The session is cancelled. Everyone registered is told, and calendars drop the event."),
            )
            return redirect("learning:cohort-detail", session.cohort_id)
    return render(
        request,
        "learning/session_cancel.html",
        _page_context(user, session, form=form, summary=session_summary(session)),
    )


# Materials --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_materials(request, pk):
    user = request.user
    session = _staff_session(user, pk)
    form = MaterialForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            s.material_add(actor=user, session=session, title=data["title"], url=data["url"], upload=data["file"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is added.") % {"title": data["title"]})
            return redirect("learning:session-materials", session.pk)
    return render(
        request,
        "learning/materials.html",
        _page_context(user, session, form=form, materials=list(session.materials.all())),
    )


@login_required
@require_GET
def material_download(request, pk):
    """A material for the session's participants (anyone with a registration), facilitators and managers.

    Files are served through here, as attachments, never from a public media address.
    """
    user = request.user
    material = access_material(user, pk)
    session = material.session
    registered = m.Registration.objects.filter(
        session=session, participant_id=user.pk, status__in=m.ACTIVE_STATUSES
    ).exists()
    if not registered and not may_run_session(user, session):
        raise PermissionDenied
    if material.is_link:
        return HttpResponseRedirect(material.url)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=material.original_name or material.title,
        content_type=material.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def material_remove_view(request, pk):
    user = request.user
    material = access_material(user, pk, write=True)
    session_id, title = material.session_id, material.title
    s.material_remove(actor=user, material=material)
    messages.success(request, _("“%(title)s” is removed.") % {"title": title})
    return redirect("learning:session-materials", session_id)


# The survey and its results ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_build(request, pk):
    """Build the session's survey from the question bank (at most 12 items); once built, open or close it."""
    user = request.user
    session = _staff_session(user, pk)
    survey = m.Survey.objects.filter(session=session).first()
    if survey is not None:
        if request.method == "POST":
            messages.info(request, _("This session already has a survey."))
            return redirect("learning:survey-build", session.pk)
        return render(
            request,
            "learning/survey_build.html",
            _page_context(
                user,
                session,
                survey=survey,
                items=list(survey.items.order_by("position", "pk")),
                responses=survey.responses.count(),
            ),
        )
    bank = question_bank(user, owner=session.owner).select_related("owner")
    form = SurveyBuildForm(posted_data(request), bank=bank)
    if request.method == "POST" and form.is_valid():
        try:
            s.survey_create(
                actor=user, session=session, questions=list(form.cleaned_data["questions"]),
                intro=form.cleaned_data["intro"],
            )  # fmt: skip
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The survey is open. Everyone who checked in is told it is waiting."))
            return redirect("learning:survey-build", session.pk)
    chosen = {int(v) for v in request.POST.getlist("questions") if v.isdigit()} if request.method == "POST" else set()
    labels = dict(m.GuskeyLevel.choices)
    groups: dict[int, list] = {}
    for item in bank:
        groups.setdefault(item.guskey_level, []).append(item)
    return render(
        request,
        "learning/survey_build.html",
        _page_context(
            user,
            session,
            survey=None,
            form=form,
            chosen=chosen,
            groups=[(level, labels[level], items) for level, items in sorted(groups.items())],
        ),
    )


@login_required
@require_POST
def survey_action(request, pk, action):
    if action not in ("close", "reopen"):
        raise Http404
    user = request.user
    survey = access_survey(user, pk, write=True)
    if action == "close":
        s.survey_close(actor=user, survey=survey)
        messages.success(request, _("The survey is closed: no more answers come in."))
    else:
        s.survey_reopen(actor=user, survey=survey)
        messages.success(request, _("The survey is open again."))
    return redirect("learning:survey-build", survey.session_id)


def _item_block(result) -> dict:
    item = result.item
    block = {"result": result, "chart": None, "rows": []}
    if item.kind == m.QuestionKind.SCALE:
        labels = list(item.scale_labels or [])
        labels += [""] * (5 - len(labels))
        block["rows"] = [(n, labels[n - 1], count) for n, count in enumerate(result.distribution, start=1)]
        if result.answered:
            block["chart"] = bar_chart(
                title=item.text, labels=[str(n) for n in range(1, 6)], values=result.distribution,
                y_title=_("Answers"),
            )  # fmt: skip
    elif item.kind == m.QuestionKind.YES_NO:
        block["rows"] = [(None, _("Yes"), result.yes), (None, _("No"), result.no)]
        if result.answered:
            block["chart"] = bar_chart(
                title=item.text, labels=[_("Yes"), _("No")], values=[result.yes, result.no], y_title=_("Answers")
            )
    return block


@login_required
@require_GET
def session_results(request, pk):
    """Survey results by Guskey level (means, distributions, answers without names) and the follow-up table."""
    user = request.user
    session = _staff_session(user, pk)
    survey = m.Survey.objects.filter(session=session).first()
    results, levels = None, []
    if survey is not None:
        results = survey_results(user, survey)
        labels = dict(m.GuskeyLevel.choices)
        by_level: dict[int, list] = {}
        for result in results.items:
            by_level.setdefault(result.item.guskey_level, []).append(_item_block(result))
        levels = [
            {"level": level, "label": labels[level], "mean": results.by_level.get(level), "blocks": blocks}
            for level, blocks in sorted(by_level.items())
        ]
    rows = follow_up(user, session)
    shared = shared_commitments(session)
    follow_page = Paginator(rows, FOLLOW_UP_PER_PAGE).get_page(request.GET.get("page"))
    follow_rows = [
        {"row": row, "shared": shared.get(row.registration.participant_id, [])} for row in follow_page.object_list
    ]
    return render(
        request,
        "learning/results.html",
        _page_context(
            user,
            session,
            survey=survey,
            results=results,
            levels=levels,
            page_obj=follow_page,
            follow_rows=follow_rows,
            follow_total=len(rows),
            attended_total=sum(1 for row in rows if row.attended),
            no_access=sum(1 for row in rows if not row.covered),
        ),
    )


# The After Action Review ------------------------------------------------------------------------


def _planned_from_objectives(session) -> str:
    # The same first answer review_start writes.
    return "\n".join(f"- {objective}" for objective in session.objective_list)


@login_required
@require_http_methods(["GET", "POST"])
def review_view(request, pk):
    """The After Action Review: four questions (the first from the session's objectives), then what to
    sustain and what to improve, each with who takes it on. It is saved on the first POST."""
    user = request.user
    session = _staff_session(user, pk)
    review = m.ActionReview.objects.filter(session=session).first()
    staff = session_staff(session, also=user)
    step = request.POST.get("step") if request.method == "POST" else None
    if review is not None:
        initial = {name: getattr(review, name) for name in ("planned", "actual", "why_different", "lessons")}
    else:
        initial = {"planned": _planned_from_objectives(session)}
    answers = ReviewForm(request.POST if step == "answers" else None, initial=initial)
    point = ReviewPointForm(request.POST if step == "point" else None, staff=staff)
    if step == "answers" and answers.is_valid():
        try:
            review = s.review_start(actor=user, session=session)
            s.review_update(actor=user, review=review, **answers.cleaned_data)
        except ValidationError as exc:
            service_errors(answers, exc)
        else:
            messages.success(request, _("The review is saved."))
            return redirect("learning:review", session.pk)
    elif step == "point" and point.is_valid():
        data = point.cleaned_data
        try:
            review = s.review_start(actor=user, session=session)
            s.review_point_add(
                actor=user,
                review=review,
                kind=data["kind"],
                text=data["text"],
                responsible=data["responsible"],
                responsible_name="" if data["responsible"] else data["responsible_name"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            service_errors(point, exc)
        else:
            messages.success(request, _("The point is added."))
            return HttpResponseRedirect(reverse("learning:review", args=[session.pk]) + "#points")
    elif step not in (None, "answers", "point"):
        raise Http404
    points = list(review.points.select_related("responsible")) if review is not None else []
    return render(
        request,
        "learning/review.html",
        _page_context(
            user,
            session,
            review=review,
            answers=answers,
            point=point,
            point_groups=[(label, [p for p in points if p.kind == kind]) for kind, label in m.ReviewPointKind.choices],
        ),
    )


@login_required
@require_POST
def review_point_remove_view(request, pk):
    user = request.user
    point = access_review_point(user, pk, write=True)
    session_id = point.review.session_id
    s.review_point_remove(actor=user, point=point)
    messages.success(request, _("The point is removed."))
    return HttpResponseRedirect(reverse("learning:review", args=[session_id]) + "#points")
