"""The framework catalogue and the district admin's choices of frameworks and libraries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from trellis.frameworks import selectors
from trellis.frameworks.access import access_framework, access_library
from trellis.frameworks.forms import ChooseForm
from trellis.frameworks.services import framework_choose, library_choose
from trellis.frameworks.views.common import current_district, reading_district, redirect_back, require_role
from trellis.lib.pagination import paginate, query_string_without_page

# The catalogue shows this many libraries; the library page lists them all.
LIBRARIES_ON_CATALOGUE = 10


@login_required
@require_GET
def catalogue(request):
    roles = require_role(request.user)
    district = reading_district(request, roles)
    page_obj = paginate(request, selectors.framework_catalogue(request.user))
    frameworks = selectors.mark_choices(page_obj.object_list, selectors.framework_choices(district))
    library_rows = list(selectors.library_catalogue(request.user)[: LIBRARIES_ON_CATALOGUE + 1])
    libraries = selectors.mark_choices(library_rows[:LIBRARIES_ON_CATALOGUE], selectors.library_choices(district))
    context = {
        "district": district,
        "can_manage": roles.is_district_admin,
        "page_obj": page_obj,
        "frameworks": frameworks,
        "libraries": libraries,
        "more_libraries": len(library_rows) > LIBRARIES_ON_CATALOGUE,
        "query_string": query_string_without_page(request),
        "back": request.get_full_path(),
    }
    return render(request, "frameworks/catalogue.html", context)


CHOSEN = {
    "use": gettext_lazy("%(title)s is now used in %(district)s."),
    "stop": gettext_lazy("%(title)s is no longer used in %(district)s."),
    "default": gettext_lazy("%(title)s is now the default in %(district)s."),
}


def _choose(request, district, obj, service, field: str, default_page: str):
    form = ChooseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to use, stop using or make it the default."))
        return redirect_back(request, request.POST.get("next", ""), default_page)
    enabled, is_default = form.choice()
    try:
        service(actor=request.user, district=district, enabled=enabled, is_default=is_default, **{field: obj})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        message = CHOSEN[form.cleaned_data["action"]]
        messages.success(request, str(message) % {"title": obj.title, "district": district.name})
    return redirect_back(request, form.cleaned_data["next"], default_page)


@login_required
@require_POST
def framework_choose_view(request, pk):
    district = current_district(request)  # 403 for anyone who administers no district, before looking the id up
    framework = access_framework(request.user, pk)
    return _choose(request, district, framework, framework_choose, "framework", "frameworks:catalogue")


@login_required
@require_POST
def library_choose_view(request, pk):
    district = current_district(request)
    library = access_library(request.user, pk)
    return _choose(request, district, library, library_choose, "library", "frameworks:library-list")
