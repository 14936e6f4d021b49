"""Helpers shared by the observation pages."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse

from trellis.lib.rules import fetch
from trellis.orgs.access import coached_teachers
from trellis.orgs.roles import roles_of

User = get_user_model()


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def may_observe_anyone(user) -> bool:
    """Roles that plan and make observations (a teacher plans self-reviews)."""
    roles = roles_of(user)
    return roles.is_coach or roles.is_facilitator or roles.is_campus_leader or roles.is_teacher


def require_coach(user) -> None:
    """Check-ins are held by coaches and facilitators."""
    roles = roles_of(user)
    if not (roles.is_coach or roles.is_facilitator):
        raise PermissionDenied


def access_coached_teacher(user, pk):
    """A teacher on ``user``'s current caseload; 404 for anyone else, so no one is confirmed to exist."""
    return fetch(User, user, pk, queryset=User.objects.filter(pk__in=coached_teachers(user)))


def json_error(message, status: int, **extra) -> JsonResponse:
    """The one error shape of the JSON endpoints: {"error": "..."} plus details."""
    return JsonResponse({"error": str(message), **extra}, status=status)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")
