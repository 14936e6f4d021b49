"""Participants' pages of professional learning: the catalogue, a session, registering and
cancelling, check-in on a phone, surveys, commitments, certificates and the transcript.

Objects come through ``trellis.learning.access`` (404 when the person may not see them,
403 when they see but may not act); every write is one call of ``trellis.learning.services``,
whose refusals are shown as messages or on the form. Phone first: every page here is used
on a phone in a training room.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.learning import models as m
from trellis.learning import selectors as sel
from trellis.learning import selectors_pages as pages
from trellis.learning import services as s
from trellis.learning.access import (
    access_certificate,
    access_cohort,
    access_commitment,
    access_registration,
    access_session,
    access_survey,
    access_transcript,
)
from trellis.learning.calendar import registration_ics as make_ics
from trellis.learning.credits import policy_for
from trellis.learning.documents import certificate_filename, certificate_pdf, qr_svg_data_uri, verify_url
from trellis.learning.forms.participant import (
    CancelForm,
    CatalogueFilterForm,
    CheckinForm,
    CommitmentEditForm,
    CommitmentForm,
    SurveyForm,
    TranscriptFilterForm,
)
from trellis.learning.selectors import certificate_by_code
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.observations.views.common import add_service_errors
from trellis.orgs.roles import roles_of

S = m.RegistrationStatus
CATALOGUE_PAGE_SIZE = 12
UPCOMING_LIMIT = 50


def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def outcome_message(registration: m.Registration, position: int | None = None) -> str:
    """What a registration gave, in plain words."""
    title = registration.session.title
    if registration.status == S.CONFIRMED:
        return _("You have a seat in %(title)s. A calendar invitation is on its way to your email.") % {"title": title}
    if registration.status == S.WAITLISTED:
        if position:
            return _(
                "%(title)s is full: you are number %(n)s on the waiting list. If a seat frees up, it is yours "
                "automatically and we email you."
            ) % {"title": title, "n": position}
        return _("%(title)s is full: you are on the waiting list. If a seat frees up, we email you.") % {"title": title}
    if registration.status == S.PENDING:
        return _(
            "Your registration for %(title)s waits for your district's approval. We email you when they decide."
        ) % {"title": title}
    return registration.get_status_display()


# The catalogue ----------------------------------------------------------------------------------


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CatalogueFilterForm(request.GET or None, programs=pages.catalogue_programs(user))
    sessions = sel.catalogue(user)
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("program"):
            sessions = sessions.filter(cohort__program_id=form.cleaned_data["program"])
        month = form.month_range()
        if month:
            sessions = sessions.filter(starts_at__gte=month[0], starts_at__lt=month[1])
    elif form.is_bound:
        sessions = sessions.none()
    page_obj = paginate(request, sessions, CATALOGUE_PAGE_SIZE)
    rows = list(page_obj.object_list)
    for session in rows:
        session.my_status_label = S(session.my_status).label if session.my_status else ""
    return render(
        request,
        "learning/catalogue.html",
        {
            "form": form,
            "filtered": form.is_bound and any(form.data.get(k) for k in ("program", "month")),
            "page_obj": page_obj,
            "sessions": rows,
            "query_string": query_string_without_page(request),
            # The person's district decides whether their registrations need its approval.
            "approval_required": bool(user.district_id) and policy_for(user.district_id).approval_required,
        },
    )


# A session --------------------------------------------------------------------------------------


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request.user, pk)
    page = pages.session_page(request.user, session)
    context = {"page": page, "session": session, "commitment_form": CommitmentForm()}
    return render(request, "learning/session_detail.html", context)


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request.user, pk)
    if not request.user.district_id:
        raise PermissionDenied
    try:
        registration = s.registration_create(actor=request.user, session=session)
    except ValidationError as exc:
        _messages_from(request, exc)
    else:
        messages.success(request, outcome_message(registration, pages.waiting_position(registration)))
    return redirect("learning:session", session.pk)


@login_required
@require_POST
def register_series(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = access_cohort(request.user, pk)
    if not request.user.district_id:
        raise PermissionDenied
    back = request.POST.get("session")
    try:
        result = s.registration_create_series(actor=request.user, cohort=cohort)
    except ValidationError as exc:
        _messages_from(request, exc)
    else:
        counts = dict.fromkeys(S.values, 0)
        for registration in result.created:
            counts[registration.status] += 1
        parts = []
        if counts[S.CONFIRMED]:
            parts.append(_("%(n)s with a seat") % {"n": counts[S.CONFIRMED]})
        if counts[S.WAITLISTED]:
            parts.append(_("%(n)s on the waiting list") % {"n": counts[S.WAITLISTED]})
        if counts[S.PENDING]:
            parts.append(_("%(n)s waiting for your district's approval") % {"n": counts[S.PENDING]})
        if result.created:
            text = _("You are registered for %(n)s sessions of %(cohort)s: %(parts)s.") % {
                "n": len(result.created),
                "cohort": cohort.name,
                "parts": ", ".join(parts),
            }
        else:
            text = _("You were already registered for every open session of %(cohort)s.") % {"cohort": cohort.name}
        if result.already and result.created:
            text += " " + _("%(n)s you were already registered for stay as they were.") % {"n": len(result.already)}
        messages.success(request, text)
    if back and back.isdigit() and m.Session.objects.filter(pk=int(back), cohort=cohort).exists():
        return redirect("learning:session", int(back))
    return redirect("learning:my-learning")


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = access_registration(request.user, pk)
    if not pages.may_cancel_for(request.user, registration):
        raise PermissionDenied
    session = registration.session
    own = registration.participant_id == request.user.pk
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            s.registration_cancel(actor=request.user, registration=registration, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            if own:
                messages.success(request, _("Your registration for %(title)s is cancelled.") % {"title": session.title})
            else:
                messages.success(
                    request,
                    _("%(name)s's registration for %(title)s is cancelled.")
                    % {"name": registration.participant.display_name, "title": session.title},
                )
        roles = roles_of(request.user)
        if not own and (roles.admin_district_ids or roles.leader_campus_ids):
            return redirect("learning:people-registrations")
        return redirect("learning:session", session.pk)
    now = timezone.now()
    context = {
        "registration": registration,
        "session": session,
        "form": form,
        "own": own,
        "too_late": own and now >= session.cancellation_deadline,
        "not_active": not registration.is_active,
        "attended": registration.checked_in_at is not None,
    }
    return render(request, "learning/registration_cancel.html", context)


@login_required
@require_GET
def registration_ics(request: HttpRequest, pk: int) -> HttpResponse:
    registration = access_registration(request.user, pk)
    if registration.participant_id != request.user.pk:
        raise PermissionDenied
    if registration.status != S.CONFIRMED:
        messages.info(request, _("The calendar invitation comes once you hold a seat."))
        return redirect("learning:session", registration.session_id)
    response = HttpResponse(make_ics(registration), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{registration.session_id}.ics"'
    return response


# My learning and transcript ---------------------------------------------------------------------


@login_required
@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    user = request.user
    upcoming = list(sel.my_registrations(user, upcoming=True)[:UPCOMING_LIMIT])
    past_page = paginate(request, sel.my_registrations(user, upcoming=False), 20)
    context = {
        "upcoming": upcoming,
        "past_page": past_page,
        "page_obj": past_page,
        "query_string": query_string_without_page(request),
        "surveys": list(sel.surveys_to_answer(user)[:20]),
        "commitments": list(sel.my_commitments(user)[:50]),
        "certificates": list(sel.my_certificates(user)[:50]),
    }
    return render(request, "learning/my_learning.html", context)


def render_transcript(request: HttpRequest, person, *, own: bool) -> HttpResponse:
    form = TranscriptFilterForm(request.GET or None)
    since = until = None
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data.get("since"), form.cleaned_data.get("until")
    report = sel.transcript(person, since=since, until=until)
    context = {"form": form, "report": report, "person": person, "own": own, "since": since, "until": until}
    return render(request, "learning/transcript.html", context)


@login_required
@require_GET
def my_transcript(request: HttpRequest) -> HttpResponse:
    person = access_transcript(request.user, request.user.pk)
    return render_transcript(request, person, own=True)


# Check-in ---------------------------------------------------------------------------------------


def _check_in(request: HttpRequest, code: str, form: CheckinForm | None = None):
    """Check in with ``code``; the page to show (success, or the form with the reason it failed)."""
    _session, before = pages.checkin_session(request.user, code)
    try:
        registration = s.attendance_check_in(actor=request.user, code=code)
    except ValidationError as exc:
        if form is None:
            form = CheckinForm({"code": code})
            form.is_valid()
        add_service_errors(form, exc)
        return None, form
    registration.already = before is not None and before.checked_in_at is not None
    return registration, form


@login_required
@require_http_methods(["GET", "POST"])
def checkin_form(request: HttpRequest) -> HttpResponse:
    form = CheckinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        registration, form = _check_in(request, form.cleaned_data["code"], form)
        if registration is not None:
            return render(request, "learning/checkin_done.html", {"registration": registration})
    # People arrive at this page to type a code: the keyboard opens straight away on a phone.
    form.fields["code"].widget.attrs["autofocus"] = True
    return render(request, "learning/checkin_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """The page the QR code on the facilitator's screen opens: one tap to check in."""
    errors = None
    if request.method == "POST":
        registration, form = _check_in(request, code)
        if registration is not None:
            return render(request, "learning/checkin_done.html", {"registration": registration})
        errors = form.errors.get("code")
    session, registration = pages.checkin_session(request.user, code)
    now = timezone.now()
    context = {
        "code": code,
        "session": session,
        "registration": registration,
        "ended": session is not None and now > session.ends_at,
        "form": CheckinForm(initial={"code": code}) if session is None else None,
        "errors": errors,
    }
    return render(request, "learning/checkin.html", context)


