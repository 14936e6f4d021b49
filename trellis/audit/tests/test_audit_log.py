"""The audit log is append-only, for the model and for the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from trellis.audit.models import AuditEntry
from trellis.audit.services import audit_read, audit_record, snapshot
from trellis.lib.rules import rule_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return audit_record(actor=world.district_admin, action="test.write", obj=world.campus, after={"name": "Maple"})


def test_record_fields(world, entry):
    assert entry.actor_label == "admin@a.example.org"
    assert entry.object_type == "orgs.organization" and entry.object_id == str(world.campus.pk)
    assert entry.district_id == world.district.pk and not entry.is_read


def test_read_is_recorded(world):
    e = audit_read(actor=world.teacher, obj=world.teacher)
    assert e.is_read and e.action == "read" and e.district_id == world.district.pk


def test_model_refuses_change_and_delete(entry):
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_database_refuses_update_and_delete(entry):
    for sql in ("UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.write"


def test_queryset_update_is_refused_too(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")


def test_only_the_districts_admins_read_it(world, entry):
    rule = rule_for(AuditEntry)
    assert rule.can_view(world.district_admin, entry)
    for name in ("other_admin", "teacher", "coach", "campus_leader", "facilitator", "sc_admin"):
        assert not rule.can_view(getattr(world, name), entry), name
    assert not rule.can_change(world.district_admin, entry)


def test_snapshot_is_json_safe_and_never_holds_passwords(world):
    data = snapshot(world.teacher)
    assert "password" not in data
    assert isinstance(data["date_joined"], str)
