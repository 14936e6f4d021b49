"""The Django admin: platform operators (superusers) only; history stays read-only; coaching content stays out."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from trellis.audit.models import AuditEntry
from trellis.audit.services import audit_record
from trellis.coaching import services as coaching
from trellis.orgs.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("ops@trellis.example.org", TEST_PASSWORD, full_name="Olive Operator")


@pytest.fixture
def entry(world):
    return audit_record(actor=world.district_admin, action="campus.update", obj=world.campus, after={"name": "Maple"})


def test_non_superuser_is_sent_to_the_admin_login_and_refused(world, client_for):
    client = client_for(world.district_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # The admin's sign-in goes through allauth; a signed-in non-operator is refused there.
    assert client.get(response["Location"]).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 302


def test_anonymous_admin_login_goes_through_allauth(db):
    client = Client()
    response = client.get(reverse("admin:login"), {"next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # The admin's own password form is never offered, so allauth's rate limits and MFA apply.
    cache.clear()
    response = client.post(reverse("admin:login"), {"username": "ops@trellis.example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not response.wsgi_request.user.is_authenticated


def test_superuser_sees_the_index(operator, client_for):
    response = client_for(operator).get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for label in ["Audit entries", "Coaching notes", "People", "Organizations", "Caseload assignments"]:
        assert label in page, label


@pytest.mark.parametrize(
    "name",
    [
        "admin:accounts_user_changelist",
        "admin:orgs_organization_changelist",
        "admin:orgs_membership_changelist",
        "admin:orgs_caseloadassignment_changelist",
        "admin:orgs_accessgrant_changelist",
        "admin:coaching_coachingnote_changelist",
        "admin:coaching_coachingshare_changelist",
        "admin:audit_auditentry_changelist",
    ],
)
def test_every_list_opens_and_searches(world, operator, client_for, name):
    client = client_for(operator)
    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse(name), {"q": "Ana"}).status_code == 200


def test_audit_entry_cannot_be_added_changed_or_deleted(world, operator, client_for, entry):
    client = client_for(operator)
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "campus.update" in html
    assert 'name="_save"' not in html and "Delete" not in html
    response = client.post(change_url, {"action": "tampered", "actor_label": "someone@else", "_save": "Save"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.action, entry.actor_label) == ("campus.update", world.district_admin.email)
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    # No bulk "delete selected" either.
    changelist = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "delete_selected" not in changelist


def test_history_rows_are_read_only(world, operator, client_for):
    client = client_for(operator)
    membership = world.teacher.memberships.get()
    url = reverse("admin:orgs_membership_change", args=[membership.pk])
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.post(url, {"role": "district_admin", "_save": "Save"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == "teacher"
    grant_url = reverse("admin:orgs_accessgrant_delete", args=[world.grant.pk])
    assert client.post(grant_url, {"post": "yes"}).status_code == 403


def test_coaching_content_stays_out_of_the_admin(world, operator, client_for):
    note = coaching.note_create(
        actor=world.coach, teacher=world.teacher, title="Private focus", body="Talked about a hard week."
    )
    client = client_for(operator)
    page = client.get(reverse("admin:coaching_coachingnote_changelist"))
    assert page.status_code == 200
    assert world.teacher.email in page.content.decode() or world.teacher.full_name in page.content.decode()
    assert "Private focus" not in page.content.decode()
    # No detail page: the admin would title it with the note's title.
    assert client.get(reverse("admin:coaching_coachingnote_change", args=[note.pk])).status_code == 404
    assert client.get(reverse("admin:coaching_coachingnote_history", args=[note.pk])).status_code == 404
    assert client.get(reverse("admin:coaching_coachingnote_add")).status_code == 403
    # The audit entries about the note show that it was written, not its title or text.
    entry = AuditEntry.objects.get(action="coaching_note.create")
    for url in [
        reverse("admin:audit_auditentry_changelist"),
        reverse("admin:audit_auditentry_change", args=[entry.pk]),
        reverse("admin:audit_auditentry_changelist") + "?q=Private",
    ]:
        html = client.get(url).content.decode()
        assert "Private focus" not in html and "hard week" not in html, url
    detail = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
    assert "coaching_note.create" in detail and "body" in detail
    # The log itself never held the title or the text: only which fields were written.
    assert entry.object_repr == f"coaching note #{note.pk}"
    assert entry.after == {"changed": ["body", "met_on", "next_steps", "title"]}


def test_operator_corrects_a_person_but_cannot_add_or_delete(world, operator, client_for):
    client = client_for(operator)
    url = reverse("admin:accounts_user_change", args=[world.teacher.pk])
    page = client.get(url).content.decode()
    assert world.teacher.email in page and 'name="password"' not in page
    data = {
        "email": world.teacher.email,
        "full_name": "Ana Corrected",
        "preferred_name": "",
        "employee_group": "teacher",
        "is_active": "on",
        "_save": "Save",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.full_name == "Ana Corrected"
    assert world.teacher.check_password(TEST_PASSWORD)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_user_delete", args=[world.teacher.pk]), {"post": "yes"}).status_code == 403
    )
    assert User.objects.filter(pk=world.teacher.pk).exists()
