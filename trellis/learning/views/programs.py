"""Program managers' pages: programs, cohorts, invitations, scheduling sessions, certificates, the question bank.

Program managers are the admins of the service center or district that runs a program.
A cohort's facilitators also open its page and its certificates (they issue them);
everything else here is the managers'. Objects come through ``trellis.learning.access``
(404 when not visible, 403 when visible but not theirs to change); every write goes
through ``trellis.learning.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.frameworks.models import Framework
from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.access import (
    access_certificate,
    access_cohort,
    access_invitation,
    access_program,
    access_question,
    managed_org_ids,
    may_manage,
    may_run_cohort,
    staff_session_q,
)
from trellis.learning.forms.programs import (
    SERVICE_TO_FORM,
    CohortForm,
    ConfirmForm,
    FacilitatorsForm,
    InviteForm,
    InviteSearchForm,
    ProgramForm,
    QuestionForm,
    RevokeForm,
    SessionForm,
)
from trellis.learning.selectors import (
    cohort_completion,
    facilitator_candidates,
    managed_programs,
    program_overview,
    question_bank,
    with_seats,
)
from trellis.learning.selectors_manage import (
    cohort_invitations,
    cohort_participants,
    cohort_sessions,
    invitable_people,
    managed_owners,
    program_scores_by_level,
    revoked_certificates,
    runs_learning,
    served_district_ids,
)
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.observations.views.common import add_service_errors
from trellis.orgs.models import Organization, OrgKind

UPCOMING_ON_LIST = 10
PARTICIPANTS_PER_PAGE = 50
INVITATIONS_PER_PAGE = 50
QUESTIONS_PER_PAGE = 100


def posted_data(request):
    """The POST data to bind a form to (even when empty: a form of optional fields still validates), or None."""
    return request.POST if request.method == "POST" else None


def service_errors(form, exc: ValidationError, names: dict | None = None) -> None:
    """A service's errors on the form, with the service's field names mapped to the form's."""
    if names and hasattr(exc, "error_dict"):
        exc = ValidationError({names.get(key, key): errors for key, errors in exc.error_dict.items()})
    add_service_errors(form, exc)


def error_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _framework_choices(owners):
    """Frameworks a program of these owners may target: the shipped ones, the owners' own, and for a
    service center its districts' (what ``program_create`` accepts)."""
    ids = [o.pk for o in owners]
    children = Organization.objects.filter(parent__in=[o.pk for o in owners if o.kind == OrgKind.SERVICE_CENTER])
    return Framework.objects.filter(
        Q(district__isnull=True) | Q(district__in=ids) | Q(district__in=children.values("pk"))
    ).order_by("title", "pk")


# Programs ---------------------------------------------------------------------------------------


