"""The capture endpoints: the JSON sync the phone talks to, uploads, and the access-checked file view."""

import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from trellis.observations import models as m
from trellis.observations import services as s

pytestmark = pytest.mark.django_db


def add(text, valence="neutral", nodes=(), client_id=None, **extra):
    return {
        "op": "note.add",
        "client_id": str(client_id or uuid.uuid4()),
        "at": "2025-09-15T14:05:00Z",
        "text": text,
        "valence": valence,
        "nodes": [n.pk for n in nodes],
        **extra,
    }


def post_ops(client, obs, ops, **headers):
    return client.post(
        reverse("observations:sync", args=[obs.pk]),
        data=json.dumps({"ops": ops}),
        content_type="application/json",
        headers=headers,
    )


def shared(world, obs, components):
    s.capture_sync(actor=world.coach, obs=obs, ops=[add("x")])
    s.observation_finish(actor=world.coach, obs=obs)
    s.observation_set_focus(actor=world.coach, obs=obs, growth_node=components["3.2"])
    return s.observation_share(actor=world.coach, obs=obs)


class TestSync:
    def test_json_in_results_out(self, world, obs, components, client_for):
        ops = [add("Greets every student", "strength", [components["2.1"]]), add("Three hands only", "growth")]
        response = post_ops(client_for(world.coach), obs, ops)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        body = response.json()
        assert body["state"] == "in_progress"
        assert [r["status"] for r in body["results"]] == ["applied", "applied"]
        assert [r["client_id"] for r in body["results"]] == [ops[0]["client_id"], ops[1]["client_id"]]
        note = m.EvidenceNote.objects.get(client_id=ops[0]["client_id"])
        assert note.valence == "strength" and list(note.nodes.values_list("code", flat=True)) == ["2.1"]
        assert note.author == world.coach

    def test_a_batch_sent_twice_is_stored_once(self, world, obs, client_for):
        client = client_for(world.coach)
        ops = [
            add("first"),
            add("second"),
            {"op": "tally.add", "client_id": str(uuid.uuid4()), "label": "Questions asked", "delta": 1},
            {"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "cue"},
        ]
        assert [r["status"] for r in post_ops(client, obs, ops).json()["results"]] == ["applied"] * 4
        again = post_ops(client, obs, ops).json()["results"]
        assert [r["status"] for r in again] == ["duplicate"] * 4
        assert m.EvidenceNote.objects.filter(observation=obs).count() == 2
        assert m.TallyMark.objects.count() == 1 and m.FeedbackEvent.objects.count() == 1

    def test_edits_from_two_devices_conflict_instead_of_overwriting(self, world, obs, client_for):
        client = client_for(world.coach)
        cid = str(uuid.uuid4())
        post_ops(client, obs, [add("draft", client_id=cid)])
        edit = {"op": "note.edit", "client_id": cid, "base_revision": 1, "valence": "growth"}
        first = post_ops(client, obs, [{**edit, "text": "phone"}]).json()["results"][0]
        second = post_ops(client, obs, [{**edit, "text": "tablet"}]).json()["results"][0]
        assert first["status"] == "applied" and first["revision"] == 2
        assert second == {"client_id": cid, "status": "conflict", "id": first["id"], "revision": 2, "text": "phone"}

    def test_csrf_is_enforced(self, world, obs):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.coach, backend="django.contrib.auth.backends.ModelBackend")
        refused = post_ops(client, obs, [add("no token")])
        assert refused.status_code == 403
        assert not m.EvidenceNote.objects.exists()
        # The page hands out the token; the script sends it back in the X-CSRFToken header.
        client.get(reverse("observations:capture", args=[obs.pk]))
        token = client.cookies["csrftoken"].value
        accepted = post_ops(client, obs, [add("with token")], **{"X-CSRFToken": token})
        assert accepted.status_code == 200
        assert m.EvidenceNote.objects.get().text == "with token"

    @pytest.mark.parametrize(
        ("body", "content_type"),
        [
            ("{not json", "application/json"),
            ('["a list"]', "application/json"),
            ('{"ops": "note.add"}', "application/json"),
            ("ops=1", "application/x-www-form-urlencoded"),
            (b"\xff\xfe", "application/json"),
        ],
    )
    def test_a_malformed_body_is_a_400_json_error(self, world, obs, client_for, body, content_type):
        response = client_for(world.coach).post(
            reverse("observations:sync", args=[obs.pk]), data=body, content_type=content_type
        )
        assert response.status_code == 400
        assert "error" in response.json()
        assert not m.EvidenceNote.objects.exists()

    def test_too_many_changes_at_once(self, world, obs, client_for):
        response = post_ops(client_for(world.coach), obs, [add(f"n{i}") for i in range(s.MAX_OPS_PER_SYNC + 1)])
        assert response.status_code == 400 and "at most" in response.json()["error"]

    def test_bad_changes_are_rejected_one_by_one(self, world, obs, client_for):
        results = post_ops(client_for(world.coach), obs, [add(""), add("ok"), {"op": "nope"}]).json()["results"]
        assert [r["status"] for r in results] == ["rejected", "applied", "rejected"]
        assert results[0]["error"] == "A note needs some text."

    @pytest.mark.parametrize(
        "persona",
        [
            "teacher",
            "teacher_other_campus",
            "campus_leader",
            "district_admin",
            "other_admin",
            "facilitator",
            "facilitator_no_grant",
            "sc_admin",
        ],
    )
    def test_someone_elses_observation_is_404(self, world, obs, client_for, persona):
        response = post_ops(client_for(world.persona(persona)), obs, [add("intruder")])
        assert response.status_code == 404
        assert response.json() == {"error": "There is no such observation."}
        assert not m.EvidenceNote.objects.exists()

    def test_signed_out_is_401_json_not_a_login_page(self, world, obs, client_for):
        response = post_ops(client_for(None), obs, [add("x")])
        assert response.status_code == 401 and "signed out" in response.json()["error"]

    def test_after_sharing_it_is_409_with_a_clear_error(self, world, obs, components, client_for):
        shared(world, obs, components)
        response = post_ops(client_for(world.coach), obs, [add("late note")])
        assert response.status_code == 409
        assert response.json() == {
            "error": "This observation is shared; notes can no longer be added.",
            "state": "shared",
        }
        # The teacher reads the shared observation but cannot write to it.
        refused = post_ops(client_for(world.teacher), obs, [add("teacher note")])
        assert refused.status_code == 403
        assert not m.EvidenceNote.objects.filter(text__in=["late note", "teacher note"]).exists()

    def test_a_cancelled_observation_is_closed_too(self, world, obs, client_for):
        s.observation_cancel(actor=world.coach, obs=obs)
        assert post_ops(client_for(world.coach), obs, [add("x")]).status_code == 409

    def test_a_facilitator_loses_the_endpoint_with_the_grant(self, world, starter_version, client_for):
        from trellis.orgs.services import grant_revoke

        fobs = s.observation_plan(actor=world.facilitator, teacher=world.teacher, framework_version=starter_version)
        client = client_for(world.facilitator)
        assert post_ops(client, fobs, [add("with grant")]).status_code == 200
        grant_revoke(actor=world.district_admin, grant=world.grant)
        assert post_ops(client, fobs, [add("without grant")]).status_code == 404

    def test_only_post(self, world, obs, client_for):
        assert client_for(world.coach).get(reverse("observations:sync", args=[obs.pk])).status_code == 405


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), "orange")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (29.0, 45.0, 0.0), 3: "W", 4: (95.0, 22.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(client, obs, name, data, *, as_json=True, caption=""):
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(
        reverse("observations:upload", args=[obs.pk]),
        {"file": SimpleUploadedFile(name, data), "caption": caption},
        headers=headers,
    )


class TestUploads:
    def test_a_photo_is_stored_without_location_data(self, world, obs, client_for):
        raw = _jpeg_with_gps()
        with Image.open(io.BytesIO(raw)) as original:
            assert original.getexif().get_ifd(0x8825)
        response = upload(client_for(world.coach), obs, "IMG_0001.jpg", raw, caption="Anchor chart")
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "IMG_0001.jpg" and body["caption"] == "Anchor chart" and body["is_image"]
        assert body["url"] == reverse("observations:file", args=[body["id"]])
        record = m.EvidenceFile.objects.get(pk=body["id"])
        with record.file.open("rb") as fh, Image.open(fh) as stored:
            assert not stored.getexif().get_ifd(0x8825)
        # What the file view streams is the cleaned copy.
        served = client_for(world.coach).get(body["url"])
        data = b"".join(served.streaming_content)
        with Image.open(io.BytesIO(data)) as img:
            assert not img.getexif().get_ifd(0x8825)

    def test_a_renamed_executable_is_refused_with_a_message(self, world, obs, client_for):
        fake = b"MZ\x90\x00" + b"\x00" * 200
        response = upload(client_for(world.coach), obs, "photo.jpg", fake)
        assert response.status_code == 400
        assert "not a photo or document" in response.json()["error"]
        # Without script: back to the capture page, with the message shown there.
        page = upload(client_for(world.coach), obs, "photo.jpg", fake, as_json=False)
        assert page.status_code == 302
        shown = client_for(world.coach).get(page["Location"])
        assert shown.status_code == 200
        follow = client_for(world.coach)
        response = follow.post(
            reverse("observations:upload", args=[obs.pk]), {"file": SimpleUploadedFile("photo.jpg", fake)}, follow=True
        )
        assert "The file was not attached" in response.content.decode()
        assert "not a photo or document" in response.content.decode()
        assert not m.EvidenceFile.objects.exists()

    def test_an_oversized_file_is_refused(self, world, obs, client_for, settings):
        settings.EVIDENCE_MAX_BYTES = 1024
        response = upload(client_for(world.coach), obs, "big.pdf", b"%PDF-" + b"0" * 4000)
        assert response.status_code == 400 and "larger than" in response.json()["error"]
        assert not m.EvidenceFile.objects.exists()

    def test_no_file_chosen(self, world, obs, client_for):
        response = client_for(world.coach).post(
            reverse("observations:upload", args=[obs.pk]), {"caption": "x"}, headers={"Accept": "application/json"}
        )
        assert response.status_code == 400 and response.json()["error"] == "Choose a photo or a document to attach."

    def test_after_sharing_no_more_files(self, world, obs, components, client_for):
        shared(world, obs, components)
        response = upload(client_for(world.coach), obs, "plan.pdf", b"%PDF-1.4\n%%EOF")
        assert response.status_code == 409

    def test_others_cannot_upload(self, world, obs, client_for):
        for persona in ["teacher", "campus_leader", "other_admin"]:
            response = upload(client_for(world.persona(persona)), obs, "plan.pdf", b"%PDF-1.4\n%%EOF")
            assert response.status_code == 404, persona
        assert not m.EvidenceFile.objects.exists()


class TestFileView:
    def test_streamed_with_safe_headers(self, world, obs, client_for):
        record = s.evidence_file_add(
            actor=world.coach, obs=obs, upload=SimpleUploadedFile("lesson plan.pdf", b"%PDF-1.4\n%%EOF")
        )
        response = client_for(world.coach).get(reverse("observations:file", args=[record.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="lesson plan.pdf"' in response["Content-Disposition"]
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF"

    def test_images_show_inline(self, world, obs, client_for):
        record = s.evidence_file_add(actor=world.coach, obs=obs, upload=SimpleUploadedFile("a.jpg", _jpeg_with_gps()))
        response = client_for(world.coach).get(reverse("observations:file", args=[record.pk]))
        assert response["Content-Disposition"].startswith("inline;") and response["Content-Type"] == "image/jpeg"

    def test_404_for_everyone_else_until_shared(self, world, obs, components, client_for):
        record = s.evidence_file_add(actor=world.coach, obs=obs, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
        url = reverse("observations:file", args=[record.pk])
        for persona in ["teacher", "teacher_other_campus", "campus_leader", "district_admin", "other_admin"]:
            assert client_for(world.persona(persona)).get(url).status_code == 404, persona
        shared(world, obs, components)
        assert client_for(world.teacher).get(url).status_code == 200
        assert client_for(world.campus_leader).get(url).status_code == 404

    def test_a_missing_file_on_disk_is_404(self, world, obs, client_for):
        record = s.evidence_file_add(actor=world.coach, obs=obs, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
        record.file.storage.delete(record.file.name)
        assert client_for(world.coach).get(reverse("observations:file", args=[record.pk])).status_code == 404


class TestStepsFromOtherDistricts:
    """A device can send any step id; only shipped steps and the observation's district's own are attached."""

    def test_another_districts_step_is_not_attached(self, world, obs, first_step, client_for):
        from trellis.frameworks.models import ActionStep, ActionStepLibrary, LibraryPhase

        library = ActionStepLibrary.objects.create(district=world.district_b, title="Willow Creek steps")
        phase = LibraryPhase.objects.create(library=library, district=world.district_b, key="p", label="Phase")
        foreign = ActionStep.objects.create(
            library=library, district=world.district_b, phase=phase, code="W1", sequence=1, title="Willow secret step"
        )
        client = client_for(world.coach)
        ops = [
            add("tagged to a foreign step", step=foreign.pk),
            add("tagged to a shipped step", step=first_step.pk),
            {"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "cue", "step": foreign.pk},
        ]
        assert [r["status"] for r in post_ops(client, obs, ops).json()["results"]] == ["applied"] * 3
        assert m.EvidenceNote.objects.get(text="tagged to a foreign step").step is None
        assert m.EvidenceNote.objects.get(text="tagged to a shipped step").step == first_step
        assert m.FeedbackEvent.objects.get().step is None
        page = client.get(reverse("observations:capture", args=[obs.pk]))
        assert "Willow secret step" not in page.content.decode()


class TestOddChangesNeverBreakTheEndpoint:
    """Whatever a device sends inside a change, the answer is a per-change result, never a server error."""

    def test_odd_values(self, world, obs, client_for):
        client = client_for(world.coach)
        cid = str(uuid.uuid4())
        post_ops(client, obs, [add("base", client_id=cid)])
        ops = [
            {"op": "note.edit", "client_id": cid, "base_revision": "abc", "text": "odd revision"},
            {**add("odd tags"), "nodes": 5},
            add("odd time", at="2025-13-45T99:00:00"),
            {"op": "tally.add", "client_id": str(uuid.uuid4()), "label": "x", "delta": "1"},
            {"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": ["cue"]},
        ]
        response = post_ops(client, obs, ops)
        assert response.status_code == 200
        statuses = [r["status"] for r in response.json()["results"]]
        assert statuses == ["rejected", "applied", "applied", "rejected", "rejected"]
        assert m.EvidenceNote.objects.get(text="odd tags").nodes.count() == 0
        assert m.EvidenceNote.objects.get(text="base").revision == 1
