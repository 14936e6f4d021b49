"""Action-step libraries: the list, the scope and sequence with search and filters, steps, copies and edits."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.frameworks.models import ActionStep, ActionStepLibrary, ExemplarResource, FrameworkNode, LibraryPhase
from trellis.frameworks.tests.authz import district_library, starter, starter_library

pytestmark = pytest.mark.django_db

LIST = reverse("frameworks:library-list")


def detail(library):
    return reverse("frameworks:library-detail", args=[library.pk])


def codes(html: str) -> list:
    """The step codes a library page lists, in order."""
    return re.findall(r'<a href="/frameworks/steps/\d+/"><span class="node-code">([^<]+)</span>', html)


def node(world, code) -> FrameworkNode:
    return FrameworkNode.objects.get(version=starter(world).current_version, code=code)


def phase(library, key) -> LibraryPhase:
    return library.phases.get(key=key)


def get(client, url, params=None) -> str:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


# The list -------------------------------------------------------------------------------------------------------


def test_the_list_shows_libraries_with_step_counts(world, client_for):
    html = get(client_for(world.teacher), LIST)
    count = ActionStep.objects.filter(library=starter_library(world)).count()
    assert "Open Action Steps" in html and f'<td data-label="Steps">{count}</td>' in html
    assert "Make a copy for my district" not in html
    html = get(client_for(world.district_admin), LIST)
    assert "Make a copy for my district" in html


def test_a_districts_copy_is_listed_for_its_people_only(world, client_for):
    copy = district_library(world)
    assert copy.title in get(client_for(world.coach), LIST)
    assert copy.title not in get(client_for(world.other_admin), LIST)
    assert client_for(world.other_admin).get(detail(copy)).status_code == 404


# The scope and sequence -----------------------------------------------------------------------------------------


def test_steps_are_grouped_by_phase_in_sequence(world, client_for):
    html = get(client_for(world.teacher), detail(starter_library(world)))
    headings = re.findall(r'<h3 id="phase-\d+">([^<]+)</h3>', html)
    assert headings == ["Routines and Community", "Clear Teaching", "Talk and Participation", "Evidence and Rigor"]
    shown = codes(html)
    assert shown[:3] == ["R1", "R2", "R3"] and shown[-1] == "E10" and len(shown) == 40
    # One-line description and the aligned component codes.
    assert "Decide exactly what students do in the first three minutes" in html
    assert '<span class="badge badge-muted" title="Routines and Use of Time">2.2</span>' in html


def test_filter_by_phase(world, client_for):
    library = starter_library(world)
    shown = codes(get(client_for(world.teacher), detail(library), {"phase": phase(library, "talk").pk}))
    assert shown == [f"T{n}" for n in range(1, 11)]


def test_filter_by_component(world, client_for):
    shown = codes(get(client_for(world.teacher), detail(starter_library(world)), {"component": node(world, "2.2").pk}))
    assert shown == ["R1", "R2", "R5", "R9"]


def test_filter_by_domain_takes_every_component_under_it(world, client_for):
    shown = codes(get(client_for(world.teacher), detail(starter_library(world)), {"domain": node(world, "2").pk}))
    assert shown == [f"R{n}" for n in range(1, 11)] + ["T5", "T9", "T10"]
    assert "C1" not in shown and "E1" not in shown


def test_filters_combine(world, client_for):
    library = starter_library(world)
    client = client_for(world.teacher)
    shown = codes(get(client, detail(library), {"domain": node(world, "2").pk, "phase": phase(library, "talk").pk}))
    assert shown == ["T5", "T9", "T10"]
    shown = codes(get(client, detail(library), {"q": "partner", "phase": phase(library, "talk").pk}))
    assert "T3" in shown and all(code.startswith("T") for code in shown)


def test_search_looks_in_titles_descriptions_and_look_fors(world, client_for):
    client = client_for(world.teacher)
    library = starter_library(world)
    assert codes(get(client, detail(library), {"q": "visible timer"})) == ["R5"]  # title
    assert "T5" in codes(get(client, detail(library), {"q": "Sentence starters posted"}))  # a look-for
    described = ActionStep.objects.get(library=library, code="R1").description.split(".")[0][-30:]
    assert "R1" in codes(get(client, detail(library), {"q": described}))  # the description
    assert codes(get(client, detail(library), {"q": "VISIBLE TIMER"})) == ["R5"]


def test_no_match_says_so_with_a_way_back(world, client_for):
    library = starter_library(world)
    html = get(
        client_for(world.teacher),
        detail(library),
        {"domain": node(world, "1").pk, "component": node(world, "2.2").pk},
    )
    assert codes(html) == []
    assert "No steps match these filters." in html
    assert f'<a href="{detail(library)}">Clear the filters</a>' in html


def test_a_bad_filter_value_is_ignored_not_a_500(world, client_for):
    html = get(client_for(world.teacher), detail(starter_library(world)), {"phase": "abc", "domain": "999999"})
    assert len(codes(html)) == 40
    assert "Select a valid choice" in html


def test_filters_offer_the_frameworks_domains_components_and_the_phases(world, client_for):
    html = get(client_for(world.teacher), detail(starter_library(world)))
    domain_select = html.split('name="domain"')[1].split("</select>")[0]
    assert domain_select.count("<option") == 1 + 4 and "Designing for Learning" in domain_select
    component_select = html.split('name="component"')[1].split("</select>")[0]
    assert component_select.count("<option") == 1 + 12
    phase_select = html.split('name="phase"')[1].split("</select>")[0]
    assert phase_select.count("<option") == 1 + 4
    assert '<label for="id_q">Search steps' in html


def library_queries(client, library, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(detail(library), params or {})
    assert response.status_code == 200
    return len(ctx)


def test_the_library_page_runs_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.teacher)
    shipped = starter_library(world)
    small = ActionStepLibrary.objects.create(title="Tiny", framework=shipped.framework)
    small_phase = LibraryPhase.objects.create(library=small, key="one", label="One", position=1)
    step = ActionStep.objects.create(library=small, phase=small_phase, code="X1", sequence=1, title="Only step")
    step.aligned_nodes.set([node(world, "1.1")])
    client.get(detail(small))
    assert library_queries(client, small) == library_queries(client, shipped)
    params = {"domain": node(world, "1").pk, "phase": ""}
    assert library_queries(client, small, params) == library_queries(client, shipped, params)


def test_a_long_library_is_paged(world, client_for):
    library = ActionStepLibrary.objects.create(title="Long")
    only = LibraryPhase.objects.create(library=library, key="all", label="All", position=1)
    ActionStep.objects.bulk_create(
        ActionStep(library=library, phase=only, code=f"S{n}", sequence=n, title=f"Step {n}") for n in range(1, 121)
    )
    client = client_for(world.teacher)
    assert codes(get(client, detail(library)))[-1] == "S50"
    assert codes(get(client, detail(library), {"page": 3})) == [f"S{n}" for n in range(101, 121)]
    assert "Page 1 of 3" in get(client, detail(library))


# Copies ---------------------------------------------------------------------------------------------------------


def test_a_district_admin_copies_a_library_and_the_original_stays(world, client_for):
    shipped = starter_library(world)
    before = list(ActionStep.objects.filter(library=shipped).values_list("code", "title", "look_fors"))
    client = client_for(world.district_admin)
    response = client.post(reverse("frameworks:library-copy", args=[shipped.pk]), follow=True)
    copy = ActionStepLibrary.objects.get(district=world.district)
    assert response.redirect_chain[-1][0] == detail(copy)
    html = response.content.decode()
    assert "Open Action Steps (Cedar Valley ISD copy)" in html and "the original stays as it was" in html
    assert "This is your district's copy" in html
    assert copy.copied_from == shipped and copy.steps.count() == len(before)
    entry = AuditEntry.objects.get(action="library.copy")
    assert entry.object_id == str(copy.pk) and entry.district_id == world.district.pk

    # Editing the copy leaves the shipped steps as they were.
    step = copy.steps.get(code="R1")
    client.post(
        reverse("frameworks:step-edit", args=[step.pk]),
        {"title": "Our entry routine", "typical_duration_days": "3", "phase": step.phase_id},
    )
    assert copy.steps.get(code="R1").title == "Our entry routine"
    assert list(ActionStep.objects.filter(library=shipped).values_list("code", "title", "look_fors")) == before


def test_a_copy_can_be_named(world, client_for):
    client_for(world.district_admin).post(
        reverse("frameworks:library-copy", args=[starter_library(world).pk]), {"title": "Cedar Valley moves"}
    )
    assert ActionStepLibrary.objects.get(district=world.district).title == "Cedar Valley moves"


def test_a_teacher_cannot_copy(world, client_for):
    response = client_for(world.teacher).post(reverse("frameworks:library-copy", args=[starter_library(world).pk]))
    assert response.status_code == 403
    assert not ActionStepLibrary.objects.filter(district__isnull=False).exists()


# Steps ----------------------------------------------------------------------------------------------------------


def step_url(step, name="frameworks:step-detail"):
    return reverse(name, args=[step.pk])


def test_the_step_page_shows_everything_about_a_step(world, client_for):
    step = ActionStep.objects.get(library=starter_library(world), code="R1")
    html = get(client_for(world.teacher), step_url(step))
    assert "Script and teach an entry routine" in html
    for text in [step.sub_moves[0], step.look_fors[0], step.practice_prompt[:40]]:
        assert text.replace("'", "&#x27;").replace('"', "&quot;") in html
    assert f"<dd>{step.typical_duration_days}</dd>" in html
    component = node(world, "2.2")
    assert f'href="{reverse("frameworks:framework-detail", args=[starter(world).pk])}#node-{component.pk}"' in html
    assert "Edit the step" not in html and "Make a copy for my district" not in html


def test_a_district_admin_is_pointed_to_copying_a_shipped_step(world, client_for):
    step = ActionStep.objects.get(library=starter_library(world), code="R1")
    html = get(client_for(world.district_admin), step_url(step))
    assert "Edit the step" not in html and "Make a copy for my district" in html
    response = client_for(world.district_admin).get(step_url(step, "frameworks:step-edit"))
    assert response.status_code == 403
    assert "make a copy" in response.content.decode().lower()


def test_the_admin_edits_a_step_of_the_districts_copy(world, client_for):
    copy = district_library(world)
    step = copy.steps.get(code="R1")
    client = client_for(world.district_admin)
    html = get(client, step_url(step))
    assert "Edit the step" in html
    form = get(client, step_url(step, "frameworks:step-edit"))
    assert step.sub_moves[0].replace("'", "&#x27;") in form  # one per line in the textarea
    assert form.count('type="checkbox" name="aligned_nodes"') == 12
    talk = copy.phases.get(key="talk")
    response = client.post(
        step_url(step, "frameworks:step-edit"),
        {
            "title": "Entry routine, our way",
            "description": "Start every class the same way.",
            "sub_moves": "Post the task\n\n  Greet at the door  \n",
            "look_fors": "Everyone working in two minutes",
            "practice_prompt": "Rehearse with your coach.",
            "typical_duration_days": "4",
            "phase": talk.pk,
            "aligned_nodes": [node(world, "2.2").pk, node(world, "3.2").pk],
        },
    )
    assert response.status_code == 302 and response["Location"] == step_url(step)
    step.refresh_from_db()
    assert step.title == "Entry routine, our way" and step.sub_moves == ["Post the task", "Greet at the door"]
    assert step.look_fors == ["Everyone working in two minutes"] and step.typical_duration_days == 4
    assert step.phase == talk
    assert sorted(step.aligned_nodes.values_list("code", flat=True)) == ["2.2", "3.2"]
    entry = AuditEntry.objects.get(action="action_step.update")
    assert entry.object_id == str(step.pk) and entry.after["title"] == "Entry routine, our way"


def test_a_step_edit_with_errors_shows_them(world, client_for):
    copy = district_library(world)
    step = copy.steps.get(code="R1")
    other_phase = starter_library(world).phases.get(key="talk")
    response = client_for(world.district_admin).post(
        step_url(step, "frameworks:step-edit"),
        {"title": "", "typical_duration_days": "0", "phase": other_phase.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please correct the highlighted fields." in html
    assert html.count('class="errorlist') >= 3
    assert copy.steps.get(code="R1").title == step.title


def test_others_cannot_edit_a_districts_step(world, client_for):
    step = district_library(world).steps.get(code="R1")
    for persona in ("teacher", "coach", "facilitator"):
        response = client_for(getattr(world, persona)).post(step_url(step, "frameworks:step-edit"), {"title": "x"})
        assert response.status_code == 403
    assert client_for(world.other_admin).get(step_url(step, "frameworks:step-edit")).status_code == 404
    assert ActionStep.objects.get(pk=step.pk).title == step.title
    assert not AuditEntry.objects.filter(action="action_step.update").exists()


def test_an_exemplar_link_is_added(world, client_for):
    step = district_library(world).steps.get(code="R1")
    client = client_for(world.district_admin)
    url = step_url(step, "frameworks:exemplar-add")
    response = client.post(url, {"exemplar-title": "Entry routine video", "exemplar-url": "https://example.org/v"})
    assert response.status_code == 302 and response["Location"] == step_url(step, "frameworks:step-edit")
    resource = ExemplarResource.objects.get(step=step)
    assert resource.url == "https://example.org/v" and resource.district == world.district
    assert AuditEntry.objects.get(action="exemplar.add").object_id == str(resource.pk)
    html = get(client_for(world.teacher), step_url(step))
    assert '<a href="https://example.org/v" rel="noopener nofollow">Entry routine video</a>' in html


def test_a_bad_exemplar_link_is_refused_on_the_form(world, client_for):
    step = district_library(world).steps.get(code="R1")
    response = client_for(world.district_admin).post(
        step_url(step, "frameworks:exemplar-add"), {"exemplar-title": "", "exemplar-url": "javascript:alert(1)"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_exemplar-url_error"' in html and 'id="id_exemplar-title_error"' in html
    assert not ExemplarResource.objects.exists()


def test_exemplars_cannot_be_added_to_shipped_steps(world, client_for):
    step = ActionStep.objects.get(library=starter_library(world), code="R1")
    response = client_for(world.district_admin).post(
        step_url(step, "frameworks:exemplar-add"), {"exemplar-title": "x", "exemplar-url": "https://example.org"}
    )
    assert response.status_code == 403
    assert not ExemplarResource.objects.exists()
