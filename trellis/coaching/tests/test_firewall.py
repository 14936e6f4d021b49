"""The coaching firewall: who reads coaching content, and how sharing opens and closes it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.lib.rules import rule_for
from trellis.orgs.factories import CampusFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import CaseloadAssignment, Role
from trellis.orgs.services import caseload_end, grant_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(world):
    return services.note_create(
        actor=world.coach, teacher=world.teacher, title="Wait time", body="Tried a 3-second pause after questions."
    )


def readers(note, world):
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
        "teacher_b",
    ]
    rule = rule_for(CoachingNote)
    return {n for n in names if rule.can_view(getattr(world, n), note)}


def test_default_readers_are_teacher_and_coach(world, note):
    assert readers(note, world) == {"teacher", "coach"}


def test_create_is_audited_with_district(world, note):
    entry = AuditEntry.objects.get(action="coaching_note.create")
    assert entry.district == world.district and entry.actor == world.coach
    assert note.district == world.district


def test_share_opens_to_that_leader_and_revoke_closes(world, note):
    share = services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    assert readers(note, world) == {"teacher", "coach", "campus_leader"}
    assert AuditEntry.objects.filter(action="coaching_share.create", actor=world.teacher).exists()
    again = services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    assert again.pk == share.pk  # sharing twice is one share
    services.share_revoke(actor=world.teacher, share=share)
    assert readers(note, world) == {"teacher", "coach"}
    assert CoachingShare.objects.get(pk=share.pk).revoked_at is not None
    # Sharing again after a revoke works: the unique rule covers active shares only.
    services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    assert "campus_leader" in readers(note, world)


def test_only_the_teacher_shares_and_only_with_their_leader(world, note):
    with pytest.raises(ValidationError):
        services.share_create(actor=world.coach, record=note, shared_with=world.campus_leader)
    with pytest.raises(ValidationError) as exc:
        services.share_create(actor=world.teacher, record=note, shared_with=world.district_admin)
    assert "shared_with" in exc.value.message_dict
    other_leader = PersonFactory(district=world.district, email="lead2@a.example.org")
    MembershipFactory(person=other_leader, organization=world.campus2, role=Role.CAMPUS_LEADER)
    with pytest.raises(ValidationError):
        services.share_create(actor=world.teacher, record=note, shared_with=other_leader)
    assert not CoachingShare.objects.exists()


def test_leader_loses_shared_access_when_no_longer_leading_the_campus(world, note):
    services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    world.campus_leader.memberships.update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    from trellis.accounts.models import User

    leader = User.objects.get(pk=world.campus_leader.pk)
    assert not rule_for(CoachingNote).can_view(leader, note)


def test_coach_loses_access_when_caseload_ends(world, note):
    caseload_end(actor=world.district_admin, assignment=CaseloadAssignment.objects.get(coach=world.coach))
    CaseloadAssignment.objects.filter(coach=world.coach).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert readers(note, world) == {"teacher"}


def test_facilitator_reads_own_notes_only_while_grant_is_active(world):
    fac_note = services.note_create(
        actor=world.facilitator, teacher=world.teacher, title="Cohort follow-up", body="..."
    )
    assert rule_for(CoachingNote).can_view(world.facilitator, fac_note)
    assert rule_for(CoachingNote).can_change(world.facilitator, fac_note)
    grant_revoke(actor=world.district_admin, grant=world.grant)
    assert not rule_for(CoachingNote).can_view(world.facilitator, fac_note)
    assert rule_for(CoachingNote).can_view(world.teacher, fac_note)
    with pytest.raises(ValidationError):
        services.note_create(actor=world.facilitator, teacher=world.teacher, title="x", body="y")


def test_coach_cannot_write_for_teacher_off_caseload(world):
    with pytest.raises(ValidationError) as exc:
        services.note_create(actor=world.coach, teacher=world.teacher_other_campus, title="x", body="y")
    assert "teacher" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.note_create(actor=world.facilitator_no_grant, teacher=world.teacher_b, title="x", body="y")
    assert not CoachingNote.objects.exists()


def test_another_coach_in_the_district_cannot_read(world, note):
    other_coach = PersonFactory(district=world.district, email="coach2@a.example.org")
    MembershipFactory(person=other_coach, organization=world.campus, role=Role.COACH)
    assert not rule_for(CoachingNote).can_view(other_coach, note)


def test_campus_leader_of_a_campus_in_another_district_never_reads(world, note):
    b_leader = PersonFactory(district=world.district_b, email="lead@b.example.org")
    MembershipFactory(person=b_leader, organization=CampusFactory(parent=world.district_b), role=Role.CAMPUS_LEADER)
    assert not rule_for(CoachingNote).can_view(b_leader, note)


def test_note_validation(world):
    with pytest.raises(ValidationError) as exc:
        services.note_create(
            actor=world.coach,
            teacher=world.teacher,
            title=" ",
            body="",
            met_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert set(exc.value.message_dict) == {"title", "body", "met_on"}


def test_update_and_delete_are_audited(world, note):
    services.note_update(
        actor=world.coach,
        note=note,
        title="Wait time, round 2",
        body=note.body,
        next_steps="Film it",
        met_on=note.met_on,
    )
    entry = AuditEntry.objects.get(action="coaching_note.update")
    assert entry.before is None and entry.after == {"changed": ["next_steps", "title"]}
    assert "Wait time" not in entry.object_repr
    services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    services.note_delete(actor=world.coach, note=note)
    assert not CoachingNote.objects.exists() and not CoachingShare.objects.exists()
    assert AuditEntry.objects.filter(action="coaching_note.delete").exists()
