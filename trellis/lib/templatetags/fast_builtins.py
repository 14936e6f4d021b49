"""Faster versions of the two built-ins our tables call on every row: ``{% url %}`` and ``|date``.

Both give exactly Django's output (tests/test_lib_template_speed.py compares them over many
values); they only skip work that does not change between rows. The settings load this
library after Django's own built-ins, so templates keep writing ``{% url %}`` and ``|date``.
"""

import datetime

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import formats
from django.utils.dateformat import DateFormat, TimeFormat, re_escaped, re_formatchars
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

# Ids no real row has: reversing with them shows where each argument goes in the path.
_MARKERS = (918273645, 918273646, 918273647, 918273648)


class _Template:
    """A reversed URL cut at its arguments: the parts between them, joined with new ids."""

    def __init__(self, parts: list[str]):
        self.parts = parts

    def fill(self, args) -> str:
        out = [self.parts[0]]
        for arg, part in zip(args, self.parts[1:], strict=True):
            out.append(str(arg))
            out.append(part)
        return "".join(out)


# (view name, argument count, urlconf, script prefix, current app) → _Template, or None when
# the path cannot be built this way (the slow path then reverses every time).
_templates: dict = {}


def _template_for(view_name, count, current_app):
    key = (view_name, count, get_urlconf(), get_script_prefix(), current_app)
    try:
        return _templates[key]
    except KeyError:
        pass
    found = None
    try:
        markers = _MARKERS[:count]
        url = reverse(view_name, args=markers, current_app=current_app)
        parts, rest = [], url
        for marker in markers:
            before, sep, rest = rest.partition(str(marker))
            if not sep:
                raise NoReverseMatch(view_name)
            parts.append(before)
        parts.append(rest)
        found = _Template(parts)
        # The path must take small ids as readily as the markers.
        if found.fill([1] * count) != reverse(view_name, args=[1] * count, current_app=current_app):
            found = None
    except (NoReverseMatch, IndexError):
        found = None
    _templates[key] = found
    return found


class FastURLNode(URLNode):
    """``{% url 'name' id … %}`` with whole-number arguments: reverse once, then fill in ids."""

    def render(self, context):
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        if not all(type(arg) is int and arg >= 0 for arg in args):
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        found = _template_for(self.view_name.resolve(context), len(args), current_app)
        if found is None:
            return super().render(context)
        url = found.fill(args)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)


# Format codes whose text is a translated name: it depends only on the month, the weekday or
# the clock, and on the language, so it is looked up once per language.
_BY_MONTH = frozenset("MFbNE")
_BY_WEEKDAY = frozenset("Dl")
_BY_CLOCK = frozenset("aAP")
_names: dict = {}
_pieces_cache: dict = {}


def _pieces(fmt: str) -> tuple:
    """A format string split once into (is a code, text) pieces, as Django's Formatter splits it."""
    try:
        return _pieces_cache[fmt]
    except KeyError:
        pass
    pieces = []
    for i, piece in enumerate(re_formatchars.split(fmt)):
        if i % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, re_escaped.sub(r"\1", piece)))
    if len(_pieces_cache) < 512:
        _pieces_cache[fmt] = tuple(pieces)
    return tuple(pieces)


def format_date(value, fmt=None) -> str:
    """Django's ``date_format(value, fmt)``, with the format split once and names kept per language."""
    lang = get_language()
    if fmt is None or fmt in formats.FORMAT_SETTINGS:
        fmt = formats.get_format(fmt or "DATE_FORMAT", lang)
    formatter = DateFormat(value)
    plain_date = type(value) is datetime.date
    out = []
    for is_code, piece in _pieces(str(fmt)):
        if not is_code:
            out.append(piece)
            continue
        if plain_date and hasattr(TimeFormat, piece):
            raise TypeError(
                f"The format for date objects may not contain time-related format specifiers (found '{piece}')."
            )
        if piece in _BY_MONTH:
            key = (piece, lang, value.month)
        elif piece in _BY_WEEKDAY:
            key = (piece, lang, value.weekday())
        elif piece in _BY_CLOCK:
            key = (piece, lang, value.hour, value.minute)
        else:
            out.append(str(getattr(formatter, piece)()))
            continue
        try:
            out.append(_names[key])
        except KeyError:
            out.append(_names.setdefault(key, str(getattr(formatter, piece)())))
    return "".join(out)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Format a date according to the given format (Django's ``date`` filter)."""
    if value in (None, ""):
        return ""
    if not isinstance(value, datetime.date):
        # Times and anything else take Django's own path, errors and all.
        from django.template.defaultfilters import date as django_date

        return django_date(value, arg)
    try:
        return format_date(value, arg)
    except AttributeError:
        return ""
