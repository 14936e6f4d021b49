"""The coach's caseload and the teacher's growth page, each in a fixed number of queries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from trellis.coaching.forms.sessions import PlacementForm
from trellis.coaching.selectors import dashboards as selectors
from trellis.coaching.services import placement_record
from trellis.frameworks.models import FrameworkNode, ScaleLevel
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.lib.rules import rule_for
from trellis.orgs.roles import roles_of


@login_required
@require_GET
def caseload(request):
    roles = roles_of(request.user)
    if not (roles.is_coach or roles.is_facilitator):
        raise PermissionDenied
    today = timezone.localdate()
    page_obj = paginate(request, selectors.caseload(request.user, today=today))
    rows = selectors.decorate_caseload_rows(page_obj.object_list, today=today)
    context = {
        "page_obj": page_obj,
        "rows": rows,
        "query_string": query_string_without_page(request),
        "month": today,
    }
    return render(request, "coaching/caseload.html", context)


def _require_teacher(user):
    if not roles_of(user).is_teacher:
        raise PermissionDenied


@login_required
@require_GET
def my_growth(request):
    _require_teacher(request.user)
    growth = selectors.growth(request.user)
    form = PlacementForm(areas=growth.area_choices, levels=growth.level_choices)
    return render(request, "coaching/my_growth.html", {"growth": growth, "placement_form": form})


@login_required
@require_POST
def placement_create_view(request):
    """Place myself again today on one area of the continuum."""
    _require_teacher(request.user)
    node = rule_for(FrameworkNode).visible(request.user).filter(pk=_int(request.POST.get("node"))).first()
    level = (
        rule_for(ScaleLevel)
        .visible(request.user)
        .select_related("scale")
        .filter(pk=_int(request.POST.get("level")))
        .first()
    )
    if node is None or level is None:
        messages.error(request, _("Choose an area and a level from the lists."))
        return redirect("coaching:my-growth")
    try:
        placement_record(actor=request.user, node=node, level=level)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Placed today: %(level)s on %(area)s.")
            % {"level": level.label, "area": f"{node.code} {node.title or node.statement[:80]}".strip()},
        )
    return redirect("coaching:my-growth")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
