"""Bad input: every problem is reported with its file, row and column, and nothing is written."""

import io
import os
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model

from trellis.orgs.models import Organization
from trellis.rostering import models as m
from trellis.rostering.oneroster.parse import Options, parse_package
from trellis.rostering.services import import_options, roster_import
from trellis.rostering.tests.packages import (
    USERS_HEADER,
    basic_files,
    manifest,
    orgs_csv,
    teachers,
    user_row,
    users_csv,
    write_package,
    zip_package,
)

User = get_user_model()
pytestmark = pytest.mark.django_db


def check(world, tmp_path, files, **options):
    """Import ``files`` as a folder; assert nothing was written; return the report."""
    people, orgs = User.objects.count(), Organization.objects.count()
    path = write_package(tmp_path / "pkg", files)
    record = roster_import(
        actor=None,
        district=world.district,
        source=path,
        options=import_options(**options),
    )
    assert record.status == m.ImportStatus.REFUSED, record.report["errors"]
    assert (User.objects.count(), Organization.objects.count()) == (people, orgs)
    return record.report


def error(report, code):
    found = [e for e in report["errors"] if e["code"] == code]
    assert found, report["errors"]
    return found[0]


def test_sds_export_is_explained(world, tmp_path):
    files = {
        "users.csv": "sourcedId,username,givenName,familyName,password,activeDirectoryMatchId,email\n1,a,A,B,,x,a@x.org\n",
        "orgs.csv": "sourcedId,name,type\n1,School,school\n",
        "relationships.csv": "userSourcedId,relationshipUserSourcedId,relationshipRole\n",
    }
    e = error(check(world, tmp_path, files), "sds_format")
    assert "School Data Sync" in e["message"] and "not OneRoster" in e["message"]
    assert "activeDirectoryMatchId" in e["message"]


def test_missing_manifest_without_other_clues(world, tmp_path):
    files = basic_files(*teachers(1))
    del files["manifest.csv"]
    assert "manifest.csv is missing" in error(check(world, tmp_path, files), "no_manifest")["message"]


def test_a_file_listed_in_the_manifest_but_missing(world, tmp_path):
    files = basic_files(*teachers(1))
    del files["users.csv"]
    e = error(check(world, tmp_path, files), "missing_file")
    assert e["file"] == "manifest.csv" and "users.csv" in e["message"]


def test_a_missing_column_is_named(world, tmp_path):
    header = USERS_HEADER.replace("givenName,", "")
    files = basic_files()
    files["users.csv"] = header + "\nt1,,,true,s1,teacher,t1@x.org,,Fam,,,t1@x.org,,,,,\n"
    e = error(check(world, tmp_path, files), "missing_column")
    assert (e["file"], e["row"], e["column"]) == ("users.csv", 1, "givenName")


def test_a_ragged_row_with_values_is_an_error(world, tmp_path):
    files = basic_files(*teachers(2))
    files["users.csv"] = files["users.csv"].rstrip("\n") + ",surplus\n"
    e = error(check(world, tmp_path, files), "ragged_row")
    assert (e["file"], e["row"]) == ("users.csv", 3) and "surplus" in e["message"]


def test_a_short_row_is_an_error(world, tmp_path):
    files = basic_files(*teachers(1))
    files["users.csv"] += "t9,,,true,s1,teacher\n"
    e = error(check(world, tmp_path, files), "short_row")
    assert (e["file"], e["row"]) == ("users.csv", 3)


def test_bad_dates(world, tmp_path):
    files = basic_files(*teachers(1), academicSessions="bulk")
    files["academicSessions.csv"] = (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n"
        "y1,,,2025,schoolYear,8/15/2025,2026-05-30,,2026\n"
    )
    e = error(check(world, tmp_path, files, classes=True), "bad_date")
    assert (e["file"], e["row"], e["column"]) == ("academicSessions.csv", 2, "startDate")
    assert "YYYY-MM-DD" in e["message"]


def test_bad_date_last_modified_in_delta(world, tmp_path):
    files = basic_files(user_row("t1", "A", "B", "a@x.org", status="active", modified="yesterday"), users="delta")
    e = error(check(world, tmp_path, files), "bad_date")
    assert (e["row"], e["column"]) == (2, "dateLastModified")


def test_dangling_org_reference(world, tmp_path):
    files = basic_files(user_row("t1", "A", "B", "a@x.org", orgs="nowhere"))
    e = error(check(world, tmp_path, files), "dangling_reference")
    assert (e["file"], e["row"], e["column"]) == ("users.csv", 2, "orgSourcedIds") and "nowhere" in e["message"]


