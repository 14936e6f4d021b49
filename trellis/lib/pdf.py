"""HTML templates to PDF with WeasyPrint.

The renderer never fetches from the network: only our own static files (styles,
fonts, images) and inline ``data:`` URLs are loaded, so a crafted URL in user
text cannot make the server request anything.
"""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML, URLFetcher

_STATIC_PREFIX = "static:"


class _LocalFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith(_STATIC_PREFIX):
            path = finders.find(url.removeprefix(_STATIC_PREFIX).lstrip("/"))
            if path:
                return super().fetch(Path(path).as_uri(), headers)
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"Refused to fetch {url!r} while rendering a PDF")


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render a template to PDF bytes. Templates refer to assets as ``static:trellis/...``."""
    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_LocalFetcher(), base_url=_STATIC_PREFIX).write_pdf()
