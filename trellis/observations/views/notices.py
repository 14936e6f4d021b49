"""In-app notices: what was shared with the person, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trellis.lib.pagination import paginate
from trellis.observations import selectors
from trellis.observations.services import notice_mark_all_read


@login_required
@require_http_methods(["GET", "POST"])
def notice_list(request):
    if request.method == "POST":
        if notice_mark_all_read(actor=request.user):
            messages.success(request, _("All notices are marked as read."))
        return redirect("observations:notices")
    page_obj = paginate(request, selectors.notices_of(request.user))
    return render(
        request,
        "observations/notices.html",
        {
            "page_obj": page_obj,
            "notices": page_obj.object_list,
            "unread": selectors.unread_notice_count(request.user),
            "query_string": "",
        },
    )
