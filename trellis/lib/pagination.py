"""Pagination that never fails on a bad page number."""

from urllib.parse import urlencode

from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page (the last one if past the end, the first if not a number)."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_string_without_page(request) -> str:
    """The current filters, to carry into the pagination links."""
    params = [(k, v) for k, values in request.GET.lists() if k != "page" for v in values]
    return urlencode(params)
