"""Observation lifecycle, live capture sync, sharing, the firewall and check-ins."""

import datetime
import io
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from trellis.audit.models import AuditEntry
from trellis.coaching.services import share_create, share_revoke
from trellis.lib.rules import rule_for
from trellis.observations import models as m
from trellis.observations import services as s
from trellis.orgs.services import grant_revoke

pytestmark = pytest.mark.django_db


def add(text, valence="neutral", nodes=(), client_id=None, **extra):
    return {
        "op": "note.add",
        "client_id": str(client_id or uuid.uuid4()),
        "text": text,
        "valence": valence,
        "nodes": [n.pk for n in nodes],
        **extra,
    }


def readers(obs, world):
    names = [
        "teacher",
        "teacher_other_campus",
        "coach",
        "campus_leader",
        "district_admin",
        "facilitator",
        "facilitator_no_grant",
        "sc_admin",
        "other_admin",
    ]
    return {n for n in names if rule_for(m.Observation).can_view(getattr(world, n), obs)}


class TestLifecycle:
    def test_plan_pins_the_framework_version(self, obs, starter_version):
        assert (
            obs.state == "planned"
            and obs.framework_version == starter_version
            and obs.district_id == obs.teacher.district_id
        )
        assert AuditEntry.objects.filter(action="observation.plan").exists()

    def test_only_teachers_one_may_observe(self, world, starter_version):
        with pytest.raises(ValidationError) as exc:
            s.observation_plan(actor=world.coach, teacher=world.teacher_other_campus)
        assert "teacher" in exc.value.message_dict
        # A campus leader may observe teachers of their campus; a self-review is always allowed.
        s.observation_plan(actor=world.campus_leader, teacher=world.teacher, kind="walkthrough")
        s.observation_plan(actor=world.teacher, teacher=world.teacher, kind="self_review")
        with pytest.raises(ValidationError):
            s.observation_plan(actor=world.facilitator_no_grant, teacher=world.teacher_b)

    def test_full_path_and_illegal_moves(self, world, obs, components):
        with pytest.raises(ValidationError, match="planned; it cannot be shared"):
            s.observation_share(actor=world.coach, obs=obs)
        obs = s.observation_start(actor=world.coach, obs=obs)
        obs = s.observation_finish(actor=world.coach, obs=obs)
        with pytest.raises(ValidationError, match="growth area"):
            s.observation_share(actor=world.coach, obs=obs)
        obs = s.observation_set_focus(
            actor=world.coach, obs=obs, growth_node=components["4.1"], growth_rationale="3 of 4 checks missed"
        )
        obs = s.observation_share(actor=world.coach, obs=obs)
        assert obs.state == "shared" and obs.shared_at
        with pytest.raises(ValidationError):
            s.observation_cancel(actor=world.coach, obs=obs)
        obs = s.observation_discussed(actor=world.coach, obs=obs)
        assert obs.state == "discussed"
        actions = list(
            AuditEntry.objects.filter(object_type="observations.observation").values_list("action", flat=True)
        )
        assert {
            "observation.start",
            "observation.finish",
            "observation.focus",
            "observation.share",
            "observation.discuss",
        } <= set(actions)

    def test_focus_must_come_from_the_pinned_framework(self, world, obs):
        from trellis.frameworks.models import FrameworkNode

        s.observation_start(actor=world.coach, obs=obs)
        other = FrameworkNode.objects.exclude(version=obs.framework_version).first()
        if other is None:
            pytest.skip("no second framework in this database")
        with pytest.raises(ValidationError):
            s.observation_set_focus(actor=world.coach, obs=obs, growth_node=other)


