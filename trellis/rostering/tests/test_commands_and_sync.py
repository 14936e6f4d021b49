"""``import_oneroster`` and the scheduled sync (``sync_oneroster``)."""

import datetime
import json
import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.samples import sample_path
from trellis.rostering import models as m
from trellis.rostering.sync import expire_uploads, sync_all, sync_lock
from trellis.rostering.tests.packages import basic_files, teachers, write_package, zip_package

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_import_command_json(world, capsys):
    call_command(
        "import_oneroster", str(sample_path("oneroster-1.1-edfi-lms-toolkit")), district="cedar-valley", json=True
    )
    report = json.loads(capsys.readouterr().out)
    assert {"version", "mode", "orgs", "people", "warnings", "errors"} <= set(report)
    assert report["version"] == "1.1" and report["mode"] == "bulk"
    assert report["orgs"]["created"] == 1
    assert set(report["people"]) >= {"created", "updated", "linked", "deactivated", "unchanged"}
    assert report["people"]["created"] == 2
    record = m.RosterImport.objects.get()
    assert record.source == m.ImportSource.COMMAND and len(record.fingerprint) == 64


def test_import_command_dry_run_and_text_output(world, capsys):
    call_command(
        "import_oneroster",
        str(sample_path("oneroster-1.1-edfi-lms-toolkit")),
        district=str(world.district.pk),
        dry_run=True,
    )
    out = capsys.readouterr().out
    assert "warning: users.csv, row 10:" in out and "Dry run: nothing was written." in out
    assert not User.objects.filter(sourced_id="207270").exists()


def test_import_command_fails_on_errors_with_the_report(world, capsys):
    with pytest.raises(CommandError) as exc:
        call_command(
            "import_oneroster", str(sample_path("oneroster-1.0-edfi-lms-toolkit")), district="cedar-valley", json=True
        )
    assert exc.value.returncode == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"][0]["code"] == "oneroster_1_0"


def test_import_command_unknown_district_and_path(world, tmp_path):
    with pytest.raises(CommandError, match="No district"):
        call_command("import_oneroster", str(tmp_path), district="nowhere")
    with pytest.raises(CommandError, match="no file or folder"):
        call_command("import_oneroster", str(tmp_path / "missing.zip"), district="cedar-valley")


def test_import_command_options(world, tmp_path, capsys):
    path = write_package(tmp_path / "p", basic_files(*teachers(10)))
    call_command("import_oneroster", str(path), district="cedar-valley")
    smaller = write_package(tmp_path / "q", basic_files(*teachers(6)))
    with pytest.raises(CommandError):
        call_command("import_oneroster", str(smaller), district="cedar-valley")
    capsys.readouterr()
    call_command("import_oneroster", str(smaller), district="cedar-valley", confirm_deactivation=True, json=True)
    assert json.loads(capsys.readouterr().out)["people"]["deactivated"] == 4
    assert User.objects.filter(sourced_id__startswith="t", is_active=False).count() == 4


@pytest.fixture
def drop(settings, tmp_path, world):
    settings.ROSTER_SYNC_ROOT = tmp_path / "drop"
    settings.ROSTER_SYNC_SETTLE_SECONDS = 60
    schedule = m.SyncSchedule.objects.create(district=world.district, folder="cedar", enabled=True)
    return schedule, tmp_path / "drop" / "cedar"


def _age(path, seconds=600):
    past = time.time() - seconds
    os.utime(path, (past, past))
    if path.is_dir():
        for child in path.iterdir():
            os.utime(child, (past, past))


def test_sync_imports_each_new_package_once(world, drop):
    schedule, folder = drop
    [first] = sync_all()
    assert folder.is_dir() and "waiting for files" in first["status"]
    package = zip_package(folder / "monday.zip", basic_files(*teachers(3)))
    _age(package)
    [result] = sync_all()
    assert [i["status"] for i in result["imported"]] == [m.ImportStatus.IMPORTED]
    assert User.objects.filter(sourced_id__startswith="t").count() == 3
    schedule.refresh_from_db()
    assert schedule.last_import.source == m.ImportSource.SCHEDULE and "Imported 1" in schedule.last_status
    # The same package again, even renamed: not imported twice.
    package.rename(folder / "monday-copy.zip")
    [result] = sync_all()
    assert result["imported"] == [] and m.RosterImport.objects.count() == 1
    # A folder package that is still being written waits for the next run.
    fresh = write_package(folder / "tuesday", basic_files(*teachers(4)))
    [result] = sync_all()
    assert result["skipped"] == [{"file": "tuesday", "why": "still changing"}]
    _age(fresh)
    [result] = sync_all()
    assert [i["file"] for i in result["imported"]] == ["tuesday"]
    assert User.objects.filter(sourced_id__startswith="t").count() == 4


def test_sync_stops_at_a_refused_package_and_never_retries_it(world, drop):
    schedule, folder = drop
    folder.mkdir(parents=True)
    bad = basic_files(*teachers(2))
    bad["users.csv"] = bad["users.csv"].replace("true", "maybe")
    _age(zip_package(folder / "a-bad.zip", bad), 900)
    _age(zip_package(folder / "b-good.zip", basic_files(*teachers(2))), 600)
    [result] = sync_all()
    assert [i["file"] for i in result["imported"]] == ["a-bad.zip"]
    assert "later files wait" in result["status"]
    [result] = sync_all()
    assert [i["file"] for i in result["imported"]] == ["b-good.zip"]
    assert m.RosterImport.objects.filter(status=m.ImportStatus.REFUSED).count() == 1


def test_sync_never_confirms_a_mass_deactivation(world, drop):
    schedule, folder = drop
    folder.mkdir(parents=True)
    _age(zip_package(folder / "a.zip", basic_files(*teachers(10))), 900)
    _age(zip_package(folder / "b.zip", basic_files(*teachers(2))), 600)
    sync_all()
    assert User.objects.filter(sourced_id__startswith="t", is_active=True).count() == 10
    assert m.RosterImport.objects.filter(filename="b.zip", status=m.ImportStatus.REFUSED).exists()


def test_sync_command_and_lock(world, drop, capsys):
    schedule, folder = drop
    call_command("sync_oneroster")
    assert "cedar-valley (cedar)" in capsys.readouterr().out
    with sync_lock() as acquired:
        assert acquired
        call_command("sync_oneroster")
        assert "still running" in capsys.readouterr().err


def test_disabled_schedules_are_left_alone(world, drop):
    schedule, folder = drop
    schedule.enabled = False
    schedule.save()
    assert sync_all() == []


def test_stale_uploads_expire(world, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = default_storage.save("roster-imports/old.zip", ContentFile(b"PK"))
    record = m.RosterImport.objects.create(
        district=world.district, source="upload", status=m.ImportStatus.CHECKED, stored_file=stored
    )
    m.RosterImport.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert expire_uploads() == 1
    record.refresh_from_db()
    assert record.status == m.ImportStatus.EXPIRED and record.stored_file == ""
