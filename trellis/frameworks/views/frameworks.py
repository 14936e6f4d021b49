"""One framework: its header, its continuum grid (or outline), and its CASE export."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from trellis.frameworks import selectors
from trellis.frameworks.access import access_framework
from trellis.frameworks.case.export import export_package
from trellis.frameworks.views.common import reading_district, require_role
from trellis.lib.markdown import render_markdown


@login_required
@require_GET
def framework_detail(request, pk):
    roles = require_role(request.user)
    framework = access_framework(request.user, pk)
    district = reading_district(request, roles)
    selectors.mark_choices([framework], selectors.framework_choices(district))
    context = {
        "framework": framework,
        "version": framework.current_version,
        "continuum": selectors.continuum(framework.current_version),
        "description_html": render_markdown(framework.description),
        "district": district,
        "can_manage": roles.is_district_admin and framework.district_id in (None, getattr(district, "pk", None)),
        "back": request.get_full_path(),
    }
    return render(request, "frameworks/framework_detail.html", context)


@login_required
@require_GET
def framework_export(request, pk):
    require_role(request.user)
    framework = access_framework(request.user, pk)
    if framework.current_version is None:
        raise Http404
    package = export_package(framework.current_version)
    body = json.dumps(package, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    filename = f"{slugify(framework.title) or 'framework'}-case.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
