"""Server-rendered SVG charts, shown as images with a data table beside them.

The SVG goes into the page as a ``data:`` image: the page's content security
policy allows those, and an image runs no script. Every chart is drawn beside a
table of the same numbers for screen readers and for printing.

Charts are drawn by pygal. Lines over time (a goal's data, a teacher's placements)
are kept once drawn: a growth page shows a dozen, each a few milliseconds to draw.
"""

import base64
import functools
from dataclasses import dataclass

import pygal
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.style import Style

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#2f6f4e", "#b8860b", "#3b5b92", "#8e3b46"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)


@dataclass(frozen=True)
class Chart:
    data_uri: str
    title: str


def _data_uri(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _base(chart_class, *, title: str, y_title: str = "", height: int = 320, **options):
    options.setdefault("show_legend", False)
    return chart_class(
        style=_STYLE,
        title=None,
        y_title=y_title or None,
        width=720,
        height=height,
        js=[],
        disable_xml_declaration=False,
        explicit_size=False,
        print_values=False,
        x_label_rotation=0,
        truncate_label=-1,
        margin=16,
        **options,
    )


def line_chart(
    *, title: str, labels: list[str], values: list[float | None], y_title: str = "", target: float | None = None
) -> Chart:
    """A line over time, with an optional dashed target line."""
    return Chart(_line_uri(title, tuple(labels), tuple(values), y_title, target, get_language()), title)


def step_chart(*, title: str, labels: list[str], values: list[int | None], level_labels: list[str]) -> Chart:
    """Placement on an ordered scale over time (y axis shows the scale's level names)."""
    return Chart(_step_uri(title, tuple(labels), tuple(values), tuple(level_labels)), title)


# Drawing a chart takes the library a few milliseconds, and a teacher's growth page shows a dozen;
# the same numbers draw the same chart, so the latest drawings are kept (the language is part of the
# key because the legend is translated).
@functools.lru_cache(maxsize=1024)
def _line_uri(title: str, labels: tuple, values: tuple, y_title: str, target: float | None, _language: str) -> str:
    chart = _base(pygal.Line, title=title, y_title=y_title, show_dots=True, dots_size=5, show_legend=target is not None)
    chart.x_labels = list(labels)
    chart.add(title, list(values))
    if target is not None:
        chart.add(_("Target"), [target] * len(values), stroke_style={"dasharray": "6,4"}, show_dots=False)
    return _data_uri(chart)


@functools.lru_cache(maxsize=1024)
def _step_uri(title: str, labels: tuple, values: tuple, level_labels: tuple) -> str:
    chart = _base(pygal.Line, title=title, show_dots=True, dots_size=6, range=(1, max(len(level_labels), 1)))
    chart.x_labels = list(labels)
    chart.y_labels = [{"label": label, "value": i + 1} for i, label in enumerate(level_labels)]
    chart.add(title, list(values))
    return _data_uri(chart)


def bar_chart(*, title: str, labels: list[str], values: list[float], y_title: str = "") -> Chart:
    chart = _base(pygal.Bar, title=title, y_title=y_title)
    chart.x_labels = labels
    chart.add(title, values)
    return Chart(_data_uri(chart), title)
