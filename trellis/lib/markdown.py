"""Render imported text (CASE statements may hold Markdown) safely: raw HTML is escaped, unsafe links dropped."""

import functools

from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


# The same texts come back page after page (a framework version's descriptors never change): keep the
# latest few thousand renderings.
@functools.lru_cache(maxsize=4096)
def _rendered(text: str) -> str:
    return _md.render(text)


def render_markdown(text: str) -> str:
    # html=False escapes any HTML in the source; markdown-it's validateLink refuses javascript:, vbscript:, data: links.
    return mark_safe(_rendered(text or ""))  # noqa: S308 (output of a renderer that escapes HTML)