def test_dangling_school_parent(world, tmp_path):
    files = basic_files(*teachers(1), schools=(("s1", "School", "", "", "", "ghost"),))
    e = error(check(world, tmp_path, files), "dangling_reference")
    assert (e["file"], e["column"]) == ("orgs.csv", "parentSourcedId")


def test_duplicate_ids_and_emails(world, tmp_path):
    rows = [*teachers(1), user_row("t0", "X", "Y", "other@x.org")]
    e = error(check(world, tmp_path, basic_files(*rows)), "duplicate_id")
    assert (e["file"], e["row"], e["column"]) == ("users.csv", 3, "sourcedId") and "row 2" in e["message"]
    rows = [user_row("a", "A", "B", "same@x.org"), user_row("b", "C", "D", "SAME@x.org")]
    e = error(check(world, tmp_path / "2", basic_files(*rows)), "duplicate_email")
    assert (e["row"], e["column"]) == (3, "email")


def test_wrong_encoding_names_the_row(world, tmp_path):
    files = basic_files(*teachers(2))
    files["users.csv"] = users_csv(*teachers(1), user_row("t9", "José", "Núñez", "jose@x.org")).encode("cp1252")
    e = error(check(world, tmp_path, files), "encoding")
    assert (e["file"], e["row"]) == ("users.csv", 3) and "UTF-8" in e["message"]


def test_utf16_is_explained(world, tmp_path):
    files = basic_files(*teachers(1))
    files["users.csv"] = files["users.csv"].encode("utf-16")
    assert "UTF-16" in error(check(world, tmp_path, files), "encoding")["message"]


def test_a_bom_is_ignored(world, tmp_path):
    files = basic_files(*teachers(1))
    files["users.csv"] = b"\xef\xbb\xbf" + files["users.csv"].encode()
    path = write_package(tmp_path / "bom", files)
    report = roster_import(actor=None, district=world.district, source=path, options=import_options()).report
    assert report["errors"] == [] and report["people"]["created"] == 1


def test_a_huge_file_is_refused_before_reading(world, tmp_path, settings):
    """A 200 MB users.csv: refused from its size; nothing of it is read."""
    path = write_package(tmp_path / "big", basic_files(*teachers(1)))
    with open(path / "users.csv", "r+b") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no time or disk spent
    started = time.monotonic()
    report = roster_import(actor=None, district=world.district, source=path, options=import_options()).report
    assert time.monotonic() - started < 5
    e = error(report, "file_too_large")
    assert e["file"] == "users.csv" and "209.7 MB" in e["message"] and "ROSTER_MAX_FILE_BYTES" in e["message"]


def test_a_file_growing_past_the_limit_stops_reading(world, tmp_path, settings):
    settings.ROSTER_MAX_FILE_BYTES = 2000
    report = check(world, tmp_path, basic_files(*teachers(40)))
    assert error(report, "file_too_large")["file"] == "users.csv"


def test_header_only_bulk_file_is_refused(world, tmp_path):
    files = basic_files()
    e = error(check(world, tmp_path, files), "header_only")
    assert e["file"] == "users.csv" and "absent" in e["message"]


def test_unknown_role_and_bad_boolean(world, tmp_path):
    files = basic_files(
        user_row("t1", "A", "B", "a@x.org", role="wizard"), user_row("t2", "C", "D", "c@x.org", enabled="yes")
    )
    report = check(world, tmp_path, files)
    assert error(report, "bad_value")["column"] in {"role", "enabledUser"}
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(2, "role"), (3, "enabledUser")}


def test_not_a_zip(world, tmp_path):
    path = tmp_path / "roster.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    record = roster_import(actor=None, district=world.district, source=path, options=import_options())
    assert record.report["errors"][0]["code"] == "not_zip"


def _patch_central_entry(path, name: str, *, flag_bits: int = 0, method: int | None = None) -> None:
    """Mark one member of a zip as encrypted, or as packed by a method zipfile cannot read."""
    data = bytearray(path.read_bytes())
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length].decode() == name:
            break
        at += 4
    data[at + 8 : at + 10] = (int.from_bytes(data[at + 8 : at + 10], "little") | flag_bits).to_bytes(2, "little")
    if method is not None:
        data[at + 10 : at + 12] = method.to_bytes(2, "little")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("patch", "reason"),
    [({"flag_bits": 0x1}, "encrypted"), ({"method": 99}, "compression")],
    ids=["encrypted member", "unknown compression method"],
)
def test_a_member_zipfile_cannot_open_is_named_and_nothing_is_written(world, tmp_path, patch, reason):
    people = User.objects.count()
    path = zip_package(tmp_path / "roster.zip", basic_files(*teachers(2)))
    _patch_central_entry(path, "users.csv", **patch)
    record = roster_import(actor=None, district=world.district, source=path, options=import_options())
    assert record.status == m.ImportStatus.REFUSED
    found = error(record.report, "unreadable")
    assert "users.csv" in found["message"] and reason in found["message"].lower()
    assert User.objects.count() == people


