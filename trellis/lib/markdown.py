"""Render imported text (CASE statements may hold Markdown) safely: raw HTML is escaped, unsafe links dropped."""

from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str) -> str:
    # html=False escapes any HTML in the source; markdown-it's validateLink refuses javascript:, vbscript:, data: links.
    return mark_safe(_md.render(text or ""))  # noqa: S308 (output of a renderer that escapes HTML)
