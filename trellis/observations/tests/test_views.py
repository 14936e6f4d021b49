"""The observation pages, per persona: what each sees, what was stored, and bounded queries."""

import datetime
import json
import re
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching.models import CoachingShare
from trellis.coaching.services import share_create
from trellis.frameworks.models import ActionStep, DistrictFrameworkChoice, Framework, FrameworkNode, FrameworkVersion
from trellis.observations import models as m
from trellis.observations import services as s
from trellis.observations.context_processors import notices as notices_processor
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def add(text, valence="neutral", nodes=(), step=None, **extra):
    op = {
        "op": "note.add",
        "client_id": str(uuid.uuid4()),
        "text": text,
        "valence": valence,
        "nodes": [n.pk for n in nodes],
        **extra,
    }
    if step is not None:
        op["step"] = step.pk
    return op


def plan(world, version, teacher=None, observer=None, **fields):
    return s.observation_plan(
        actor=observer or world.coach,
        teacher=teacher or world.teacher,
        campus=world.campus,
        framework_version=version,
        **fields,
    )


def take_notes(world, obs, ops):
    s.capture_sync(actor=obs.observer, obs=obs, ops=ops)
    return m.Observation.objects.get(pk=obs.pk)


def share(world, obs, node, **focus):
    obs = m.Observation.objects.get(pk=obs.pk)
    if obs.state == m.State.PLANNED:
        obs = s.observation_start(actor=obs.observer, obs=obs)
    if obs.state == m.State.IN_PROGRESS:
        obs = s.observation_finish(actor=obs.observer, obs=obs)
    s.observation_set_focus(actor=obs.observer, obs=obs, growth_node=node, **focus)
    return s.observation_share(actor=obs.observer, obs=obs)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def text_of(response) -> str:
    return response.content.decode()


def config_of(response) -> dict:
    match = re.search(r'<script id="capture-config" type="application/json">(.*?)</script>', text_of(response), re.S)
    return json.loads(match.group(1))


# The list -----------------------------------------------------------------------------------------------------------


class TestList:
    def test_the_observer_sees_their_visits_and_filters_them(self, world, starter_version, client_for):
        planned = plan(world, starter_version, class_name="Period 1")
        other = plan(world, starter_version, teacher=world.teacher, class_name="Period 2")
        s.observation_cancel(actor=world.coach, obs=other)
        plan(world, starter_version, observer=world.facilitator)  # someone else's
        client = client_for(world.coach)
        page = text_of(client.get(reverse("observations:list")))
        assert reverse("observations:capture", args=[planned.pk]) in page
        assert reverse("observations:detail", args=[other.pk]) in page
        assert page.count("<tr>") == 3  # header + 2 rows
        only_planned = text_of(client.get(reverse("observations:list"), {"view": "made", "state": "planned"}))
        assert only_planned.count("<tr>") == 2
        by_teacher = client.get(reverse("observations:list"), {"teacher": world.teacher.pk})
        assert text_of(by_teacher).count("<tr>") == 3

    def test_an_unknown_teacher_in_the_filter_shows_nothing(self, world, starter_version, client_for):
        plan(world, starter_version)
        response = client_for(world.coach).get(reverse("observations:list"), {"teacher": world.teacher_b.pk})
        assert response.status_code == 200
        assert "Choose a teacher you have observed." in text_of(response)
        assert "<tbody>" not in text_of(response)

    def test_the_teacher_sees_only_what_was_shared(self, world, starter_version, components, client_for):
        hidden = plan(world, starter_version, class_name="Hidden class")
        visible = share(world, plan(world, starter_version, class_name="Shared class"), components["3.2"])
        response = client_for(world.teacher).get(reverse("observations:list"))
        page = text_of(response)
        assert reverse("observations:detail", args=[visible.pk]) in page
        assert reverse("observations:detail", args=[hidden.pk]) not in page
        assert reverse("observations:capture", args=[hidden.pk]) not in page

    def test_the_campus_leader_sees_metadata_only(self, world, starter_version, components, client_for):
        quiet = take_notes(world, plan(world, starter_version, lesson_objective="Secret objective"), [add(SCRIPT)])
        told = share(world, take_notes(world, plan(world, starter_version), [add("Shared words")]), components["3.2"])
        share_create(actor=world.teacher, record=told, shared_with=world.campus_leader)
        response = client_for(world.campus_leader).get(reverse("observations:list"), {"view": "campus"})
        page = text_of(response)
        assert world.teacher.full_name in page and world.coach.full_name in page
        assert "Secret objective" not in page and "alert" not in page and "Shared words" not in page
        assert reverse("observations:detail", args=[told.pk]) in page
        assert reverse("observations:detail", args=[quiet.pk]) not in page
        assert "Not shared with you" in page
        # The leader's own visits are a separate view.
        assert 'href="/observations/?view=made"' in page

    def test_district_admins_get_counts_not_rows(self, world, starter_version, components, client_for):
        share(world, plan(world, starter_version, class_name="Room 12"), components["3.2"])
        plan(world, starter_version)
        response = client_for(world.district_admin).get(reverse("observations:list"))
        page = text_of(response)
        assert response.status_code == 200 and "District counts" in page
        assert world.teacher.full_name not in page and "Room 12" not in page
        assert response.context["counts"]["total"] == 2 and response.context["counts"]["teachers"] == 1
        other = client_for(world.other_admin).get(reverse("observations:list"))
        assert other.context["counts"]["total"] == 0

    def test_service_center_admins_have_no_list(self, world, client_for):
        assert client_for(world.sc_admin).get(reverse("observations:list")).status_code == 403

    def test_paginated(self, world, starter_version, client_for):
        for i in range(27):
            plan(world, starter_version, class_name=f"Class {i}")
        client = client_for(world.coach)
        first = client.get(reverse("observations:list"))
        assert len(first.context["rows"]) == 25 and "Page 1 of 2" in text_of(first)
        second = client.get(reverse("observations:list"), {"page": 2})
        assert len(second.context["rows"]) == 2

    @pytest.mark.parametrize(
        ("persona", "params", "pinned"),
        [("coach", {}, 7), ("teacher", {}, 6), ("campus_leader", {"view": "campus"}, 6)],
    )
    def test_bounded_queries(self, world, starter_version, components, client_for, persona, params, pinned):
        def make(n):
            for _ in range(n):
                obs = share(world, plan(world, starter_version), components["3.2"])
                share_create(actor=world.teacher, record=obs, shared_with=world.campus_leader)

        client = client_for(world.persona(persona))
        url = reverse("observations:list") + ("?view=" + params["view"] if params else "")
        make(3)
        few = queries(client, url)
        make(27)
        many = queries(client, url)
        assert (few, many) == (pinned, pinned)


