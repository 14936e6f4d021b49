"""Recurring check-ins (who is due, recording one, the cadence) and a teacher's timeline."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trellis.lib.pagination import paginate
from trellis.lib.rules import fetch
from trellis.observations import selectors
from trellis.observations.forms import CadenceForm, CheckInForm
from trellis.observations.services import cadence_days, cadence_set, check_in_record
from trellis.observations.views.common import access_coached_teacher, add_service_errors, require_coach
from trellis.orgs.access import coached_teachers
from trellis.orgs.selectors import campus_names_by_teacher

User = get_user_model()


@login_required
def check_in_list(request):
    require_coach(request.user)
    today = timezone.localdate()
    page_obj = paginate(request, selectors.check_in_caseload(request.user, today=today))
    rows = list(page_obj.object_list)
    campuses = campus_names_by_teacher(r.pk for r in rows)
    default_days = settings.CHECK_IN_EVERY_DAYS
    for row in rows:
        row.campuses = campuses.get(row.pk, "")
        row.cadence = row.every_days or default_days
        row.status = (
            "overdue"
            if row.urgency == selectors.Urgency.OVERDUE
            else ("due" if row.urgency == selectors.Urgency.DUE else "later")
        )
        row.days_overdue = (today - row.next_due).days if row.next_due and row.next_due < today else 0
    return render(
        request,
        "observations/checkins.html",
        {"page_obj": page_obj, "rows": rows, "today": today, "query_string": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in_create(request, teacher_pk):
    require_coach(request.user)
    teacher = access_coached_teacher(request.user, teacher_pk)
    every = cadence_days(request.user, teacher)
    today = timezone.localdate()
    form = CheckInForm(request.POST or None, initial={"held_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            check_in_record(actor=request.user, teacher=teacher, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The check-in with %(name)s is recorded.") % {"name": teacher.display_name})
            return redirect("observations:checkins")
    return render(
        request,
        "observations/checkin_form.html",
        {
            "form": form,
            "teacher": teacher,
            "every_days": every,
            "default_next": today + datetime.timedelta(days=every),
            "recent": selectors.recent_check_ins(request.user, teacher),
            "current": selectors.current_step_of(request.user, teacher),
            "cadence_form": CadenceForm(initial={"every_days": every}, auto_id="id_cadence_%s"),
        },
    )


@login_required
@require_POST
def cadence_view(request, teacher_pk):
    require_coach(request.user)
    teacher = access_coached_teacher(request.user, teacher_pk)
    form = CadenceForm(request.POST)
    if form.is_valid():
        try:
            cadence_set(actor=request.user, teacher=teacher, every_days=form.cleaned_data["every_days"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("You will check in with %(name)s every %(n)s days.")
                % {"name": teacher.display_name, "n": form.cleaned_data["every_days"]},
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    target = request.POST.get("next")
    if target == "form":
        return redirect("observations:checkin-create", teacher.pk)
    return redirect("observations:checkins")


@login_required
def teacher_timeline(request, teacher_pk):
    """Observations, feedback and check-ins about a teacher, newest first: for the teacher and their coaches."""
    user = request.user
    teacher = fetch(
        User, user, teacher_pk, queryset=User.objects.filter(Q(pk=user.pk) | Q(pk__in=coached_teachers(user)))
    )
    page_obj = paginate(request, selectors.timeline_entries(user, teacher))
    entries = selectors.load_timeline_page(page_obj.object_list)
    return render(
        request,
        "observations/timeline.html",
        {
            "teacher": teacher,
            "is_self": teacher.pk == user.pk,
            "page_obj": page_obj,
            "entries": entries,
            "query_string": "",
        },
    )