class TestCaptureSync:
    def test_first_note_starts_the_visit_and_resends_are_stored_once(self, world, obs, components):
        batch = [
            add("Teacher greets at door", "strength", [components["2.1"]]),
            add("Only 3 hands up", "growth", [components["3.2"]]),
        ]
        first = s.capture_sync(actor=world.coach, obs=obs, ops=batch)
        assert [r["status"] for r in first["results"]] == ["applied", "applied"] and first["state"] == "in_progress"
        again = s.capture_sync(actor=world.coach, obs=obs, ops=batch)
        assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
        assert m.EvidenceNote.objects.filter(observation=obs).count() == 2
        note = m.EvidenceNote.objects.get(text="Only 3 hands up")
        assert list(note.nodes.values_list("code", flat=True)) == ["3.2"]

    def test_order_is_kept_by_device_time(self, world, obs):
        now = timezone.now()
        ops = [add("second", at=(now + datetime.timedelta(seconds=30)).isoformat()), add("first", at=now.isoformat())]
        s.capture_sync(actor=world.coach, obs=obs, ops=ops)
        assert list(m.EvidenceNote.objects.filter(observation=obs).values_list("text", flat=True)) == [
            "first",
            "second",
        ]

    def test_two_devices_do_not_overwrite_each_other(self, world, obs):
        cid = uuid.uuid4()
        s.capture_sync(actor=world.coach, obs=obs, ops=[add("draft", client_id=cid)])
        a = s.capture_sync(
            actor=world.coach,
            obs=obs,
            ops=[{"op": "note.edit", "client_id": str(cid), "base_revision": 1, "text": "phone edit"}],
        )
        b = s.capture_sync(
            actor=world.coach,
            obs=obs,
            ops=[{"op": "note.edit", "client_id": str(cid), "base_revision": 1, "text": "tablet edit"}],
        )
        assert a["results"][0]["status"] == "applied"
        assert b["results"][0]["status"] == "conflict" and b["results"][0]["text"] == "phone edit"
        assert m.EvidenceNote.objects.get(client_id=cid).text == "phone edit"

    def test_tallies_from_two_devices_add_up(self, world, obs):
        taps = [{"op": "tally.add", "client_id": str(uuid.uuid4()), "label": "Questions asked"} for _ in range(3)]
        s.capture_sync(actor=world.coach, obs=obs, ops=taps[:2])
        s.capture_sync(
            actor=world.coach,
            obs=obs,
            ops=taps[1:]
            + [{"op": "tally.add", "client_id": str(uuid.uuid4()), "label": "Questions asked", "delta": -1}],
        )
        counter = m.TallyCounter.objects.get(observation=obs)
        assert sum(counter.marks.values_list("delta", flat=True)) == 2

    def test_feedback_against_the_action_step(self, world, obs, first_step):
        obs.focus_step = first_step
        obs.save()
        s.capture_sync(
            actor=world.coach,
            obs=obs,
            ops=[{"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "whisper", "note": "Wait 3 seconds"}],
        )
        event = m.FeedbackEvent.objects.get(observation=obs)
        assert event.step == first_step and event.get_mode_display() == "Whispered prompt"

    def test_bad_operations_are_rejected_one_by_one(self, world, obs):
        result = s.capture_sync(
            actor=world.coach,
            obs=obs,
            ops=[
                {"op": "note.add", "client_id": "not-a-uuid", "text": "x"},
                add(""),
                add("ok"),
                {"op": "explode", "client_id": str(uuid.uuid4())},
                "junk",
            ],
        )
        assert [r["status"] for r in result["results"]] == ["rejected", "rejected", "applied", "rejected", "rejected"]
        assert m.EvidenceNote.objects.filter(observation=obs).count() == 1

    def test_no_capture_after_sharing(self, world, obs, components):
        s.capture_sync(actor=world.coach, obs=obs, ops=[add("x")])
        s.observation_finish(actor=world.coach, obs=obs)
        s.observation_set_focus(actor=world.coach, obs=obs, growth_node=components["4.1"])
        s.observation_share(actor=world.coach, obs=obs)
        with pytest.raises(ValidationError, match="can no longer"):
            s.capture_sync(actor=world.coach, obs=obs, ops=[add("late")])


class TestFirewall:
    def test_nothing_for_the_teacher_until_shared(self, world, obs, components, django_capture_on_commit_callbacks):
        s.capture_sync(actor=world.coach, obs=obs, ops=[add("x")])
        assert readers(obs, world) == {"coach"}
        s.observation_finish(actor=world.coach, obs=obs)
        s.observation_set_focus(actor=world.coach, obs=obs, growth_node=components["3.2"])
        with django_capture_on_commit_callbacks(execute=True):
            s.observation_share(actor=world.coach, obs=obs)
        assert readers(obs, world) == {"coach", "teacher"}
        assert m.Notice.objects.filter(recipient=world.teacher).count() == 1
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["teacher@a.example.org"]
        assert "x" not in mail.outbox[0].body  # the email says feedback is waiting, not what it says

    def test_leader_reads_only_while_the_teacher_shares(self, world, obs, components):
        s.observation_finish(actor=world.coach, obs=s.observation_start(actor=world.coach, obs=obs))
        s.observation_set_focus(actor=world.coach, obs=obs, growth_node=components["3.2"])
        obs = s.observation_share(actor=world.coach, obs=obs)
        share = share_create(actor=world.teacher, record=obs, shared_with=world.campus_leader)
        assert "campus_leader" in readers(obs, world)
        share_revoke(actor=world.teacher, share=share)
        assert "campus_leader" not in readers(obs, world)

    def test_facilitator_loses_access_with_the_grant(self, world, starter_version):
        fobs = s.observation_plan(actor=world.facilitator, teacher=world.teacher, framework_version=starter_version)
        assert rule_for(m.Observation).can_view(world.facilitator, fobs)
        grant_revoke(actor=world.district_admin, grant=world.grant)
        assert not rule_for(m.Observation).can_view(world.facilitator, fobs)

    def test_acknowledge_and_reflect(self, world, obs, components):
        with pytest.raises(ValidationError):
            s.observation_acknowledge(actor=world.teacher, obs=obs)
        s.observation_finish(actor=world.coach, obs=s.observation_start(actor=world.coach, obs=obs))
        s.observation_set_focus(actor=world.coach, obs=obs, growth_node=components["3.2"])
        s.observation_share(actor=world.coach, obs=obs)
        done = s.observation_acknowledge(actor=world.teacher, obs=obs, reflection="I will try wait time.")
        assert done.acknowledged_at and done.teacher_reflection == "I will try wait time."
        with pytest.raises(ValidationError):
            s.observation_acknowledge(actor=world.coach, obs=obs)


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), "orange")
    exif = Image.Exif()
    gps = {1: "N", 2: (29.0, 45.0, 0.0), 3: "W", 4: (95.0, 22.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


class TestUploads:
    def test_image_is_reencoded_without_gps(self, world, obs):
        raw = _jpeg_with_gps()
        with Image.open(io.BytesIO(raw)) as original:
            assert original.getexif().get_ifd(0x8825)  # the fixture really carries GPS
        record = s.evidence_file_add(actor=world.coach, obs=obs, upload=SimpleUploadedFile("IMG_1.jpg", raw))
        with record.file.open("rb") as fh, Image.open(fh) as stored:
            assert not stored.getexif().get_ifd(0x8825)
        assert record.content_type == "image/jpeg"

    def test_renamed_executable_is_refused(self, world, obs):
        fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200)
        with pytest.raises(ValidationError) as exc:
            s.evidence_file_add(actor=world.coach, obs=obs, upload=fake)
        assert "not a photo or document" in str(exc.value)
        assert not m.EvidenceFile.objects.exists()

    def test_oversized_is_refused(self, world, obs, settings):
        settings.EVIDENCE_MAX_BYTES = 1024
        with pytest.raises(ValidationError, match="larger than"):
            s.evidence_file_add(
                actor=world.coach, obs=obs, upload=SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000)
            )

    def test_pdf_is_accepted(self, world, obs):
        record = s.evidence_file_add(
            actor=world.coach, obs=obs, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF")
        )
        assert record.content_type == "application/pdf" and record.file.name.endswith(".pdf")


