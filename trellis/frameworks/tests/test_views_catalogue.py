"""The framework catalogue and the district admin's choices of frameworks and libraries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.frameworks.models import (
    ActionStep,
    ActionStepLibrary,
    DistrictFrameworkChoice,
    DistrictLibraryChoice,
    Framework,
)
from trellis.frameworks.services import framework_import_case
from trellis.frameworks.tests.authz import (
    district_framework,
    import_package,
    make_package,
    starter,
    starter_library,
)
from trellis.frameworks.tests.packages import rubric_package
from trellis.orgs.factories import MembershipFactory
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("frameworks:catalogue")


def choose_url(framework):
    return reverse("frameworks:framework-choose", args=[framework.pk])


def test_everyone_with_a_role_sees_the_shipped_framework_and_library(world, client_for):
    for persona in ("teacher", "coach", "campus_leader", "district_admin", "facilitator", "sc_admin", "other_admin"):
        response = client_for(getattr(world, persona)).get(CATALOGUE)
        html = response.content.decode()
        assert response.status_code == 200, persona
        assert "Open Instructional Practice" in html and "The Trellis project" in html
        assert "Teaching practice" in html and "CC-BY-4.0" in html
        assert "Open Action Steps" in html
        # 12 components (rows of the continuum) among 16 items (with the 4 domains).
        assert '<td data-label="Size">12 components<br><span class="muted small">16 items</span></td>' in html


def test_a_teacher_browses_but_gets_no_controls(world, client_for):
    html = client_for(world.teacher).get(CATALOGUE).content.decode()
    assert "Cedar Valley ISD" in html  # the status column speaks for the teacher's district
    assert "Not used" in html
    assert "Make default" not in html and "Import a CASE package" not in html
    assert choose_url(starter(world)) not in html
    assert "Make a copy for my district" not in html


def test_service_center_staff_see_no_district_column(world, client_for):
    html = client_for(world.facilitator).get(CATALOGUE).content.decode()
    assert "Open Instructional Practice" in html
    assert "Not used" not in html and "Make default" not in html


def test_a_district_admin_gets_controls_and_the_import_link(world, client_for):
    html = client_for(world.district_admin).get(CATALOGUE).content.decode()
    assert reverse("frameworks:import") in html
    assert choose_url(starter(world)) in html
    assert reverse("frameworks:library-choose", args=[starter_library(world).pk]) in html
    assert reverse("frameworks:library-copy", args=[starter_library(world).pk]) in html
    assert 'value="use"' in html and 'value="default"' in html and 'value="stop"' not in html


def test_a_districts_own_framework_is_listed_for_its_people_only(world, client_for):
    district_framework(world)
    title = "Example Instructional Coaching Framework"
    assert title in client_for(world.teacher).get(CATALOGUE).content.decode()
    assert title in client_for(world.district_admin).get(CATALOGUE).content.decode()
    assert title not in client_for(world.other_admin).get(CATALOGUE).content.decode()


def test_use_then_make_default_then_stop(world, client_for):
    client = client_for(world.district_admin)
    framework = starter(world)

    response = client.post(choose_url(framework), {"action": "use", "next": CATALOGUE}, follow=True)
    assert response.redirect_chain[-1][0] == CATALOGUE
    assert "is now used in Cedar Valley ISD" in response.content.decode()
    choice = DistrictFrameworkChoice.objects.get(district=world.district, framework=framework)
    assert not choice.is_default
    assert "In use" in response.content.decode()

    client.post(choose_url(framework), {"action": "default"})
    assert DistrictFrameworkChoice.objects.get(district=world.district, framework=framework).is_default
    html = client.get(CATALOGUE).content.decode()
    assert '<span class="badge">Default</span>' in html

    client.post(choose_url(framework), {"action": "stop"})
    assert not DistrictFrameworkChoice.objects.filter(district=world.district).exists()

    entries = list(AuditEntry.objects.filter(action="framework.choose", object_id=str(framework.pk)).order_by("id"))
    assert len(entries) == 3
    assert entries[0].after["enabled"] is True
    assert entries[1].after["is_default"] is True
    assert entries[2].after["enabled"] is False
    assert all(e.actor_id == world.district_admin.pk and e.district_id == world.district.pk for e in entries)


def test_making_another_framework_default_moves_the_default(world, client_for):
    client = client_for(world.district_admin)
    shipped, own = starter(world), district_framework(world)
    client.post(choose_url(shipped), {"action": "default"})
    client.post(choose_url(own), {"action": "default"})
    choices = dict(
        DistrictFrameworkChoice.objects.filter(district=world.district).values_list("framework", "is_default")
    )
    assert choices == {shipped.pk: False, own.pk: True}
    # The teacher sees which one their district uses for observations and goals.
    html = client_for(world.teacher).get(reverse("frameworks:framework-detail", args=[own.pk])).content.decode()
    assert "Default for observations and goals" in html


def test_the_choice_is_for_the_admins_district_only(world, client_for):
    client_for(world.other_admin).post(choose_url(starter(world)), {"action": "default"})
    assert DistrictFrameworkChoice.objects.get().district == world.district_b
    html = client_for(world.teacher).get(CATALOGUE).content.decode()
    assert '<span class="badge">Default</span>' not in html


def test_teachers_and_facilitators_cannot_choose(world, client_for):
    for persona in ("teacher", "coach", "facilitator", "sc_admin"):
        response = client_for(getattr(world, persona)).post(choose_url(starter(world)), {"action": "use"})
        assert response.status_code == 403
    assert not DistrictFrameworkChoice.objects.exists()
    assert not AuditEntry.objects.filter(action="framework.choose").exists()


def test_another_districts_framework_is_404_to_choose(world, client_for):
    own = district_framework(world)
    response = client_for(world.other_admin).post(choose_url(own), {"action": "use"})
    assert response.status_code == 404
    assert not DistrictFrameworkChoice.objects.exists()


def test_a_framework_of_another_district_the_admin_also_runs_is_refused_with_a_message(world, client_for):
    # Dana also administers district B, but is working on district A: B's framework cannot be A's choice.
    MembershipFactory(person=world.district_admin, organization=world.district_b, role=Role.DISTRICT_ADMIN)
    b_framework, _report, _ = framework_import_case(
        actor=world.other_admin, raw=json.dumps(rubric_package()).encode(), district=world.district_b
    )
    client = client_for(world.district_admin)
    client.get(CATALOGUE, {"district": world.district.pk})
    response = client.post(choose_url(b_framework), {"action": "use"}, follow=True)
    assert response.status_code == 200
    assert "belongs to another district" in response.content.decode()
    assert not DistrictFrameworkChoice.objects.exists()


def test_a_bad_action_or_an_outside_next_is_handled(world, client_for):
    client = client_for(world.district_admin)
    response = client.post(choose_url(starter(world)), {"action": "delete-everything"}, follow=True)
    assert response.status_code == 200 and "Choose whether to use" in response.content.decode()
    response = client.post(choose_url(starter(world)), {"action": "use", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == CATALOGUE


def test_library_choices_are_stored_and_audited(world, client_for):
    library = starter_library(world)
    url = reverse("frameworks:library-choose", args=[library.pk])
    client = client_for(world.district_admin)
    response = client.post(url, {"action": "default"})
    assert response.status_code == 302 and response["Location"] == reverse("frameworks:library-list")
    assert DistrictLibraryChoice.objects.get(district=world.district, library=library).is_default
    entry = AuditEntry.objects.get(action="library.choose")
    assert entry.after == {"enabled": True, "is_default": True} and entry.object_id == str(library.pk)
    html = client_for(world.teacher).get(reverse("frameworks:library-list")).content.decode()
    assert '<span class="badge">Default</span>' in html
    assert client_for(world.teacher).post(url, {"action": "stop"}).status_code == 403
    assert DistrictLibraryChoice.objects.filter(district=world.district).exists()


def test_catalogue_queries_do_not_grow_with_the_number_of_frameworks(world, client_for):
    client = client_for(world.district_admin)
    client.get(CATALOGUE)
    with CaptureQueriesContext(connection) as few:
        client.get(CATALOGUE)
    for n in range(6):
        import_package(world, make_package(f"many-{n}", title=f"Framework {n}", domains=1, components=2))
    with CaptureQueriesContext(connection) as many:
        html = client.get(CATALOGUE).content.decode()
    assert "Framework 5" in html
    assert len(many) == len(few)


def test_a_framework_without_a_continuum_counts_items(world, client_for):
    import_package(world, make_package("plain", title="Plain outline", domains=2, components=3, levels=0))
    html = client_for(world.teacher).get(CATALOGUE).content.decode()
    assert '<td data-label="Size">8 items</td>' in html


def test_with_no_frameworks_the_catalogue_says_so(world, client_for):
    # A database without the starter content (it is installed after every migrate).
    ActionStep.objects.all().delete()
    ActionStepLibrary.objects.all().delete()
    Framework.objects.update(current_version=None)
    Framework.objects.all().delete()
    html = client_for(world.district_admin).get(CATALOGUE).content.decode()
    assert "There are no frameworks yet." in html and "There are no action-step libraries yet." in html
    assert html.count(reverse("frameworks:import")) == 2
    html = client_for(world.teacher).get(CATALOGUE).content.decode()
    assert "There are no frameworks yet." in html and reverse("frameworks:import") not in html
