"""What every district admin page shares: the current district, scoping, errors, lists."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404
from django.shortcuts import render

from trellis.lib.pagination import paginate, query_string_without_page
from trellis.orgs.models import Organization, OrgKind
from trellis.orgs.roles import roles_of

SESSION_KEY = "trellis.current_district"


def current_district(request) -> Organization:
    """The district a district admin is working on.

    An admin of several districts picks one with ``?district=<id>`` on any admin
    page; the choice is kept in the session. Anyone who administers no district
    gets PermissionDenied, so every admin page is a 403 for other roles.
    """
    admin_ids = roles_of(request.user).admin_district_ids
    if not admin_ids:
        raise PermissionDenied
    asked = _as_int(request.GET.get("district"))
    if asked in admin_ids:
        request.session[SESSION_KEY] = asked
    chosen = asked if asked in admin_ids else request.session.get(SESSION_KEY)
    districts = Organization.objects.filter(pk__in=admin_ids, kind=OrgKind.DISTRICT)
    district = districts.filter(pk=chosen).first() if chosen in admin_ids else None
    district = district or districts.order_by("name", "pk").first()
    if district is None:
        raise PermissionDenied
    return district


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def require_in_district(obj_district_id, district) -> None:
    """Objects of another district (even one the admin also runs) are not on this district's pages."""
    if obj_district_id != district.pk:
        raise Http404


def render_page(request, district, template, context=None, *, status=200):
    """Render an admin page with the current district and, for admins of several, the district switcher."""
    admin_ids = roles_of(request.user).admin_district_ids
    page_context = {"district": district}
    if len(admin_ids) > 1:
        page_context["admin_districts"] = list(
            Organization.objects.filter(pk__in=admin_ids, kind=OrgKind.DISTRICT).order_by("name", "pk")
        )
    page_context.update(context or {})
    return render(request, template, page_context, status=status)


def listing(request, queryset, per_page=None) -> dict:
    """The requested page of ``queryset`` and the filters to keep in the page links."""
    page_obj = paginate(request, queryset) if per_page is None else paginate(request, queryset, per_page)
    return {"page_obj": page_obj, "query_string": query_string_without_page(request)}


def filters(form) -> dict:
    """The filter values that passed validation; a bad one is shown on the form and ignored."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def add_service_error(form, exc) -> None:
    """Show a service's ValidationError on the form: beside the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, exc)
