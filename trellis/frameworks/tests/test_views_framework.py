"""The framework page (continuum grid or outline) and the CASE download."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.samples import sample_path
from trellis.frameworks.models import Framework, FrameworkNode, LevelDescriptor
from trellis.frameworks.services import framework_import_case
from trellis.frameworks.tests.authz import import_package, make_package, starter

pytestmark = pytest.mark.django_db


def detail(framework):
    return reverse("frameworks:framework-detail", args=[framework.pk])


def page(client, framework) -> str:
    response = client.get(detail(framework))
    assert response.status_code == 200
    return response.content.decode()


def test_the_starter_framework_shows_its_header_and_grid(world, client_for):
    html = page(client_for(world.teacher), starter(world))
    assert "<h1>Open Instructional Practice</h1>" in html
    assert "The Trellis project" in html and "Adopted" in html and "Shipped with Trellis" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html and "CC-BY-4.0" in html
    assert "<dd>1.0</dd>" in html
    assert "Higher levels are further along" in html
    # Columns: the four levels in order, as column headers.
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers[:6] == ["Component", "Starting", "Building", "Consistent", "Shared", "Look-fors"]
    # Four domain headings, twelve component rows, one cell per component x level.
    assert html.count("<h3 ") == 4 and "Designing for Learning" in html
    assert html.count('<th scope="row">') == 12
    assert html.count('<details class="component"') == 12
    descriptor = LevelDescriptor.objects.filter(
        node__version=starter(world).current_version, node__code="1.1", level__position=1
    ).get()
    assert descriptor.text[:40].replace('"', "&quot;") in html


def test_the_phone_version_lists_every_level_per_component(world, client_for):
    html = page(client_for(world.coach), starter(world))
    node = FrameworkNode.objects.get(version=starter(world).current_version, code="1.1")
    card = html.split(f'id="node-{node.pk}-card"')[1].split("</details>")[0]
    assert "<summary>" in card and "Goals and Success Criteria" in card
    assert re.findall(r"<dt>([^<]+)</dt>", card) == ["Starting", "Building", "Consistent", "Shared"]
    assert card.count("<dd>") == 4
    # Look-fors of the component are shown with it.
    look_fors = node.extra["extensions"]["trellis:lookFors"]
    assert look_fors[0].replace('"', "&quot;").replace("'", "&#x27;") in card


def test_a_descending_scale_says_level_one_is_the_ideal(world, client_for):
    framework = import_package(world, make_package("desc", title="Descending", descending=True))
    html = page(client_for(world.teacher), framework)
    assert "Level 1 is the ideal" in html
    assert "Higher levels are further along" not in html


def test_a_scale_of_seven_levels_gives_seven_columns(world, client_for):
    framework = import_package(world, make_package("seven", title="Seven", domains=1, components=2, levels=7))
    html = page(client_for(world.teacher), framework)
    table = html.split('<table class="continuum">')[1].split("</table>")[0]
    assert table.count('<th scope="col">') == 1 + 7
    assert "Level 7" in table and "D1.C2 at level 7." in table


def test_crosswalk_links_are_shown(world, client_for):
    framework = import_package(world, make_package("xwalk", title="Crosswalked", crosswalk=True))
    html = page(client_for(world.teacher), framework)
    assert '<th scope="col">Crosswalk</th>' in html
    previous = FrameworkNode.objects.get(version=framework.current_version, code="D1.C1")
    assert "Related to:" in html and f'{detail(framework)}#node-{previous.pk}"' in html
    assert "Exact match of:" in html and "State standard for D1.C2" in html
    assert 'href="https://state.example.org/case/' in html


def test_a_framework_without_a_continuum_is_shown_as_an_outline(world, client_for):
    framework, report, _ = framework_import_case(
        actor=None, raw=sample_path("case-opensalt", "Ordering.json").read_bytes(), district=world.district
    )
    assert not report.errors
    html = page(client_for(world.teacher), framework)
    assert "<h2>Outline</h2>" in html and "28 items" in html
    assert "<table" not in html
    # Nested five deep, in outline order.
    assert (
        html.count('<ul class="outline">')
        == FrameworkNode.objects.filter(version=framework.current_version).exclude(children=None).count() + 1
    )
    codes = re.findall(r'<span class="node-code">([^<]+)</span>', html)
    stored = list(
        FrameworkNode.objects.filter(version=framework.current_version)
        .order_by("outline")
        .values_list("code", flat=True)
    )
    assert codes == stored


def test_markdown_statements_render_and_html_is_escaped(world, client_for):
    framework, report, _ = framework_import_case(
        actor=None, raw=sample_path("case-opensalt", "MarkdownFramework.json").read_bytes(), district=world.district
    )
    html = page(client_for(world.teacher), framework)
    assert "<table>" in html and "<td>data 1</td>" in html and "<em>table</em>" in html

    evil = make_package(
        "evil",
        title="Evil",
        domains=1,
        components=1,
        statement=lambda code: '<script>alert("x")</script> [click](javascript:alert(1)) **bold**',
    )
    framework = import_package(world, evil)
    html = page(client_for(world.teacher), framework)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html


def test_another_districts_framework_is_404_and_an_unknown_id_too(world, client_for):
    framework = import_package(world, make_package("mine", title="Cedar Valley Rubric"))
    assert client_for(world.other_admin).get(detail(framework)).status_code == 404
    assert (
        client_for(world.other_admin).get(reverse("frameworks:framework-export", args=[framework.pk])).status_code
        == 404
    )
    assert client_for(world.teacher).get("/frameworks/999999/").status_code == 404
    assert client_for(world.teacher).get(detail(framework)).status_code == 200


def test_a_teacher_gets_no_controls_and_an_admin_does(world, client_for):
    choose = reverse("frameworks:framework-choose", args=[starter(world).pk])
    assert choose not in page(client_for(world.teacher), starter(world))
    html = page(client_for(world.district_admin), starter(world))
    assert choose in html and "For Cedar Valley ISD:" in html


def test_the_export_downloads_a_case_package(world, client_for):
    framework = starter(world)
    response = client_for(world.teacher).get(reverse("frameworks:framework-export", args=[framework.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="open-instructional-practice-case.json"'
    package = json.loads(response.content.decode("utf-8"))
    assert package["CFDocument"]["title"] == "Open Instructional Practice"
    assert len(package["CFItems"]) == 16
    assert len(package["CFRubrics"][0]["CFRubricCriteria"]) == 12


def test_the_export_imports_back_as_the_same_continuum(world, client_for):
    response = client_for(world.district_admin).get(reverse("frameworks:framework-export", args=[starter(world).pk]))
    copy, report, existed = framework_import_case(actor=None, raw=response.content, district=world.district)
    assert not report.errors and not existed
    assert copy.pk != starter(world).pk and copy.district == world.district
    html = page(client_for(world.teacher), copy)
    assert html.count('<th scope="row">') == 12
    assert re.findall(r'<th scope="col">([^<]+)</th>', html)[1:5] == ["Starting", "Building", "Consistent", "Shared"]


def test_a_framework_without_a_version_has_no_export(world, client_for):
    framework = Framework.objects.create(district=world.district, title="Empty shell")
    html = page(client_for(world.teacher), framework)
    assert "This framework has no items yet." in html
    assert client_for(world.teacher).get(reverse("frameworks:framework-export", args=[framework.pk])).status_code == 404


def queries_for(client, framework) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(detail(framework))
    assert response.status_code == 200
    return len(ctx)


def test_the_grid_runs_the_same_queries_for_6_or_500_components(world, client_for):
    client = client_for(world.teacher)
    small = import_package(world, make_package("small", title="Small", domains=2, components=3, crosswalk=True))
    large = import_package(world, make_package("large", title="Large", domains=20, components=25, crosswalk=True))
    assert FrameworkNode.objects.filter(version=large.current_version).count() == 520
    client.get(detail(small))  # warm the session
    assert queries_for(client, small) == queries_for(client, large)
    assert page(client, large).count('<th scope="row">') == 500


def test_the_outline_runs_the_same_queries_for_small_and_large_frameworks(world, client_for):
    client = client_for(world.teacher)
    small = import_package(world, make_package("o-small", title="Small outline", domains=1, components=2, levels=0))
    large = import_package(world, make_package("o-large", title="Large outline", domains=10, components=30, levels=0))
    client.get(detail(small))
    assert queries_for(client, small) == queries_for(client, large)
    assert "<h2>Outline</h2>" in page(client, large)