@login_required
@require_GET
def program_list(request):
    """Programs the person manages, and the upcoming sessions they run (as a manager or a facilitator)."""
    user = request.user
    if not runs_learning(user):
        raise PermissionDenied
    is_manager = bool(managed_org_ids(user))
    page_obj = paginate(request, managed_programs(user)) if is_manager else None
    upcoming = list(
        with_seats(m.Session.objects.filter(staff_session_q(user), ends_at__gte=timezone.now()))
        .select_related("cohort__program")
        .order_by("starts_at", "pk")[:UPCOMING_ON_LIST]
    )
    return render(
        request,
        "learning/program_list.html",
        {"page_obj": page_obj, "programs": page_obj.object_list if page_obj else [], "upcoming": upcoming,
         "is_manager": is_manager},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def program_create_view(request):
    user = request.user
    owners = managed_owners(user)
    if not owners:
        raise PermissionDenied
    form = ProgramForm(
        posted_data(request),
        owners=owners,
        frameworks=_framework_choices(owners),
        initial={"completion_percent": 80, "owner": owners[0].pk},
    )
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data.get("owner") or owners[0]
        try:
            program = s.program_create(
                actor=user, owner=owner, frameworks=form.cleaned_data["frameworks"], **form.service_fields()
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The program is saved as a draft. Add a cohort and its sessions, then publish it."),
            )
            return redirect("learning:program-overview", program.pk)
    return render(request, "learning/program_form.html", {"form": form, "program": None})


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request, pk):
    user = request.user
    program = access_program(user, pk, write=True)
    initial = {name: getattr(program, name) for name in ["title", "summary", "goals", *m.Program.OUTCOME_FIELDS]}
    initial["completion_percent"] = program.completion_percent
    initial["frameworks"] = list(program.frameworks.values_list("pk", flat=True))
    form = ProgramForm(posted_data(request), frameworks=_framework_choices([program.owner]), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s.program_update(
                actor=user, program=program, frameworks=form.cleaned_data["frameworks"], **form.service_fields()
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The program is saved."))
            return redirect("learning:program-overview", program.pk)
    return render(request, "learning/program_form.html", {"form": form, "program": program})


_PROGRAM_ACTIONS = {
    "publish": (s.program_publish, {m.ProgramStatus.DRAFT, m.ProgramStatus.ARCHIVED}),
    "archive": (s.program_archive, {m.ProgramStatus.DRAFT, m.ProgramStatus.PUBLISHED}),
}


@login_required
@require_http_methods(["GET", "POST"])
def program_action(request, pk, action):
    """Publish or archive a program: a confirmation page, then the POST."""
    if action not in _PROGRAM_ACTIONS:
        raise Http404
    user = request.user
    program = access_program(user, pk, write=True)
    service, allowed_from = _PROGRAM_ACTIONS[action]
    if request.method == "POST":
        try:
            service(actor=user, program=program)
        except ValidationError as exc:
            error_messages(request, exc)
        else:
            if action == "publish":
                messages.success(request, _("The program is published: its open cohorts are in the catalogue."))
            else:
                messages.success(request, _("The program is archived. Its records and certificates stay."))
        return redirect("learning:program-overview", program.pk)
    return render(
        request,
        "learning/program_action.html",
        {"program": program, "action": action, "allowed": program.status in allowed_from, "form": ConfirmForm()},
    )


def _attendance_rate(cohorts) -> dict:
    """Seats and attendance of the sessions that have ended, from the annotated sessions (no queries)."""
    now = timezone.now()
    seated = attended = 0
    for cohort in cohorts:
        for session in cohort.session_list:
            if session.ends_at <= now and not session.is_cancelled:
                seated += session.confirmed_count
                attended += session.checked_in_count
    return {"seated": seated, "attended": attended, "percent": round(100 * attended / seated) if seated else None}


@login_required
@require_GET
def program_overview_view(request, pk):
    user = request.user
    program = access_program(user, pk, write=True)
    overview = program_overview(user, program)
    scores = program_scores_by_level(program)
    labels = dict(m.GuskeyLevel.choices)
    levels = [
        {"level": level, "label": labels[level], "outcome": outcome, "score": scores.get(level)}
        for level, _label, outcome in program.guskey_plan
    ]
    return render(
        request,
        "learning/program_overview.html",
        {
            "program": program,
            "overview": overview,
            "levels": levels,
            "attendance": _attendance_rate(overview.cohorts),
            "participants_total": sum(row["registered"] for row in overview.districts),
            "frameworks": list(program.frameworks.order_by("title")),
            "now": timezone.now(),
        },
    )


# Cohorts ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create_view(request, pk):
    user = request.user
    program = access_program(user, pk, write=True)
    form = CohortForm(posted_data(request), candidates=facilitator_candidates(program.owner))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = s.cohort_create(
                actor=user,
                program=program,
                name=data["name"],
                description=data["description"],
                registration_mode=data["registration_mode"],
                facilitators=data["facilitators"],
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The cohort is added. Schedule its first session."))
            return redirect("learning:cohort-detail", cohort.pk)
    return render(request, "learning/cohort_form.html", {"form": form, "program": program, "cohort": None})


def _cohort_for_runners(user, pk):
    """A cohort its facilitators and managers open: 404 when not visible, 403 for anyone else who sees it."""
    cohort = access_cohort(user, pk)
    if not may_run_cohort(user, cohort):
        raise PermissionDenied
    return cohort


@login_required
@require_http_methods(["GET", "POST"])
def cohort_detail(request, pk):
    """A cohort's series of sessions, its facilitators and registration; managers name the facilitators here."""
    user = request.user
    cohort = _cohort_for_runners(user, pk)
    is_manager = may_manage(user, cohort.owner_id)
    form = None
    if is_manager:
        form = FacilitatorsForm(
            posted_data(request),
            candidates=facilitator_candidates(cohort.owner),
            initial={"facilitators": [p.pk for p in cohort.facilitators.all()]},
        )
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            s.cohort_set_facilitators(actor=user, cohort=cohort, facilitators=form.cleaned_data["facilitators"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The cohort's facilitators are saved."))
            return redirect("learning:cohort-detail", cohort.pk)
    return render(
        request,
        "learning/cohort_detail.html",
        {
            "cohort": cohort,
            "program": cohort.program,
            "sessions": list(cohort_sessions(cohort)),
            "facilitators": list(cohort.facilitators.order_by("full_name", "pk")),
            "invitation_count": cohort.invitations.count(),
            "certificate_count": cohort.certificates.filter(revoked_at__isnull=True).count(),
            "is_manager": is_manager,
            "form": form,
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request, pk):
    user = request.user
    cohort = access_cohort(user, pk, write=True)
    fields = ["name", "description", "registration_mode"]
    form = CohortForm(posted_data(request), initial={name: getattr(cohort, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        try:
            s.cohort_update(actor=user, cohort=cohort, **{name: form.cleaned_data[name] for name in fields})
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The cohort is saved."))
            return redirect("learning:cohort-detail", cohort.pk)
    return render(request, "learning/cohort_form.html", {"form": form, "program": cohort.program, "cohort": cohort})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_invite(request, pk):
    """Find people of the districts the program serves and invite several at once; the invitations so far."""
    user = request.user
    cohort = access_cohort(user, pk, write=True)
    district_ids = served_district_ids(cohort.owner)
    districts = list(Organization.objects.filter(pk__in=district_ids).order_by("name"))
    search = InviteSearchForm(request.GET or None, districts=districts)
    search.is_valid()
    terms = getattr(search, "cleaned_data", {})
    candidates = invitable_people(
        cohort, district_ids=district_ids, search=terms.get("q", ""), district_id=terms.get("district")
    )
    form = InviteForm(posted_data(request), people=invitable_people(cohort, district_ids=district_ids))
    if request.method == "POST":
        if form.is_valid():
            try:
                created = s.invitation_create(actor=user, cohort=cohort, people=list(form.cleaned_data["people"]))
            except ValidationError as exc:
                error_messages(request, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s person is invited and told in their notices.",
                        "%(n)s people are invited and told in their notices.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                query = request.GET.urlencode()
                return redirect(reverse("learning:cohort-invite", args=[cohort.pk]) + (f"?{query}" if query else ""))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    page_obj = paginate(request, candidates)
    invited_page = Paginator(cohort_invitations(cohort), INVITATIONS_PER_PAGE).get_page(request.GET.get("invited"))
    return render(
        request,
        "learning/cohort_invite.html",
        {
            "cohort": cohort,
            "program": cohort.program,
            "search": search,
            "searched": bool(terms.get("q") or terms.get("district")),
            "page_obj": page_obj,
            "query_string": query_string_without_page(request),
            "invited_page": invited_page,
            "is_manager": True,
        },
    )


@login_required
@require_POST
def invitation_withdraw_view(request, pk):
    user = request.user
    invitation = access_invitation(user, pk, write=True)
    cohort_id, name = invitation.cohort_id, invitation.person.display_name
    s.invitation_withdraw(actor=user, invitation=invitation)
    messages.success(request, _("%(name)s's invitation is withdrawn.") % {"name": name})
    return redirect("learning:cohort-invite", cohort_id)


# Sessions ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create_view(request, pk):
    user = request.user
    cohort = access_cohort(user, pk, write=True)
    owner_zone = cohort.owner.timezone
    form = SessionForm(
        posted_data(request),
        candidates=facilitator_candidates(cohort.owner),
        zones=[owner_zone],
        initial={"timezone": owner_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = s.session_create(
                actor=user,
                cohort=cohort,
                facilitators=form.cleaned_data["facilitators"],
                **form.content_fields(),
                **form.plan_fields(),
            )
        except ValidationError as exc:
            service_errors(form, exc, SERVICE_TO_FORM)
        else:
            if cohort.program.status == m.ProgramStatus.PUBLISHED:
                messages.success(request, _("The session is scheduled and open for registration."))
            else:
                messages.success(
                    request, _("The session is scheduled. People can register once the program is published.")
                )
            return redirect("learning:session-manage", session.pk)
    return render(
        request,
        "learning/session_form.html",
        {"form": form, "cohort": cohort, "program": cohort.program, "session": None, "is_manager": True,
         "owner_zone": owner_zone},
    )  # fmt: skip


# Certificates -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cohort_certificates(request, pk):
    """Participants with their attendance toward the certificate; issue one, or everyone eligible at once."""
    user = request.user
    cohort = _cohort_for_runners(user, pk)
    if request.method == "POST":
        if request.POST.get("issue") == "all":
            try:
                issued = s.certificate_issue_all(actor=user, cohort=cohort)
            except ValidationError as exc:
                error_messages(request, exc)
            else:
                if issued:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s certificate is issued; its holder is told.",
                            "%(n)s certificates are issued; their holders are told.",
                            len(issued),
                        )
                        % {"n": len(issued)},
                    )
                else:
                    messages.info(request, _("Nobody else is eligible for a certificate yet."))
        else:
            person = cohort_participants(cohort).filter(pk=_as_int(request.POST.get("participant"))).first()
            if person is None:
                messages.error(request, _("Choose a participant of this cohort."))
            else:
                try:
                    s.certificate_issue(actor=user, cohort=cohort, participant=person)
                except ValidationError as exc:
                    error_messages(request, exc)
                else:
                    messages.success(
                        request, _("%(name)s's certificate is issued; they are told.") % {"name": person.display_name}
                    )
        url = reverse("learning:cohort-certificates", args=[cohort.pk])
        page = _as_int(request.GET.get("page"))
        return redirect(url + (f"?page={page}" if page else ""))
    page_obj = paginate(request, cohort_participants(cohort), PARTICIPANTS_PER_PAGE)
    people = list(page_obj.object_list)
    completion = cohort_completion(cohort, [p.pk for p in people])
    rows = []
    for person in people:
        done = completion[person.pk]
        rows.append(
            {
                "person": person,
                "done": done,
                "percent": round(100 * done.attended_minutes / done.total_minutes) if done.total_minutes else None,
            }
        )
    total_minutes = next(iter(completion.values())).total_minutes if completion else None
    return render(
        request,
        "learning/certificates_cohort.html",
        {
            "cohort": cohort,
            "program": cohort.program,
            "page_obj": page_obj,
            "rows": rows,
            "total_minutes": total_minutes,
            "revoked": list(revoked_certificates(cohort)[:50]),
            "is_manager": may_manage(user, cohort.owner_id),
        },
    )


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke_view(request, pk):
    user = request.user
    certificate = access_certificate(user, pk, write=True)
    cohort = certificate.cohort
    if certificate.is_revoked:
        messages.info(request, _("This certificate is already revoked."))
        return redirect("learning:cohort-certificates", cohort.pk)
    form = RevokeForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            s.certificate_revoke(actor=user, certificate=certificate, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s's certificate is revoked. The verification page now says so.")
                % {"name": certificate.participant_name},
            )
            return redirect("learning:cohort-certificates", cohort.pk)
    return render(
        request,
        "learning/certificates_revoke.html",
        {"certificate": certificate, "cohort": cohort, "program": cohort.program, "form": form, "is_manager": True},
    )


# The question bank ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def question_bank_view(request):
    """The starter questions and the organization's own, by Guskey level; managers add their own."""
    user = request.user
    if not runs_learning(user):
        raise PermissionDenied
    owners = managed_owners(user)
    form = QuestionForm(posted_data(request), owners=owners) if owners else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                s.question_create(
                    actor=user,
                    owner=data.get("owner") or owners[0],
                    text=data["text"],
                    kind=data["kind"],
                    guskey_level=data["guskey_level"],
                    construct=data["construct"],
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The question is in your bank. Add it to a session's survey."))
                return redirect("learning:question-bank")
    page_obj = paginate(request, question_bank(user).select_related("owner"), QUESTIONS_PER_PAGE)
    groups = {}
    for item in page_obj.object_list:
        groups.setdefault(item.guskey_level, []).append(item)
    labels = dict(m.GuskeyLevel.choices)
    return render(
        request,
        "learning/question_bank.html",
        {
            "form": form,
            "page_obj": page_obj,
            "groups": [(labels[level], items) for level, items in sorted(groups.items())],
            "managed_ids": managed_org_ids(user),
        },
    )


@login_required
@require_POST
def question_retire_view(request, pk):
    user = request.user
    question = access_question(user, pk, write=True)
    try:
        s.question_retire(actor=user, question=question)
    except ValidationError as exc:
        error_messages(request, exc)
    else:
        messages.success(request, _("The question is retired. Surveys that used it keep their copy."))
    return redirect("learning:question-bank")