# Surveys ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access_survey(request.user, pk)
    session = survey.session
    answered = m.SurveyResponse.objects.filter(survey=survey, respondent_id=request.user.pk).exists()
    attended = m.Registration.objects.filter(
        session_id=session.pk, participant_id=request.user.pk, checked_in_at__isnull=False
    ).exists()
    context = {"survey": survey, "session": session, "answered": answered, "attended": attended}
    if answered or not attended or not survey.is_open:
        if request.method == "POST" and answered:
            messages.info(request, _("You have already answered this survey. Thank you!"))
            return redirect("learning:survey", survey.pk)
        status = 403 if not attended and not answered else 200
        return render(request, "learning/survey_answer.html", context, status=status)
    items = list(survey.items.order_by("position", "pk"))
    form = SurveyForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            s.survey_respond(actor=request.user, survey=survey, answers=form.answers())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("learning:survey", survey.pk)
    context["form"] = form
    return render(request, "learning/survey_answer.html", context)


# Commitments ------------------------------------------------------------------------------------


def _require_seat(user, session: m.Session) -> None:
    seated = m.Registration.objects.filter(session=session, participant_id=user.pk, status=S.CONFIRMED).exists()
    if not seated:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request.user, pk)
    _require_seat(request.user, session)
    form = CommitmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            s.commitment_create(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your commitment is saved."))
            return redirect(f"{_session_url(session.pk)}#commitments")
    return render(request, "learning/commitment_form.html", {"form": form, "session": session, "commitment": None})


def _session_url(pk: int) -> str:
    return reverse("learning:session", args=[pk])


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = access_commitment(request.user, pk, write=True)
    initial = {
        "text": commitment.text,
        "due_on": commitment.due_on,
        "shared": commitment.shared,
        "done": commitment.done_at is not None,
    }
    form = CommitmentEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s.commitment_update(actor=request.user, commitment=commitment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your commitment is saved."))
            return redirect(f"{_session_url(commitment.session_id)}#commitments")
    context = {"form": form, "session": commitment.session, "commitment": commitment}
    return render(request, "learning/commitment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = access_commitment(request.user, pk, write=True)
    if request.method == "POST":
        s.commitment_delete(actor=request.user, commitment=commitment)
        messages.success(request, _("The commitment is removed."))
        return redirect(f"{_session_url(commitment.session_id)}#commitments")
    return render(request, "learning/commitment_delete.html", {"commitment": commitment})


# Certificates -----------------------------------------------------------------------------------


@login_required
@require_GET
def certificate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = access_certificate(request.user, pk)
    url = verify_url(certificate)
    context = {
        "certificate": certificate,
        "own": certificate.participant_id == request.user.pk,
        "verify_url": url,
        "qr": qr_svg_data_uri(url),
    }
    return render(request, "learning/certificate_detail.html", context)


@login_required
@require_GET
def certificate_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = access_certificate(request.user, pk)
    if certificate.is_revoked:
        messages.error(request, _("This certificate was revoked; it can no longer be downloaded."))
        return redirect("learning:certificate", certificate.pk)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(certificate)}"'
    return response


@require_GET
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone (signed in or not) confirms a certificate from its code; an unknown code is "not found"."""
    certificate = certificate_by_code(code)
    if certificate is None:
        raise Http404
    response = render(request, "learning/verify.html", {"certificate": certificate})
    # Codes are shared on purpose but should not be collected by search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
