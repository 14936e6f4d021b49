"""Server-rendered SVG charts, shown as images with a data table beside them.

The SVG goes into the page as a ``data:`` image: the page's content security
policy allows those, and an image runs no script. Every chart is drawn beside a
table of the same numbers for screen readers and for printing.

Lines over time (a goal's data, a teacher's placements) are drawn by the small
plotter below: a page shows up to a dozen of them, and a general charting library
took about 6 ms each. Bar charts, one or two on a results page, use pygal.
"""

import base64
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pygal
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
    known = [v for v in values if v is not None] + ([target] if target is not None else [])
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    ticks = _ticks(low - pad, high + pad)
    plot = _Plot(labels, ticks[0], ticks[-1], left=LEFT_NUMBERS, y_title=y_title)
    parts = [plot.frame([(_number_label(t), t) for t in ticks])]
    if target is not None:
        parts.append(plot.series([target] * len(labels), colour=_STYLE.colors[1], dashed=True, dots=False))
        parts.append(plot.legend([(title, _STYLE.colors[0], False), (_("Target"), _STYLE.colors[1], True)]))
    parts.append(plot.series(values, colour=_STYLE.colors[0]))
    return Chart(plot.data_uri(parts), title)


def step_chart(*, title: str, labels: list[str], values: list[int | None], level_labels: list[str]) -> Chart:
    """Placement on an ordered scale over time (y axis shows the scale's level names)."""
    top = max(len(level_labels), 2)
    plot = _Plot(labels, 1, top, left=LEFT_LEVELS)
    parts = [plot.frame([(label, i + 1) for i, label in enumerate(level_labels)])]
    parts.append(plot.series(values, colour=_STYLE.colors[0]))
    return Chart(plot.data_uri(parts), title)


WIDTH, HEIGHT = 720, 320
RIGHT, TOP, BOTTOM = 44, 28, 44
# Room for the y labels: numbers, or a scale's level names.
LEFT_NUMBERS, LEFT_LEVELS = 72, 150


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values that cover low..high."""
    raw = (high - low) / (count - 1)
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    step = next((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), raw)
    start = (low // step) * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def _number_label(value: float) -> str:
    return f"{value:g}"


class _Plot:
    """Maps categories (x) and values (y) into the drawing area, and draws its parts as SVG text."""

    def __init__(self, labels: list[str], low: float, high: float, *, left: int, y_title: str = ""):
        self.labels, self.low, self.high, self.y_title, self.left = labels, low, high, y_title, left
        self.inner_w = WIDTH - left - RIGHT
        self.inner_h = HEIGHT - TOP - BOTTOM

    def x(self, i: int) -> float:
        n = len(self.labels)
        return self.left + (self.inner_w / 2 if n <= 1 else i * self.inner_w / (n - 1))

    def y(self, value: float) -> float:
        return TOP + self.inner_h * (1 - (value - self.low) / ((self.high - self.low) or 1))

    def frame(self, y_ticks: list[tuple[str, float]]) -> str:
        fg, subtle = _STYLE.foreground, _STYLE.foreground_subtle
        out = []
        for label, value in y_ticks:
            y = self.y(value)
            out.append(f'<line x1="{self.left}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e4e7eb"/>')
            out.append(
                f'<text x="{self.left - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{fg}">{escape(label[:22])}</text>'
            )
        step = max(1, len(self.labels) // 8)
        for i, label in enumerate(self.labels):
            if i % step == 0 or i == len(self.labels) - 1:
                out.append(
                    f'<text x="{self.x(i):.1f}" y="{HEIGHT - BOTTOM + 22}" text-anchor="middle" fill="{subtle}">'
                    f"{escape(label)}</text>"
                )
        if self.y_title:
            out.append(
                f'<text x="16" y="{TOP + self.inner_h / 2:.1f}" text-anchor="middle" fill="{subtle}" '
                f'transform="rotate(-90 16 {TOP + self.inner_h / 2:.1f})">{escape(self.y_title)}</text>'
            )
        return "".join(out)

    def series(self, values: list, *, colour: str, dashed: bool = False, dots: bool = True) -> str:
        points = [(self.x(i), self.y(v)) for i, v in enumerate(values) if v is not None]
        if not points:
            return ""
        dash = ' stroke-dasharray="6,4"' if dashed else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out = [f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>']
        if dots:
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"/>' for x, y in points]
        return "".join(out)

    def legend(self, items: list[tuple[str, str, bool]]) -> str:
        out, x = [], self.left
        for label, colour, dashed in items:
            dash = ' stroke-dasharray="6,4"' if dashed else ""
            out.append(f'<line x1="{x}" y1="12" x2="{x + 24}" y2="12" stroke="{colour}" stroke-width="3"{dash}/>')
            out.append(f'<text x="{x + 30}" y="16" fill="{_STYLE.foreground}">{escape(label[:40])}</text>')
            x += 40 + 8 * min(len(label), 40)
        return "".join(out)

    def data_uri(self, parts: list[str]) -> str:
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'font-family="{_STYLE.font_family}" font-size="13">'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{_STYLE.background}"/>{"".join(parts)}</svg>'
        )
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def bar_chart(*, title: str, labels: list[str], values: list[float], y_title: str = "") -> Chart:
    chart = _base(pygal.Bar, title=title, y_title=y_title)
    chart.x_labels = labels
    chart.add(title, values)
    return Chart(_data_uri(chart), title)
