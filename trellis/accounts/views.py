"""The home page each person lands on, and their own account page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trellis.accounts.forms import ProfileForm
from trellis.accounts.models import CalendarFeed
from trellis.accounts.services import calendar_feed_create, calendar_feed_revoke, profile_update
from trellis.coaching.selectors import dashboards as coaching_home
from trellis.learning.selectors_pages import home_learning
from trellis.orgs import selectors
from trellis.orgs.models import Organization
from trellis.orgs.roles import roles_of


@login_required
def home(request):
    """A role-aware home: every section the person's roles call for, most specific first."""
    roles = roles_of(request.user)
    context = {"roles": roles}
    if roles.is_district_admin:
        district = Organization.objects.filter(pk__in=roles.admin_district_ids).order_by("name").first()
        context["district"] = district
        context["overview"] = selectors.district_overview(district)
    if roles.is_service_center_admin:
        context["sc_overview"] = selectors.service_center_overview(roles.sc_admin_ids)
    if roles.is_campus_leader:
        context["leader"] = selectors.leader_home(request.user, roles.leader_campus_ids)
    if roles.is_coach or roles.is_facilitator:
        context["caseload"] = selectors.coach_caseload(request.user)
        context["coaching_coach"] = coaching_home.home_coach(request.user)
        if roles.is_facilitator:
            context["pending_access"] = selectors.facilitator_pending(request.user)
    if roles.is_teacher:
        context["mine"] = selectors.teacher_home(request.user)
        context["coaching_teacher"] = coaching_home.home_teacher(request.user)
    learning = home_learning(request.user)
    if learning.shown:
        context["learning"] = learning
    return render(request, "accounts/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": request.user.full_name,
            "preferred_name": request.user.preferred_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your name is saved."))
            return redirect("accounts:profile")
    memberships = request.user.memberships.select_related("organization").order_by("-valid_from")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    """Subscribe to one's sessions from Google, Outlook or Apple Calendar: make, replace or stop the address."""
    feed_url = None
    action = request.POST.get("action")
    if action == "create":
        token = calendar_feed_create(actor=request.user)
        # The address is shown once, now: only its hash is kept.
        feed_url = settings.SITE_URL.rstrip("/") + reverse("accounts:calendar-feed", args=[token])
        messages.success(request, _("Your calendar address is ready. Copy it now: it is shown only once."))
    elif action == "revoke":
        if calendar_feed_revoke(actor=request.user):
            messages.success(
                request, _("Your calendar address is turned off. Calendars subscribed to it stop updating.")
            )
        return redirect("accounts:calendar")
    active = CalendarFeed.objects.filter(person=request.user, revoked_at__isnull=True).first()
    context = {
        "active": active,
        "feed_url": feed_url,
        "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://") if feed_url else None,
    }
    return render(request, "accounts/calendar.html", context)
