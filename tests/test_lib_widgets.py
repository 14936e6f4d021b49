"""The charts and the quick select: the information shown, safe with any text."""

import base64

from django import forms

from trellis.lib.charts import line_chart, step_chart
from trellis.lib.forms import QuickSelect


def svg_of(chart) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert chart.data_uri.startswith(prefix)
    return base64.b64decode(chart.data_uri[len(prefix) :]).decode()


def test_a_line_chart_draws_each_point_and_a_dashed_target():
    svg = svg_of(
        line_chart(title="Exit tickets", labels=["Baseline", "Sep 1", "Oct 2"], values=[20, 31, 44], target=60)
    )
    assert svg.count("<circle") == 3
    assert "stroke-dasharray:6,4" in svg
    assert "Baseline" in svg and "Oct 2" in svg and "Target" in svg


def test_a_step_chart_names_the_levels_and_skips_missing_values():
    svg = svg_of(
        step_chart(
            title="1a",
            labels=["Sep 1", "Nov 2", "Jan 5"],
            values=[1, None, 3],
            level_labels=["Beginning", "Proficient", "Distinguished"],
        )
    )
    assert svg.count("<circle") == 2
    assert "Beginning" in svg and "Distinguished" in svg


def test_chart_text_is_escaped():
    svg = svg_of(line_chart(title="x", labels=["<script>alert(1)</script>"], values=[1], y_title="a & b"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg


def test_the_same_numbers_are_drawn_once():
    first = line_chart(title="Minutes", labels=["Sep 1", "Oct 2"], values=[10, 12], target=15)
    again = line_chart(title="Minutes", labels=["Sep 1", "Oct 2"], values=[10, 12], target=15)
    other = line_chart(title="Minutes", labels=["Sep 1", "Oct 2"], values=[10, 13], target=15)
    assert again.data_uri is first.data_uri
    assert other.data_uri != first.data_uri


def test_a_chart_with_one_value_or_none_still_draws():
    assert "<svg" in svg_of(line_chart(title="x", labels=["Sep 1"], values=[5]))
    assert "<svg" in svg_of(line_chart(title="x", labels=[], values=[]))


class Pick(forms.Form):
    person = forms.ChoiceField(
        choices=[("", "Anyone"), ("1", "Ana <b>"), ("Group", [("2", "Ben & Co")])], required=False, widget=QuickSelect
    )


def test_quick_select_marks_the_choice_and_escapes_labels():
    html = str(Pick({"person": "2"})["person"])
    assert html.startswith('<select name="person" id="id_person">')
    assert '<option value="1">Ana &lt;b&gt;</option>' in html
    assert '<optgroup label="Group"><option value="2" selected>Ben &amp; Co</option></optgroup>' in html
    assert '<option value="" >' not in html and '<option value="">Anyone</option>' in html


def test_quick_select_reads_back_like_any_select():
    form = Pick({"person": "1"})
    assert form.is_valid() and form.cleaned_data["person"] == "1"
    assert not Pick({"person": "9"}).is_valid()
