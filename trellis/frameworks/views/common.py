"""What the frameworks pages share: who may read them, the district a page speaks for, safe redirects."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from trellis.orgs.roles import roles_of
from trellis.orgs.views.common import add_service_error, current_district

__all__ = ["add_service_error", "current_district", "reading_district", "redirect_back", "require_role"]


def require_role(user):
    """Frameworks are read by every person who holds a district or service-center role."""
    roles = roles_of(user)
    if not roles.names:
        raise PermissionDenied
    return roles


def reading_district(request, roles):
    """The district whose choices a page shows: the admin's current district, else the person's own (or None)."""
    if roles.is_district_admin:
        return current_district(request)
    return request.user.district if request.user.district_id else None


def redirect_back(request, target: str, default: str, *args):
    """Redirect to ``target`` when it is a path on this site, else to the URL named ``default``."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse(default, args=args))