# Planning ----------------------------------------------------------------------------------------------------------


class TestPlan:
    def test_defaults_to_the_starter_framework_and_the_chosen_teacher(self, world, starter_version, client_for):
        response = client_for(world.coach).get(reverse("observations:create"), {"teacher": world.teacher.pk})
        form = response.context["form"]
        assert form["teacher"].value() == world.teacher.pk
        assert form["framework"].value() == starter_version.framework_id
        assert form["campus"].value() == world.campus.pk
        assert form["ratings_enabled"].value() in (False, None)
        teachers = list(form.fields["teacher"].queryset)
        assert teachers == [world.teacher]  # the caseload, not the coach, not other campuses

    def test_uses_the_districts_default_framework(self, world, starter_version, client_for):
        own = Framework.objects.create(district=world.district, title="Cedar Valley Teaching Standards")
        version = FrameworkVersion.objects.create(framework=own, district=world.district, label="2025")
        own.current_version = version
        own.save()
        FrameworkNode.objects.create(
            version=version, district=world.district, code="A", title="Domain", statement="A", depth=1, outline=1
        )
        DistrictFrameworkChoice.objects.create(district=world.district, framework=own, is_default=True)
        response = client_for(world.coach).get(reverse("observations:create"), {"teacher": world.teacher.pk})
        assert response.context["form"]["framework"].value() == own.pk
        # The other district's admin-made frameworks are not offered to this district's coaches.
        assert set(response.context["form"].fields["framework"].queryset) == {own, starter_version.framework}

    def test_start_the_visit_goes_to_live_capture(self, world, starter_version, components, first_step, client_for):
        response = client_for(world.coach).post(
            reverse("observations:create"),
            {
                "teacher": world.teacher.pk,
                "kind": "informal",
                "purpose": "coaching",
                "framework": starter_version.framework_id,
                "class_name": "Period 3",
                "subject": "Math",
                "grade_band": "3_5",
                "lesson_objective": "Compare fractions",
                "focus_nodes": [components["3.2"].pk, components["4.1"].pk],
                "focus_step": first_step.pk,
                "start": "1",
            },
        )
        obs = m.Observation.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("observations:capture", args=[obs.pk])
        assert obs.state == "in_progress" and obs.started_at
        assert obs.campus == world.campus  # the teacher's campus when none is chosen
        assert obs.framework_version == starter_version and obs.focus_step == first_step
        assert set(obs.focus_nodes.values_list("code", flat=True)) == {"3.2", "4.1"}
        assert not obs.ratings_enabled
        assert (obs.class_name, obs.subject, obs.grade_band) == ("Period 3", "Math", "3_5")

    def test_save_for_later_stays_planned(self, world, starter_version, client_for):
        response = client_for(world.coach).post(
            reverse("observations:create"),
            {
                "teacher": world.teacher.pk,
                "kind": "walkthrough",
                "purpose": "coaching",
                "framework": starter_version.framework_id,
                "save": "1",
            },
        )
        obs = m.Observation.objects.get()
        assert response["Location"] == reverse("observations:detail", args=[obs.pk])
        assert obs.state == "planned" and obs.kind == "walkthrough"

    def test_refusals_name_the_field(self, world, starter_version, client_for):
        client = client_for(world.coach)
        response = client.post(
            reverse("observations:create"),
            {
                "teacher": world.teacher_other_campus.pk,
                "kind": "informal",
                "purpose": "coaching",
                "framework": starter_version.framework_id,
            },
        )
        assert response.status_code == 200
        assert "Choose one of the teachers listed" in text_of(response)
        response = client.post(
            reverse("observations:create"),
            {
                "teacher": world.teacher.pk,
                "kind": "nope",
                "purpose": "coaching",
                "framework": starter_version.framework_id,
                "campus": world.campus_b.pk,
            },
        )
        assert response.context["form"].errors.keys() == {"kind", "campus"}
        assert not m.Observation.objects.exists()

    def test_focus_components_must_come_from_the_chosen_framework(self, world, starter_version, components, client_for):
        own = Framework.objects.create(district=world.district, title="Own")
        version = FrameworkVersion.objects.create(framework=own, district=world.district, label="1")
        own.current_version = version
        own.save()
        response = client_for(world.coach).post(
            reverse("observations:create"),
            {
                "teacher": world.teacher.pk,
                "kind": "informal",
                "purpose": "coaching",
                "framework": own.pk,
                "focus_nodes": [components["3.2"].pk],
            },
        )
        assert "Choose focus components from the framework you chose." in text_of(response)
        assert not m.Observation.objects.exists()

    def test_a_teacher_plans_a_self_review(self, world, starter_version, client_for):
        client = client_for(world.teacher)
        form = client.get(reverse("observations:create")).context["form"]
        assert list(form.fields["teacher"].queryset) == [world.teacher]
        client.post(
            reverse("observations:create"),
            {
                "teacher": world.teacher.pk,
                "kind": "self_review",
                "purpose": "coaching",
                "framework": starter_version.framework_id,
                "save": "1",
            },
        )
        obs = m.Observation.objects.get()
        assert obs.observer == obs.teacher == world.teacher

    def test_a_campus_leader_may_observe_the_campus_teachers(self, world, client_for):
        form = client_for(world.campus_leader).get(reverse("observations:create")).context["form"]
        assert list(form.fields["teacher"].queryset) == [world.teacher]

    def test_nobody_to_observe(self, world, client_for):
        response = client_for(world.facilitator_no_grant).get(reverse("observations:create"))
        assert response.status_code == 200 and "There is no one you can observe yet" in text_of(response)


