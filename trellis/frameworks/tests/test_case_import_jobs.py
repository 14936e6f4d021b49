"""CASE import jobs: the background check, and clearing imports left unfinished."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from trellis.frameworks.models import CaseImportJob
from trellis.frameworks.services import case_import_job_create
from trellis.frameworks.tasks import check_case_import
from trellis.frameworks.tests.authz import make_package

pytestmark = pytest.mark.django_db


def new_job(world, key, *, actor=None, run=True, age_hours=0, district=None):
    job = case_import_job_create(
        actor=actor or world.district_admin,
        district=district or world.district,
        kind="other",
        source=f"{key}.json",
        raw=json.dumps(make_package(key)).encode(),
    )
    if run:
        check_case_import.call(job.pk)
    if age_hours:
        CaseImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=age_hours))
    job.refresh_from_db()
    return job


def test_the_check_keeps_the_report_and_runs_once(world):
    job = new_job(world, "report", run=False)
    assert job.status == "pending" and default_storage.exists(job.stored_file)
    check_case_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == "ready" and job.report["title"] == "Generated Framework" and job.report["errors"] == []
    check_case_import.call(job.pk)  # a second run of the same job does nothing
    job.refresh_from_db()
    assert job.status == "ready"


def test_a_job_cancelled_before_its_check_is_not_checked(world):
    job = new_job(world, "early", run=False)
    CaseImportJob.objects.filter(pk=job.pk).update(status="cancelled")
    check_case_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.report == {}


def test_clear_stale_case_imports(world, django_capture_on_commit_callbacks):
    stale_ready = new_job(world, "stale-ready", age_hours=30)
    stale_pending = new_job(
        world, "stale-pending", run=False, actor=world.other_admin, district=world.district_b, age_hours=30
    )
    fresh = new_job(world, "fresh", actor=world.district_admin, district=world.district_b)
    done = new_job(world, "done", actor=world.other_admin, age_hours=30)
    CaseImportJob.objects.filter(pk=done.pk).update(status="imported", stored_file="")
    paths = [stale_ready.stored_file, stale_pending.stored_file]
    assert all(default_storage.exists(p) for p in paths)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("clear_stale_case_imports", stdout=out)
    assert "Cancelled 2 stale CASE import(s)." in out.getvalue()
    assert not any(default_storage.exists(p) for p in paths)
    statuses = dict(CaseImportJob.objects.values_list("pk", "status"))
    assert statuses[stale_ready.pk] == statuses[stale_pending.pk] == "cancelled"
    assert statuses[fresh.pk] == "ready" and statuses[done.pk] == "imported"
    assert default_storage.exists(fresh.stored_file)

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("clear_stale_case_imports", "--hours", "0", stdout=out)
    assert "Cancelled 1 stale CASE import(s)." in out.getvalue()
    assert not default_storage.exists(fresh.stored_file)
    with pytest.raises(CommandError):
        call_command("clear_stale_case_imports", "--hours", "-1")
