"""The faster url tag, date filter and translate tags give exactly what Django's own give."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Engine, engines
from django.template.defaultfilters import date as django_date
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone, translation

from trellis.lib.templatetags import fast_builtins, i18n_cached

ENGINE = engines["django"]
# Django's own tags and filters, for comparison.
DJANGO = Engine(libraries={"i18n": "django.templatetags.i18n"})
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

FORMATS = [
    None,
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "DATETIME_FORMAT",
    "M j, Y",
    "c",
    "D, M j · H:i",
    "F Y",
    "N j, Y, P",
    r"l jS \o\f F Y h:i:s A",
    "E b a",
    "Y-m-d",
    "U e O T I",
]

VALUES = [
    datetime.datetime(2026, 3, 8, 1, 30, tzinfo=CHICAGO),  # the night the clocks go forward
    datetime.datetime(2026, 11, 1, 1, 30, tzinfo=CHICAGO),  # and back: an ambiguous hour
    datetime.datetime(2025, 12, 31, 23, 59, 59, tzinfo=datetime.UTC),
    datetime.datetime(2026, 5, 4, 12, 0),  # naive
    datetime.datetime(2026, 6, 1, 0, 0, tzinfo=CHICAGO),  # midnight
]


def render(source: str, **context) -> str:
    return ENGINE.from_string(source).render(context)


def the_built_in(value, fmt):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return django_date(value, fmt)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_date_filter_writes_every_format_as_django_does(language):
    with translation.override(language):
        for value in VALUES:
            for fmt in FORMATS:
                if fmt is None:
                    ours = render("{{ v|date }}", v=value)
                else:
                    ours = render("{{ v|date:f }}", v=value, f=fmt)
                assert ours == the_built_in(value, fmt).replace("'", "&#x27;"), (value, fmt)


def test_month_names_follow_the_language_of_each_render():
    value = datetime.date(2026, 1, 15)
    template = ENGINE.from_string("{{ v|date:'F' }}")
    with translation.override("en"):
        assert template.render({"v": value}) == "January"
    with translation.override("es"):
        assert template.render({"v": value}) == "enero"
    with translation.override("en"):
        assert template.render({"v": value}) == "January"


def test_dates_empty_values_and_times_behave_as_before():
    day = datetime.date(2026, 2, 3)
    assert render("{{ v|date:'D j M Y' }}", v=day) == "Tue 3 Feb 2026"
    assert render("{{ v|date:'Y' }}", v=None) == ""
    assert render("{{ v|date:'Y' }}", v="") == ""
    assert render("{{ v|date:'Y' }}", v="not a date") == ""
    assert render("{{ v|date:'H:i' }}", v=datetime.time(9, 5)) == "09:05"
    with pytest.raises(TypeError):
        fast_builtins.format_date(day, "H:i")
    with pytest.raises(TypeError):
        django_date(day, "H:i")


def test_the_url_tag_gives_the_reversed_path_for_any_id():
    for pk in (0, 1, 7, 123456789012):
        assert render("{% url 'coaching:step-detail' pk %}", pk=pk) == reverse("coaching:step-detail", args=[pk])
    assert render("{% url 'home' %}") == reverse("home")
    # Not whole numbers: Django's own path, errors and all.
    assert render("{% url 'coaching:step-detail' pk=5 %}") == reverse("coaching:step-detail", kwargs={"pk": 5})
    with pytest.raises(NoReverseMatch):
        render("{% url 'coaching:step-detail' 'abc' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'coaching:step-detail' -1 %}")
    assert render("{% url 'no-such-page' 5 as link %}[{{ link }}]") == "[]"
    link = reverse("coaching:step-detail", args=[5])
    assert render("{% url 'coaching:step-detail' 5 as link %}[{{ link }}]") == f"[{link}]"


def test_the_url_tag_follows_the_script_prefix():
    set_script_prefix("/trellis/")
    try:
        assert render("{% url 'coaching:step-detail' 9 %}") == reverse("coaching:step-detail", args=[9])
        assert render("{% url 'coaching:step-detail' 9 %}").startswith("/trellis/")
    finally:
        set_script_prefix("/")
    assert render("{% url 'coaching:step-detail' 9 %}") == reverse("coaching:step-detail", args=[9])


def test_the_url_tag_refuses_a_path_whose_argument_is_not_an_id():
    # A path with a str argument is reversed with the id as text, as Django does.
    assert fast_builtins._template_for("no-such-page", 1, None) is None


def test_translate_follows_the_language_of_each_render():
    template = ENGINE.from_string("{% load i18n %}{% translate 'Yes' %}")
    assert isinstance(template.template.nodelist[1], i18n_cached.CachedTranslateNode)
    with translation.override("es"):
        assert template.render({}) == "Sí"
    with translation.override("en"):
        assert template.render({}) == "Yes"
    with translation.override("es"):
        assert template.render({}) == "Sí"


def same_as_django(source: str, **context) -> str:
    ours = render(source, **context)
    assert ours == DJANGO.from_string(source).render(Context(context))
    return ours


def test_translate_escapes_as_the_context_asks_and_assigns_variables():
    assert same_as_django("{% load i18n %}{% translate '<b>&' %}|{% translate 'Yes' as yes %}{{ yes }}") == "<b>&|Yes"
    assert same_as_django("{% load i18n %}{% translate '<b>&' as tag %}{{ tag }}{% translate tag %}")
    assert same_as_django("{% load i18n %}{% autoescape off %}{% translate word %}{% endautoescape %}", word="<i>")
    assert same_as_django("{% load i18n %}{% translate word %}", word="<i>") == "&lt;i&gt;"
    assert same_as_django("{% load i18n %}{% translate '100%% sure' %}|{% translate '100% sure' %}")


def test_translate_of_a_variable_or_with_filters_is_not_kept():
    template = ENGINE.from_string("{% load i18n %}{% translate word %}|{% translate 'yes'|upper %}")
    assert template.render({"word": "one"}) == "one|YES"
    assert template.render({"word": "two"}) == "two|YES"
    with translation.override("es"):
        assert render("{% load i18n %}{% translate word %}", word="Yes") == "Sí"


def test_translate_with_a_context_and_noop():
    source = "{% load i18n %}{% translate 'Sept.' context 'abbrev. month' %}|{% translate 'Yes' noop %}"
    assert same_as_django(source) == "Sept.|Yes"
    with translation.override("es"):
        spanish = same_as_django(source)
    assert spanish.endswith("|Yes") and not spanish.startswith("Sept.")


def test_blocktranslate_counts_and_names():
    template = ENGINE.from_string(
        "{% load i18n %}{% blocktranslate count n=k %}{{ n }} teacher{% plural %}{{ n }} teachers{% endblocktranslate %}"
        "|{% blocktranslate with name=who %}to {{ name }}{% endblocktranslate %}"
    )
    assert template.render({"k": 1, "who": "<Ana>"}) == "1 teacher|to &lt;Ana&gt;"
    assert template.render({"k": 3, "who": "Bo"}) == "3 teachers|to Bo"
    assert template.render({"k": 0, "who": "Cy"}) == "0 teachers|to Cy"


def test_i18n_is_the_only_tag_library_label_used_twice():
    # The settings silence Django's warning about labels used twice, for i18n's sake alone.
    warnings = ENGINE._check_for_template_tags_with_the_same_name()
    assert [warning.id for warning in warnings] == ["templates.W003"]
    assert "'i18n' is used for multiple template tag modules" in warnings[0].msg
    assert "trellis.lib.templatetags.i18n_cached" in warnings[0].msg