class TestCheckIns:
    def test_record_with_default_cadence(self, world, settings):
        today = timezone.localdate()
        ci = s.check_in_record(actor=world.coach, teacher=world.teacher, held_on=today, priorities="Routines first")
        assert ci.next_check_in == today + datetime.timedelta(days=settings.CHECK_IN_EVERY_DAYS)
        s.cadence_set(actor=world.coach, teacher=world.teacher, every_days=7)
        ci2 = s.check_in_record(actor=world.coach, teacher=world.teacher, held_on=today, priorities="Wait time")
        assert ci2.next_check_in == today + datetime.timedelta(days=7)

    def test_refusals(self, world):
        today = timezone.localdate()
        with pytest.raises(ValidationError):
            s.check_in_record(actor=world.coach, teacher=world.teacher_other_campus, held_on=today, priorities="x")
        with pytest.raises(ValidationError) as exc:
            s.check_in_record(
                actor=world.coach, teacher=world.teacher, held_on=today + datetime.timedelta(days=1), priorities=" "
            )
        assert {"held_on", "priorities"} & set(exc.value.message_dict)
        with pytest.raises(ValidationError):
            s.cadence_set(actor=world.coach, teacher=world.teacher, every_days=0)


class TestNoticeMarkAllRead:
    def test_marks_only_the_actors_unread_notices_in_one_update(self, world, django_assert_num_queries):
        earlier = timezone.now() - datetime.timedelta(days=2)
        for i in range(3):
            m.Notice.objects.create(district=world.district, recipient=world.teacher, text=f"Notice {i}")
        already = m.Notice.objects.create(
            district=world.district, recipient=world.teacher, text="Read", read_at=earlier
        )
        other = m.Notice.objects.create(district=world.district, recipient=world.coach, text="Not yours")
        with django_assert_num_queries(1):
            assert s.notice_mark_all_read(actor=world.teacher) == 3
        assert not m.Notice.objects.filter(recipient=world.teacher, read_at=None).exists()
        already.refresh_from_db()
        other.refresh_from_db()
        assert already.read_at == earlier  # a notice read before keeps its time
        assert other.read_at is None  # someone else's notices are untouched

    def test_idempotent(self, world):
        m.Notice.objects.create(district=world.district, recipient=world.teacher, text="One")
        assert s.notice_mark_all_read(actor=world.teacher) == 1
        assert s.notice_mark_all_read(actor=world.teacher) == 0
        assert s.notice_mark_all_read(actor=world.coach) == 0
