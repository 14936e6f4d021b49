"""Coaching note pages: the coaching firewall seen through HTTP, as each person meets it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role
from trellis.orgs.services import grant_revoke

pytestmark = pytest.mark.django_db


def note_data(**overrides):
    data = {
        "met_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "title": "Wait time after questions",
        "body": "We tried a three-second pause after each question.",
        "next_steps": "Count silently to three before calling on anyone.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def note(world):
    return services.note_create(
        actor=world.coach,
        teacher=world.teacher,
        title="Exit tickets",
        body="Reviewed exit tickets from the fractions lesson.",
        next_steps="Sort tickets into three piles.",
    )


def reads_of(note, person):
    return AuditEntry.objects.filter(
        action="read", is_read=True, actor=person, object_type="coaching.coachingnote", object_id=str(note.pk)
    ).count()


def test_firewall_end_to_end(world, client_for):
    coach, teacher, leader = client_for(world.coach), client_for(world.teacher), client_for(world.campus_leader)

    # The coach records a conversation with a teacher on their caseload.
    response = coach.post(reverse("coaching:note-create", args=[world.teacher.pk]), note_data())
    note = CoachingNote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("coaching:note-detail", args=[note.pk])
    assert (note.coach, note.teacher, note.district) == (world.coach, world.teacher, world.district)
    assert note.next_steps == "Count silently to three before calling on anyone."
    assert AuditEntry.objects.filter(action="coaching_note.create", actor=world.coach, object_id=str(note.pk)).exists()
    detail = reverse("coaching:note-detail", args=[note.pk])

    # The teacher reads it in full, and the read is recorded.
    page = teacher.get(detail)
    assert page.status_code == 200
    assert "We tried a three-second pause after each question." in page.content.decode()
    assert "Share with my campus leader" in page.content.decode()
    assert world.campus_leader.display_name in page.content.decode()
    assert reads_of(note, world.teacher) == 1

    # The leader cannot: the note is not shared, and its existence is not confirmed.
    page = leader.get(detail)
    assert page.status_code == 404
    assert "three-second pause" not in page.content.decode()
    assert reads_of(note, world.campus_leader) == 0

    # The teacher shares with their campus leader.
    response = teacher.post(reverse("coaching:note-share", args=[note.pk]), {"shared_with": world.campus_leader.pk})
    assert response.status_code == 302 and response["Location"] == detail
    share = CoachingShare.objects.get(object_id=note.pk, shared_with=world.campus_leader, revoked_at=None)
    page = teacher.get(detail).content.decode()
    assert "You share this note with" in page and "Stop sharing" in page

    # The leader now reads it, read-only, told who shared it; the read is recorded.
    page = leader.get(detail)
    html = page.content.decode()
    assert page.status_code == 200
    assert "three-second pause" in html
    assert f"Shared with you by {world.teacher.display_name}" in html
    assert "Edit the note" not in html and "Share this note" not in html
    assert reads_of(note, world.campus_leader) == 1
    assert leader.get(reverse("coaching:note-edit", args=[note.pk])).status_code == 403
    listing = leader.get(reverse("coaching:note-list")).content.decode()
    assert "Exit tickets" not in listing and "Wait time after questions" in listing

    # The leader cannot stop the teacher's share; the teacher can.
    assert leader.post(reverse("coaching:share-revoke", args=[share.pk])).status_code == 403
    response = teacher.post(reverse("coaching:share-revoke", args=[share.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert AuditEntry.objects.filter(action="coaching_share.revoke", actor=world.teacher).exists()

    # And the leader is back to 404, with nothing in their list.
    assert leader.get(detail).status_code == 404
    assert "Wait time after questions" not in leader.get(reverse("coaching:note-list")).content.decode()
    assert reads_of(note, world.campus_leader) == 1


def test_district_admin_never_reads_content_but_sees_counts(world, client_for, note):
    admin = client_for(world.district_admin)
    page = admin.get(reverse("coaching:note-detail", args=[note.pk]))
    assert page.status_code == 404
    assert "fractions lesson" not in page.content.decode()
    assert admin.get(reverse("coaching:note-list")).status_code == 403
    assert reads_of(note, world.district_admin) == 0
    # Even a share with someone else does not open it to the admin.
    services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    assert admin.get(reverse("coaching:note-detail", args=[note.pk])).status_code == 404
    # The leader's home page shows that coaching happened (counts), not the content.
    home = client_for(world.campus_leader).get(reverse("home")).content.decode()
    assert "coaching conversations this month" in home
    assert "fractions lesson" not in home


def test_district_admin_home_never_shows_a_note_title(world, client_for, note):
    home = client_for(world.district_admin).get(reverse("home")).content.decode()
    assert "Exit tickets" not in home


def test_facilitator_with_grant_writes_and_reads_until_the_grant_is_revoked(world, client_for):
    fac = client_for(world.facilitator)
    create = reverse("coaching:note-create", args=[world.teacher.pk])
    assert fac.get(create).status_code == 200
    fac.post(create, note_data(title="Guided reading groups"))
    note = CoachingNote.objects.get(coach=world.facilitator)
    detail = reverse("coaching:note-detail", args=[note.pk])
    assert "Guided reading groups" in fac.get(detail).content.decode()
    assert "Guided reading groups" in fac.get(reverse("coaching:note-list")).content.decode()

    grant_revoke(actor=world.district_admin, grant=world.grant)

    assert fac.get(detail).status_code == 404
    assert fac.get(create).status_code == 404
    assert "Guided reading groups" not in fac.get(reverse("coaching:note-list")).content.decode()
    # The teacher still reads the note about them.
    assert client_for(world.teacher).get(detail).status_code == 200


def test_facilitator_without_grant_cannot_write_for_their_teacher(world, client_for):
    fac2 = client_for(world.facilitator_no_grant)
    url = reverse("coaching:note-create", args=[world.teacher_b.pk])
    assert fac2.get(url).status_code == 404
    assert fac2.post(url, note_data()).status_code == 404
    assert not CoachingNote.objects.exists()


def test_coach_cannot_write_for_a_teacher_off_their_caseload(world, client_for):
    url = reverse("coaching:note-create", args=[world.teacher_other_campus.pk])
    assert client_for(world.coach).post(url, note_data()).status_code == 404
    assert client_for(world.coach).get(reverse("coaching:note-create", args=[999999])).status_code == 404
    assert not CoachingNote.objects.exists()


def test_bad_and_huge_ids_are_404(world, client_for):
    coach = client_for(world.coach)
    for name in ["coaching:note-detail", "coaching:note-edit", "coaching:note-delete"]:
        assert coach.get(reverse(name, args=[10**25])).status_code == 404
    assert coach.get("/coaching/notes/abc/").status_code == 404
    assert client_for(world.teacher).post(reverse("coaching:share-revoke", args=[424242])).status_code == 404


def test_script_is_shown_as_text(world, client_for):
    coach = client_for(world.coach)
    evil = "<script>alert('x')</script>"
    coach.post(
        reverse("coaching:note-create", args=[world.teacher.pk]),
        note_data(title=f"Title {evil}", body=f"Body {evil}", next_steps=f"Steps {evil}"),
    )
    note = CoachingNote.objects.get()
    assert note.title == f"Title {evil}"
    for person in (world.coach, world.teacher):
        for url in (reverse("coaching:note-detail", args=[note.pk]), reverse("coaching:note-list")):
            html = client_for(person).get(url).content.decode()
            assert evil not in html
            assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_future_date_and_empty_title_are_field_errors_and_nothing_is_stored(world, client_for):
    coach = client_for(world.coach)
    url = reverse("coaching:note-create", args=[world.teacher.pk])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = coach.post(url, note_data(met_on=tomorrow))
    assert response.status_code == 200
    assert response.context["form"].errors["met_on"] == ["The conversation cannot be in the future."]
    html = response.content.decode()
    assert 'id="id_met_on_error"' in html and 'aria-invalid="true"' in html

    response = coach.post(url, note_data(title="   "))
    assert response.status_code == 200
    assert "Give the note a title." in response.content.decode()
    assert "title" in response.context["form"].errors

    response = coach.post(url, note_data(met_on="not a date", body=""))
    assert set(response.context["form"].errors) == {"met_on", "body"}
    assert "Write what you talked about." in response.content.decode()
    assert not CoachingNote.objects.exists()
    assert not AuditEntry.objects.filter(action="coaching_note.create").exists()


def test_author_edits_and_changes_are_audited(world, client_for, note):
    coach = client_for(world.coach)
    url = reverse("coaching:note-edit", args=[note.pk])
    page = coach.get(url).content.decode()
    assert "Reviewed exit tickets from the fractions lesson." in page
    response = coach.post(url, note_data(title="Exit tickets, revisited"))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "Exit tickets, revisited"
    entry = AuditEntry.objects.get(action="coaching_note.update")
    # The log says which fields changed, never their coaching content.
    assert entry.before is None and "title" in entry.after["changed"]
    assert "Exit tickets" not in entry.object_repr
    # A bad edit leaves the note as it was.
    response = coach.post(url, note_data(title=""))
    assert response.status_code == 200 and "Give the note a title." in response.content.decode()
    note.refresh_from_db()
    assert note.title == "Exit tickets, revisited"


def test_only_the_author_edits_or_deletes(world, client_for, note):
    for name in ["coaching:note-edit", "coaching:note-delete"]:
        url = reverse(name, args=[note.pk])
        assert client_for(world.teacher).get(url).status_code == 403
        assert client_for(world.teacher).post(url, note_data()).status_code == 403
        # The facilitator coaches the same teacher but did not write this note.
        assert client_for(world.facilitator).get(url).status_code == 404
        assert client_for(world.campus_leader).post(url, note_data()).status_code == 404
    note.refresh_from_db()
    assert note.title == "Exit tickets"


def test_delete_asks_first_then_deletes_with_its_shares(world, client_for, note):
    services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    coach = client_for(world.coach)
    url = reverse("coaching:note-delete", args=[note.pk])
    page = coach.get(url)
    assert page.status_code == 200
    assert "Delete this coaching note?" in page.content.decode()
    assert CoachingNote.objects.filter(pk=note.pk).exists()
    response = coach.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("coaching:note-list")
    assert not CoachingNote.objects.filter(pk=note.pk).exists()
    assert not CoachingShare.objects.filter(object_id=note.pk).exists()
    assert AuditEntry.objects.filter(action="coaching_note.delete", actor=world.coach).exists()
    assert client_for(world.campus_leader).get(reverse("coaching:note-detail", args=[note.pk])).status_code == 404


def test_share_needs_a_leader_of_the_teachers_campus(world, client_for, note):
    teacher = client_for(world.teacher)
    url = reverse("coaching:note-share", args=[note.pk])
    other_leader = PersonFactory(full_name="Oak Leader", district=world.district)
    MembershipFactory(person=other_leader, organization=world.campus2, role=Role.CAMPUS_LEADER)
    for data in ({}, {"shared_with": other_leader.pk}, {"shared_with": "x"}):
        response = teacher.post(url, data)
        assert response.status_code == 200
        assert response.context["share_form"].errors["shared_with"]
    assert "Choose the campus leader to share this note with." in teacher.post(url, {}).content.decode()
    assert not CoachingShare.objects.exists()
    # Only the teacher shares: the coach is refused.
    assert client_for(world.coach).post(url, {"shared_with": world.campus_leader.pk}).status_code == 403
    assert teacher.get(url).status_code == 405
    assert not CoachingShare.objects.exists()


def test_sharing_twice_is_one_share_and_the_form_disappears(world, client_for, note):
    teacher = client_for(world.teacher)
    url = reverse("coaching:note-share", args=[note.pk])
    teacher.post(url, {"shared_with": world.campus_leader.pk})
    teacher.post(url, {"shared_with": world.campus_leader.pk})
    assert CoachingShare.objects.filter(revoked_at=None).count() == 1
    html = teacher.get(reverse("coaching:note-detail", args=[note.pk])).content.decode()
    assert "You share this note with every leader of your campus." in html
    listing = teacher.get(reverse("coaching:note-list")).content.decode()
    assert "Shared" in listing


def test_list_shows_each_person_their_own_notes(world, client_for, note):
    CaseloadFactory(coach=world.coach, teacher=world.teacher_other_campus)
    other = services.note_create(actor=world.coach, teacher=world.teacher_other_campus, title="Omar's goal", body="x")
    by_fac = services.note_create(actor=world.facilitator, teacher=world.teacher, title="Regional cohort", body="y")

    teacher_page = client_for(world.teacher).get(reverse("coaching:note-list")).content.decode()
    assert "Exit tickets" in teacher_page and "Regional cohort" in teacher_page
    assert "Omar&#x27;s goal" not in teacher_page
    assert "Private" in teacher_page

    coach_page = client_for(world.coach).get(reverse("coaching:note-list")).content.decode()
    assert "Exit tickets" in coach_page and "Omar&#x27;s goal" in coach_page
    assert "Regional cohort" not in coach_page  # the facilitator's note is the facilitator's
    assert "Private" not in coach_page  # whether a teacher shares is the teacher's business

    filtered = client_for(world.coach).get(reverse("coaching:note-list"), {"teacher": world.teacher_other_campus.pk})
    html = filtered.content.decode()
    assert "Omar&#x27;s goal" in html and "Exit tickets" not in html
    assert reverse("coaching:note-create", args=[world.teacher_other_campus.pk]) in html

    # A teacher who is not on the caseload is not a valid filter, and shows nothing.
    stranger = client_for(world.coach).get(reverse("coaching:note-list"), {"teacher": world.teacher_b.pk})
    assert stranger.status_code == 200
    assert "Choose a teacher on your caseload." in stranger.content.decode()
    assert "Exit tickets" not in stranger.content.decode()
    assert by_fac.pk and other.pk


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("teacher", "No coaching conversations are recorded for you yet."),
        ("coach", "You have not recorded a conversation yet."),
        ("campus_leader", "No teacher has shared a coaching note with you."),
    ],
)
def test_empty_lists_say_what_happens_next(world, client_for, persona, expected):
    response = client_for(getattr(world, persona)).get(reverse("coaching:note-list"))
    assert response.status_code == 200
    assert expected in response.content.decode()


def _many_notes(world, n, start=0):
    created = CoachingNote.objects.bulk_create(
        CoachingNote(
            district=world.district,
            coach=world.coach,
            teacher=world.teacher,
            title=f"Conversation {i}",
            body="Notes.",
            met_on=timezone.localdate() - datetime.timedelta(days=i),
        )
        for i in range(start, start + n)
    )
    # Every third note is shared, so the per-row "shared" flag and the leader's list are exercised.
    for note in created[::3]:
        services.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)


@pytest.mark.parametrize("persona", ["coach", "teacher", "campus_leader"])
def test_list_runs_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, persona):
    client = client_for(getattr(world, persona))
    url = reverse("coaching:note-list")
    _many_notes(world, 3)
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    _many_notes(world, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    # Ten times the rows, the same queries: the leader sees the shared third of them.
    assert response.context["page_obj"].paginator.count == (10 if persona == "campus_leader" else 30)


def test_list_paginates_at_25(world, client_for):
    _many_notes(world, 30)
    client = client_for(world.coach)
    first = client.get(reverse("coaching:note-list")).content.decode()
    assert "Conversation 0<" in first and "Conversation 29<" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("coaching:note-list"), {"page": 2}).content.decode()
    assert "Conversation 29<" in second and "Conversation 0<" not in second
    # A bad page number shows the first page rather than failing.
    assert client.get(reverse("coaching:note-list"), {"page": "x"}).status_code == 200


def test_roles_without_coaching_notes_are_refused_the_list(world, client_for):
    for persona in ("district_admin", "sc_admin", "other_admin"):
        page = client_for(getattr(world, persona)).get(reverse("coaching:note-list"))
        assert page.status_code == 403