# Live capture --------------------------------------------------------------------------------------------------------


class TestCapturePage:
    def test_the_page_carries_the_notes_and_the_framework(self, world, obs, components, first_step, client_for):
        obs.focus_nodes.set([components["3.2"]])
        obs.focus_step = first_step
        obs.save()
        take_notes(world, obs, [add("Greets at the door", "strength", [components["2.1"]])])
        response = client_for(world.coach).get(reverse("observations:capture", args=[obs.pk]))
        config = config_of(response)
        assert [n["text"] for n in config["notes"]] == ["Greets at the door"]
        assert config["notes"][0]["nodes"] == [components["2.1"].pk] and config["notes"][0]["revision"] == 1
        assert config["syncUrl"] == reverse("observations:sync", args=[obs.pk])
        assert config["storageKey"] == f"trellis.capture.{world.coach.pk}.{obs.pk}"
        focus = [c for c in config["components"] if c["focus"]]
        assert [c["code"] for c in focus] == ["3.2"] and len(config["components"]) == 12
        assert config["step"]["id"] == first_step.pk
        assert config["strings"]["allSaved"] == "All notes saved."
        page = text_of(response)
        assert 'role="status" aria-live="polite"' in page
        assert "trellis/js/capture.js" in page

    def test_script_in_a_note_is_escaped_everywhere(self, world, obs, components, client_for):
        take_notes(world, obs, [add(SCRIPT, "growth", [components["3.2"]])])
        client = client_for(world.coach)
        for name in ("observations:capture", "observations:review", "observations:detail"):
            page = text_of(client.get(reverse(name, args=[obs.pk])))
            assert SCRIPT not in page, name
            assert "&lt;script&gt;" in page or "\\u003Cscript\\u003E" in page, name
        # In the JSON handed to the script, < and > are escaped too.
        response = client.get(reverse("observations:capture", args=[obs.pk]))
        assert "\\u003Cscript\\u003E" in text_of(response)
        assert config_of(response)["notes"][0]["text"] == SCRIPT

    def test_without_script_a_note_is_added_once(self, world, obs, client_for):
        client = client_for(world.coach)
        client_id = str(uuid.uuid4())
        data = {"client_id": client_id, "text": "Exit ticket handed out", "valence": "strength"}
        first = client.post(reverse("observations:capture", args=[obs.pk]), data)
        again = client.post(reverse("observations:capture", args=[obs.pk]), data)
        assert first.status_code == again.status_code == 302
        note = m.EvidenceNote.objects.get()
        assert (note.text, note.valence, str(note.client_id)) == ("Exit ticket handed out", "strength", client_id)
        empty = client.post(
            reverse("observations:capture", args=[obs.pk]), {"client_id": str(uuid.uuid4()), "text": ""}
        )
        assert empty.status_code == 200 and "Write the note before adding it." in text_of(empty)

    def test_a_shared_observation_goes_to_its_read_view(self, world, obs, components, client_for):
        share(world, take_notes(world, obs, [add("x")]), components["3.2"])
        response = client_for(world.coach).get(reverse("observations:capture", args=[obs.pk]))
        assert response["Location"] == reverse("observations:detail", args=[obs.pk])

    def test_finish_moves_to_draft_and_the_review(self, world, obs, client_for):
        take_notes(world, obs, [add("x")])
        response = client_for(world.coach).post(reverse("observations:finish", args=[obs.pk]))
        assert response["Location"] == reverse("observations:review", args=[obs.pk])
        assert m.Observation.objects.get(pk=obs.pk).state == "draft"
        # Finishing twice, or from a plan with no notes, lands on the review too.
        again = client_for(world.coach).post(reverse("observations:finish", args=[obs.pk]))
        assert again["Location"] == reverse("observations:review", args=[obs.pk])

    def test_bounded_queries(self, world, obs, components, first_step, client_for):
        def notes(n):
            ops = [add(f"n{i}", "growth", [components["3.2"], components["4.1"]], step=first_step) for i in range(n)]
            ops += [{"op": "tally.add", "client_id": str(uuid.uuid4()), "label": f"t{i % 3}"} for i in range(n)]
            ops += [{"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "cue"} for _ in range(n)]
            take_notes(world, obs, ops)

        client = client_for(world.coach)
        url = reverse("observations:capture", args=[obs.pk])
        notes(3)
        few = queries(client, url)
        notes(27)
        many = queries(client, url)
        assert (few, many) == (12, 12)


# Review and sharing -------------------------------------------------------------------------------------------------


def _steps_aligned_to(node):
    return ActionStep.objects.filter(aligned_nodes=node).order_by("sequence")


class TestReview:
    def test_evidence_grouped_and_suggestions_ranked_with_reasons(self, world, obs, components, client_for):
        obs.focus_nodes.set([components["3.2"]])
        take_notes(
            world,
            obs,
            [
                add("Only 3 hands", "growth", [components["3.2"]]),
                add("Teacher answers own question", "growth", [components["3.2"]]),
                add("No check for understanding", "growth", [components["4.1"]]),
                add("Warm greeting", "strength", [components["2.1"]]),
                add("Bell rang", "neutral"),
            ],
        )
        response = client_for(world.coach).get(reverse("observations:review", args=[obs.pk]))
        suggestions = response.context["suggestions"]
        assert [c.code for c, _s in suggestions] == ["3.2", "4.1"]
        assert suggestions[0][1].reason_text == "2 growth notes · mid-sequence · matches the focus"
        page = text_of(response)
        assert "2 growth notes · mid-sequence · matches the focus" in page
        groups = {g.component.code if g.component else None: g for g in response.context["groups"]}
        assert [n.text for n in groups["3.2"].struggles] == ["Only 3 hands", "Teacher answers own question"]
        assert [n.text for n in groups["2.1"].strengths] == ["Warm greeting"]
        assert [n.text for n in groups[None].neutral] == ["Bell rang"]
        assert "rating_" not in page  # ratings are off for coaching observations

    def test_choose_one_area_and_one_step_then_share(
        self, world, obs, components, client_for, django_capture_on_commit_callbacks
    ):
        take_notes(world, obs, [add("Only 3 hands", "growth", [components["3.2"]])])
        step = _steps_aligned_to(components["3.2"]).first()
        client = client_for(world.coach)
        response = client.post(
            reverse("observations:review", args=[obs.pk]),
            {
                "growth_node": components["3.2"].pk,
                "growth_rationale": "Few voices were heard.",
                "proposed_step": step.pk,
                "strengths_summary": "Warm relationships.",
                "share": "1",
            },
        )
        assert response["Location"] == reverse("observations:share", args=[obs.pk])
        obs.refresh_from_db()
        assert obs.growth_node == components["3.2"] and obs.proposed_step == step
        assert obs.growth_rationale == "Few voices were heard." and obs.state == "in_progress"
        confirm = client.get(response["Location"])
        assert "Share with Ana Teacher" in text_of(confirm)
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(reverse("observations:share", args=[obs.pk]))
        assert done["Location"] == reverse("observations:detail", args=[obs.pk])
        obs.refresh_from_db()
        assert obs.state == "shared" and obs.shared_at
        assert m.Notice.objects.get().recipient == world.teacher
        assert len(mail.outbox) == 1 and "Few voices" not in mail.outbox[0].body

    def test_a_step_must_serve_the_chosen_area(self, world, obs, components, client_for):
        take_notes(world, obs, [add("x", "growth", [components["3.2"]])])
        unrelated = (
            ActionStep.objects.exclude(aligned_nodes=components["3.2"])
            .filter(aligned_nodes__version=obs.framework_version)
            .first()
        )
        response = client_for(world.coach).post(
            reverse("observations:review", args=[obs.pk]),
            {"growth_node": components["3.2"].pk, "proposed_step": unrelated.pk},
        )
        assert "does not serve the growth area" in text_of(response)
        both = client_for(world.coach).post(
            reverse("observations:review", args=[obs.pk]),
            {
                "growth_node": components["3.2"].pk,
                "proposed_step": _steps_aligned_to(components["3.2"]).first().pk,
                "proposed_step_text": "Mine",
            },
        )
        assert "not both" in text_of(both)
        obs.refresh_from_db()
        assert obs.growth_node is None and obs.proposed_step is None

    def test_a_written_step_and_saving_without_sharing(self, world, obs, components, client_for):
        take_notes(world, obs, [add("x")])
        response = client_for(world.coach).post(
            reverse("observations:review", args=[obs.pk]),
            {
                "growth_node": components["4.1"].pk,
                "proposed_step_text": "Use mini whiteboards at the midpoint.",
                "save": "1",
            },
        )
        assert response["Location"] == reverse("observations:review", args=[obs.pk])
        obs.refresh_from_db()
        assert obs.proposed_step_text == "Use mini whiteboards at the midpoint." and obs.state == "in_progress"
        # The choice comes back checked, among the other components since no growth note points at it.
        page = client_for(world.coach).get(reverse("observations:review", args=[obs.pk]))
        assert page.context["other_open"] is True
        assert f'value="{components["4.1"].pk}" id="growth_{components["4.1"].pk}" checked' in text_of(page)

    def test_sharing_without_a_growth_area_is_refused(self, world, obs, client_for):
        take_notes(world, obs, [add("x")])
        client = client_for(world.coach)
        confirm = client.get(reverse("observations:share", args=[obs.pk]))
        assert "Choose the one highest-leverage growth area" in text_of(confirm)
        response = client.post(reverse("observations:share", args=[obs.pk]), follow=True)
        assert "Choose the one highest-leverage growth area" in text_of(response)
        assert m.Observation.objects.get(pk=obs.pk).state == "draft"

    def test_ratings_only_when_enabled(self, world, starter_version, components, client_for):
        rated = plan(world, starter_version, ratings_enabled=True)
        take_notes(world, rated, [add("x", "growth", [components["3.2"]])])
        client = client_for(world.coach)
        page = client.get(reverse("observations:review", args=[rated.pk]))
        assert f'name="rating_{components["3.2"].pk}"' in text_of(page)
        level = page.context["levels"][1]
        client.post(
            reverse("observations:review", args=[rated.pk]),
            {"growth_node": components["3.2"].pk, f"rating_{components['3.2'].pk}": level.pk},
        )
        rating = m.Rating.objects.get()
        assert rating.node == components["3.2"] and rating.level == level

    def test_bounded_queries(self, world, obs, components, client_for):
        def notes(n):
            take_notes(
                world,
                obs,
                [add(f"g{i}", "growth", [components["3.2"], components[f"{1 + i % 4}.1"]]) for i in range(n)]
                + [{"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "whisper"} for _ in range(n)],
            )

        client = client_for(world.coach)
        url = reverse("observations:review", args=[obs.pk])
        notes(3)
        few = queries(client, url)
        notes(27)
        many = queries(client, url)
        assert (few, many) == (13, 13)


# The read view and the teacher's side ----------------------------------------------------------------------------------


class TestDetail:
    @pytest.fixture
    def shared_obs(self, world, obs, components, first_step):
        from django.core.files.uploadedfile import SimpleUploadedFile

        take_notes(
            world,
            obs,
            [
                add("Only 3 hands", "growth", [components["3.2"]]),
                {"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "whisper", "note": "Try wait time"},
            ],
        )
        s.evidence_file_add(actor=world.coach, obs=obs, upload=SimpleUploadedFile("chart.pdf", b"%PDF-1.4"))
        return share(
            world,
            obs,
            components["3.2"],
            growth_rationale="Few voices were heard.",
            proposed_step=first_step,
            strengths_summary="Warm greeting at the door.",
        )

    def test_the_teacher_reads_everything_and_it_is_audited(self, world, shared_obs, first_step, client_for):
        notice = m.Notice.objects.get(recipient=world.teacher)
        assert notice.read_at is None
        response = client_for(world.teacher).get(reverse("observations:detail", args=[shared_obs.pk]))
        page = text_of(response)
        for expected in (
            "Feedback from your classroom visit",
            "Only 3 hands",
            "3.2 Questions and Classroom Talk",
            "Few voices were heard.",
            first_step.title,
            "Warm greeting at the door.",
            "Whispered prompt",
            "Try wait time",
            "chart.pdf",
            "I have read it",
            "Share with my campus leader",
        ):
            assert expected in page, expected
        assert "Mark as discussed" not in page
        notice.refresh_from_db()
        assert notice.read_at is not None
        assert AuditEntry.objects.filter(action="read", actor=world.teacher, object_id=str(shared_obs.pk)).exists()

    def test_acknowledge_with_a_reflection(self, world, shared_obs, client_for):
        client = client_for(world.teacher)
        response = client.post(
            reverse("observations:acknowledge", args=[shared_obs.pk]), {"reflection": "I will try wait time."}
        )
        assert response.status_code == 302
        shared_obs.refresh_from_db()
        assert shared_obs.acknowledged_at and shared_obs.teacher_reflection == "I will try wait time."
        coach_view = text_of(client_for(world.coach).get(reverse("observations:detail", args=[shared_obs.pk])))
        assert "I will try wait time." in coach_view and "Acknowledged on" in coach_view

    def test_share_with_the_campus_leader_and_stop(self, world, shared_obs, client_for):
        teacher, leader = client_for(world.teacher), client_for(world.campus_leader)
        url = reverse("observations:detail", args=[shared_obs.pk])
        assert leader.get(url).status_code == 404
        teacher.post(
            reverse("observations:share-with-leader", args=[shared_obs.pk]), {"shared_with": world.campus_leader.pk}
        )
        read = leader.get(url)
        assert read.status_code == 200 and "Shared with you by Ana Teacher" in text_of(read)
        assert "Only 3 hands" in text_of(read) and "I have read it" not in text_of(read)
        share_row = CoachingShare.objects.get()
        assert "Stop sharing" in text_of(teacher.get(url))
        teacher.post(reverse("observations:share-revoke", args=[shared_obs.pk, share_row.pk]))
        assert leader.get(url).status_code == 404

    def test_only_a_leader_of_the_teachers_campus(self, world, shared_obs, client_for):
        response = client_for(world.teacher).post(
            reverse("observations:share-with-leader", args=[shared_obs.pk]), {"shared_with": world.district_admin.pk}
        )
        assert response.status_code == 200 and "Choose one of your campus leaders" in text_of(response)
        assert not CoachingShare.objects.exists()

    def test_a_share_of_another_record_cannot_be_revoked_through_this_page(
        self, world, shared_obs, starter_version, components, client_for
    ):
        other = share(world, take_notes(world, plan(world, starter_version), [add("y")]), components["4.1"])
        foreign = share_create(actor=world.teacher, record=other, shared_with=world.campus_leader)
        response = client_for(world.teacher).post(
            reverse("observations:share-revoke", args=[shared_obs.pk, foreign.pk])
        )
        assert response.status_code == 404
        foreign.refresh_from_db()
        assert foreign.revoked_at is None

    def test_the_observer_marks_it_discussed(self, world, shared_obs, client_for):
        client = client_for(world.coach)
        page = text_of(client.get(reverse("observations:detail", args=[shared_obs.pk])))
        assert "Mark as discussed with Ana Teacher" in page and "I have read it" not in page
        client.post(reverse("observations:discussed", args=[shared_obs.pk]))
        shared_obs.refresh_from_db()
        assert shared_obs.state == "discussed" and shared_obs.discussed_at

    def test_cancel_with_confirmation_before_sharing(self, world, obs, client_for):
        client = client_for(world.coach)
        confirm = client.get(reverse("observations:cancel", args=[obs.pk]))
        assert "Cancel the visit to Ana Teacher?" in text_of(confirm)
        client.post(reverse("observations:cancel", args=[obs.pk]))
        assert m.Observation.objects.get(pk=obs.pk).state == "cancelled"

    def test_no_cancel_after_sharing(self, world, shared_obs, client_for):
        client = client_for(world.coach)
        assert client.get(reverse("observations:cancel", args=[shared_obs.pk]))["Location"] == reverse(
            "observations:detail", args=[shared_obs.pk]
        )
        client.post(reverse("observations:cancel", args=[shared_obs.pk]))
        assert m.Observation.objects.get(pk=shared_obs.pk).state == "shared"

    def test_nothing_for_the_teacher_before_sharing(self, world, obs, client_for):
        take_notes(world, obs, [add("Private")])
        assert client_for(world.teacher).get(reverse("observations:detail", args=[obs.pk])).status_code == 404


# Editing the plan ---------------------------------------------------------------------------------------------------


class TestEditPlan:
    @pytest.fixture
    def shared_obs(self, world, obs, components):
        take_notes(world, obs, [add("Only 3 hands", "growth", [components["3.2"]])])
        return share(world, obs, components["3.2"], growth_rationale="Few voices were heard.")

    def _post(self, world, starter_version, **extra):
        return {
            "teacher": world.teacher_other_campus.pk,  # ignored: the teacher does not change
            "kind": "formal",
            "purpose": "coaching",
            "framework": starter_version.framework_id,
            "class_name": "Period 5",
            "subject": "Science",
            "grade_band": "6_8",
            "lesson_objective": "Model the water cycle",
            "save": "1",
            **extra,
        }

    def test_the_form_shows_the_plan(self, world, obs, components, client_for):
        obs.focus_nodes.set([components["3.2"]])
        response = client_for(world.coach).get(reverse("observations:edit", args=[obs.pk]))
        form = response.context["form"]
        assert form["teacher"].value() == world.teacher.pk and form.fields["teacher"].disabled
        assert form["lesson_objective"].value() == "Compare fractions with unlike denominators"
        assert form["focus_nodes"].value() == [str(components["3.2"].pk)]
        assert not form.fields["framework"].disabled  # still planned: no evidence is tagged yet
        assert "Edit the plan" in text_of(response)

    def test_saves_the_plan_and_records_it(self, world, obs, starter_version, components, first_step, client_for):
        response = client_for(world.coach).post(
            reverse("observations:edit", args=[obs.pk]),
            self._post(world, starter_version, focus_nodes=[components["4.1"].pk], focus_step=first_step.pk),
        )
        assert response.status_code == 302 and response["Location"] == reverse("observations:detail", args=[obs.pk])
        obs.refresh_from_db()
        assert obs.teacher == world.teacher and obs.state == "planned"
        assert (obs.kind, obs.class_name, obs.subject, obs.grade_band) == ("formal", "Period 5", "Science", "6_8")
        assert obs.lesson_objective == "Model the water cycle" and obs.focus_step == first_step
        assert obs.framework_version == starter_version and obs.campus == world.campus
        assert list(obs.focus_nodes.values_list("code", flat=True)) == ["4.1"]
        entry = AuditEntry.objects.get(action="observation.update")
        assert entry.actor == world.coach and entry.object_id == str(obs.pk)

    def test_framework_is_kept_once_capture_started(self, world, obs, starter_version, components, client_for):
        obs = take_notes(
            world, s.observation_start(actor=world.coach, obs=obs), [add("Hands up", nodes=[components["3.2"]])]
        )
        client = client_for(world.coach)
        form = client.get(reverse("observations:edit", args=[obs.pk])).context["form"]
        assert form.fields["framework"].disabled
        client.post(reverse("observations:edit", args=[obs.pk]), self._post(world, starter_version))
        obs.refresh_from_db()
        assert obs.state == "in_progress" and obs.class_name == "Period 5" and obs.framework_version == starter_version

    def test_bad_input_names_the_field(self, world, obs, starter_version, client_for):
        response = client_for(world.coach).post(
            reverse("observations:edit", args=[obs.pk]), self._post(world, starter_version, kind="nonsense")
        )
        assert response.status_code == 200 and response.context["form"].errors.keys() == {"kind"}
        assert not AuditEntry.objects.filter(action="observation.update").exists()

    def test_refused_after_sharing(self, world, shared_obs, starter_version, client_for):
        client = client_for(world.coach)
        url = reverse("observations:edit", args=[shared_obs.pk])
        detail = reverse("observations:detail", args=[shared_obs.pk])
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == detail
        assert "its plan can no longer change" in text_of(response)
        assert client.post(url, self._post(world, starter_version))["Location"] == detail
        shared_obs.refresh_from_db()
        assert shared_obs.class_name != "Period 5"
        assert not AuditEntry.objects.filter(action="observation.update").exists()
        assert "Edit the plan" not in text_of(client.get(detail))

    def test_others_are_refused(self, world, obs, starter_version, client_for):
        url = reverse("observations:edit", args=[obs.pk])
        for persona, status in (("teacher", 404), ("campus_leader", 404), ("facilitator", 404)):
            client = client_for(world.persona(persona))
            assert client.get(url).status_code == status, persona
            assert client.post(url, self._post(world, starter_version)).status_code == status, persona
        obs.refresh_from_db()
        assert obs.class_name != "Period 5"

    def test_linked_from_detail_and_capture(self, world, obs, client_for):
        client = client_for(world.coach)
        edit = reverse("observations:edit", args=[obs.pk])
        assert edit in text_of(client.get(reverse("observations:detail", args=[obs.pk])))
        assert edit in text_of(client.get(reverse("observations:capture", args=[obs.pk])))


# Check-ins --------------------------------------------------------------------------------------------------------------


def _caseload_teacher(world, name):
    teacher = PersonFactory(full_name=name, district=world.district)
    MembershipFactory(person=teacher, organization=world.campus, role=Role.TEACHER)
    CaseloadFactory(coach=world.coach, teacher=teacher)
    return teacher


class TestCheckIns:
    def test_overdue_first_then_due_then_later(self, world, client_for):
        today = timezone.localdate()
        later = _caseload_teacher(world, "Later Lane")
        soon = _caseload_teacher(world, "Soon Song")
        overdue = _caseload_teacher(world, "Overdue Ortiz")
        for teacher, held, next_day in (
            (later, 2, 10),
            (soon, 5, 2),
            (overdue, 20, -4),
        ):
            s.check_in_record(
                actor=world.coach,
                teacher=teacher,
                held_on=today - datetime.timedelta(days=held),
                priorities="Routines",
                next_check_in=today + datetime.timedelta(days=next_day),
            )
        response = client_for(world.coach).get(reverse("observations:checkins"))
        rows = response.context["rows"]
        # Ana Teacher has never had a check-in: due now, sorted with the due ones (before the dated ones).
        assert [r.full_name for r in rows] == ["Overdue Ortiz", "Ana Teacher", "Soon Song", "Later Lane"]
        assert [r.status for r in rows] == ["overdue", "due", "due", "later"]
        page = text_of(response)
        assert "Overdue by 4 days" in page and page.count("badge badge-warn") == 2 and "Never" in page

    def test_record_a_check_in_with_the_default_next_date(self, world, client_for):
        client = client_for(world.coach)
        client.post(reverse("observations:cadence", args=[world.teacher.pk]), {"every_days": 7})
        assert s.cadence_days(world.coach, world.teacher) == 7
        form_page = client.get(reverse("observations:checkin-create", args=[world.teacher.pk]))
        assert "every 7 days" in text_of(form_page)
        today = timezone.localdate()
        response = client.post(
            reverse("observations:checkin-create", args=[world.teacher.pk]),
            {
                "held_on": today.isoformat(),
                "priorities": "Routines first",
                "progress": "Entry routine in place",
                "alignment_notes": "R1 serves the routines priority",
                "blockers": "Assemblies on Fridays",
            },
        )
        assert response["Location"] == reverse("observations:checkins")
        check_in = m.CheckIn.objects.get()
        assert check_in.next_check_in == today + datetime.timedelta(days=7)
        assert (check_in.coach, check_in.blockers) == (world.coach, "Assemblies on Fridays")
        row = client.get(reverse("observations:checkins")).context["rows"][0]
        assert row.status == "later" and row.last_held == today

    def test_refusals_name_the_field(self, world, client_for):
        client = client_for(world.coach)
        future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
        response = client.post(
            reverse("observations:checkin-create", args=[world.teacher.pk]), {"held_on": future, "priorities": "x"}
        )
        assert "A check-in is recorded after it happens." in text_of(response)
        bad = client.post(reverse("observations:cadence", args=[world.teacher.pk]), {"every_days": 0}, follow=True)
        assert "Choose between 1 and 120 days." in text_of(bad)
        assert not m.CheckIn.objects.exists() and not m.CheckInCadence.objects.exists()

    def test_bounded_queries(self, world, client_for):
        today = timezone.localdate()

        def teachers(n):
            for i in range(n):
                t = _caseload_teacher(world, f"T {i} {uuid.uuid4().hex[:4]}")
                s.check_in_record(actor=world.coach, teacher=t, held_on=today, priorities="p")
                s.cadence_set(actor=world.coach, teacher=t, every_days=10)

        client = client_for(world.coach)
        url = reverse("observations:checkins")
        teachers(3)
        few = queries(client, url)
        teachers(27)
        many = queries(client, url)
        assert (few, many) == (7, 7)


# The timeline -----------------------------------------------------------------------------------------------------------


class TestTimeline:
    def test_in_date_order_and_only_what_the_reader_may_read(self, world, starter_version, components, client_for):
        today = timezone.localdate()
        hidden = take_notes(world, plan(world, starter_version, class_name="Unshared"), [add("x")])
        seen = share(
            world,
            take_notes(
                world,
                plan(world, starter_version, class_name="Shared class"),
                [
                    {
                        "op": "feedback.add",
                        "client_id": str(uuid.uuid4()),
                        "mode": "model",
                        "note": "Modelled a think-aloud",
                    }
                ],
            ),
            components["3.2"],
        )
        s.check_in_record(
            actor=world.coach,
            teacher=world.teacher,
            held_on=today - datetime.timedelta(days=3),
            priorities="Routines first",
        )
        teacher_page = client_for(world.teacher).get(reverse("observations:timeline", args=[world.teacher.pk]))
        kinds = [e["kind"] for e in teacher_page.context["entries"]]
        assert sorted(kinds) == ["check_in", "feedback", "observation"]
        assert kinds[-1] == "check_in"  # three days ago: the oldest
        page = text_of(teacher_page)
        assert "Modelled a think-aloud" in page and "Routines first" in page and "My timeline" in page
        assert reverse("observations:detail", args=[seen.pk]) in page
        assert reverse("observations:detail", args=[hidden.pk]) not in page
        coach_entries = (
            client_for(world.coach).get(reverse("observations:timeline", args=[world.teacher.pk])).context["entries"]
        )
        assert len(coach_entries) == 4  # the coach also sees their unshared visit
        # The facilitator supports the teacher too but reads only their own records.
        assert (
            client_for(world.facilitator)
            .get(reverse("observations:timeline", args=[world.teacher.pk]))
            .context["entries"]
            == []
        )

    def test_bounded_queries(self, world, starter_version, components, client_for):
        today = timezone.localdate()

        made = []

        def make(n):
            # One visit, one feedback event and one check-in per day, so every page holds all three kinds.
            for _ in range(n):
                day = len(made)
                obs = take_notes(
                    world,
                    plan(world, starter_version),
                    [{"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "cue"}],
                )
                share(world, obs, components["3.2"])
                when = timezone.now() - datetime.timedelta(days=day)
                m.Observation.objects.filter(pk=obs.pk).update(started_at=when)
                m.FeedbackEvent.objects.filter(observation=obs).update(at=when)
                s.check_in_record(
                    actor=world.coach,
                    teacher=world.teacher,
                    held_on=today - datetime.timedelta(days=day),
                    priorities="p",
                )
                made.append(obs)

        url = reverse("observations:timeline", args=[world.teacher.pk])
        make(3)
        few = {p: queries(client_for(world.persona(p)), url) for p in ("teacher", "coach")}
        make(27)
        many = {p: queries(client_for(world.persona(p)), url) for p in ("teacher", "coach")}
        assert (few, many) == ({"teacher": 10, "coach": 10}, {"teacher": 10, "coach": 10})


# Notices ------------------------------------------------------------------------------------------------------------------


class TestNotices:
    def test_unread_marked_and_mark_all_read(self, world, client_for, rf):
        for i in range(3):
            m.Notice.objects.create(district=world.district, recipient=world.teacher, text=f"Notice {i}", url="/")
        m.Notice.objects.create(district=world.district, recipient=world.coach, text="Not yours")
        client = client_for(world.teacher)
        page = text_of(client.get(reverse("observations:notices")))
        assert "3 unread notices." in page and page.count("notice-unread") == 3 and "Not yours" not in page
        request = rf.get("/")
        request.user = world.teacher
        assert notices_processor(request)["unread_notice_count"]() == 3
        client.post(reverse("observations:notices"))
        assert not m.Notice.objects.filter(recipient=world.teacher, read_at=None).exists()
        assert m.Notice.objects.filter(recipient=world.coach, read_at=None).exists()

    def test_the_context_processor_is_lazy_and_counts_once(self, world, rf, django_assert_num_queries):
        from django.contrib.auth.models import AnonymousUser

        request = rf.get("/")
        request.user = AnonymousUser()
        assert notices_processor(request) == {}
        request.user = world.teacher
        with django_assert_num_queries(0):
            count = notices_processor(request)["unread_notice_count"]
        with django_assert_num_queries(1):
            assert count() == 0 and count() == 0