def test_a_single_csv_instead_of_the_zip(world, tmp_path):
    path = tmp_path / "users.zip"
    path.write_text(users_csv(*teachers(2)))
    record = roster_import(actor=None, district=world.district, source=path, options=import_options())
    assert record.report["errors"][0]["code"] == "single_csv"


def test_files_in_a_folder_inside_the_zip_are_read_with_a_warning(world, tmp_path):
    path = zip_package(tmp_path / "nested.zip", basic_files(*teachers(1)), prefix="export/")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("__MACOSX/export/._users.csv", b"\x00\x05junk")
    report = roster_import(actor=None, district=world.district, source=path, options=import_options()).report
    assert report["errors"] == [] and report["people"]["created"] == 1
    assert any(w["code"] == "nested_folder" for w in report["warnings"])


def test_a_package_for_another_district(world, tmp_path):
    world.district.sourced_id = "d-cedar"
    world.district.save()
    e = error(check(world, tmp_path, basic_files(*teachers(1))), "wrong_district")
    assert "Grand Bend ISD" in e["message"] and "d-cedar" in e["message"]


def test_a_package_with_several_districts(world, tmp_path):
    files = basic_files(*teachers(1))
    files["orgs.csv"] = orgs_csv(("s1", "School")) + "d2,,,Other ISD,district,,\n"
    assert "2 districts" in error(check(world, tmp_path, files), "several_districts")["message"]


def test_a_district_roster_id_another_district_has(world, tmp_path):
    world.district_b.sourced_id = "d1"
    world.district_b.save()
    assert "Willow Creek" in error(check(world, tmp_path, basic_files(*teachers(1))), "district_taken")["message"]


def test_version_10_manifest_and_unknown_versions(world, tmp_path):
    files = basic_files(*teachers(1))
    files["manifest.csv"] = manifest(version="1.0")
    assert "1.0" in error(check(world, tmp_path, files), "oneroster_version")["message"]
    files["manifest.csv"] = manifest(version="2.0")
    assert "2.0" in error(check(world, tmp_path / "2", files), "oneroster_version")["message"]


def test_a_csv_in_the_package_missing_from_the_manifest(world, tmp_path):
    files = basic_files(*teachers(1))
    files["manifest.csv"] = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\n"
    e = error(check(world, tmp_path, files), "unlisted_file")
    assert "file.users,bulk" in e["message"]


def test_bad_quoting_is_reported_with_its_row(world, tmp_path):
    files = basic_files(*teachers(1))
    files["users.csv"] += 't5,,,true,s1,teacher,"unterminated,,A,B,,,x@x.org,,,,,\n'
    report = check(world, tmp_path, files)
    assert report["errors"][0]["file"] == "users.csv"


def test_nul_bytes(world, tmp_path):
    files = basic_files(*teachers(1))
    files["users.csv"] = files["users.csv"].encode() + b"t7,\x00\x00,,true\n"
    assert "NUL" in error(check(world, tmp_path, files), "bad_csv")["message"]


def test_many_bad_rows_make_a_short_report_with_exact_counts(tmp_path):
    rows = [user_row(f"t{i}", "A", "B", f"t{i}@x.org", enabled="maybe") for i in range(300)]
    path = write_package(tmp_path / "many", basic_files(*rows))
    roster, report = parse_package(path, Options())
    assert report.count("error") == 300
    listed = report.as_lists()["errors"]
    assert len(listed) == 21 and listed[-1]["count"] == 280 and "280 more rows" in listed[-1]["message"]


def test_parse_from_an_open_binary_file(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in basic_files(*teachers(3)).items():
            zf.writestr(name, content)
    buffer.seek(0)
    roster, report = parse_package(buffer, Options())
    assert not report.has_errors and len(roster.users) == 3


def test_links_in_a_folder_are_not_followed(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(USERS_HEADER + "\n")
    folder = write_package(tmp_path / "pkg", basic_files(*teachers(1)))
    os.remove(folder / "orgs.csv")
    os.symlink(secret, folder / "orgs.csv")
    roster, report = parse_package(folder, Options())
    assert report.has_errors
    assert any(e.code == "missing_file" for e in report.issues["error"])
