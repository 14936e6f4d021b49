"""Generated malformed packages never raise an unhandled error and never write part of a roster."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trellis.orgs.factories import DistrictFactory
from trellis.orgs.models import Membership, Organization
from trellis.rostering import models as m
from trellis.rostering.oneroster.parse import Options, parse_package
from trellis.rostering.services import import_options, roster_import
from trellis.rostering.tests.packages import basic_files, teachers, user_row

User = get_user_model()

BASE = basic_files(
    *teachers(4),
    user_row("a1", "Ada", "Admin", "ada@x.org", role="administrator"),
    user_row("st", "Sue", "Student", "sue@x.org", role="student"),
    schools=(("s1", "North High"), ("s2", "South Middle")),
)
NASTY = ['"', ",", "\n", "\r", "\r\n", "\x00", "é", "\ufeff", ";", "\t", " ", "tobedeleted", "TRUE", "2025-13-40", "{"]


@st.composite
def mutated_text(draw, text: str) -> bytes:
    data = text
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate", "truncate", "swap_header"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "insert":
            data = data[:pos] + draw(st.sampled_from(NASTY) | st.text(max_size=8)) + data[pos:]
        elif op == "delete":
            data = data[:pos] + data[pos + draw(st.integers(1, 30)) :]
        elif op == "replace" and data:
            data = data[:pos] + draw(st.sampled_from(NASTY)) + data[pos + 1 :]
        elif op == "duplicate":
            lines = data.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            data = "\n".join(lines)
        elif op == "truncate":
            data = data[:pos]
        else:
            header, _, rest = data.partition("\n")
            cols = header.split(",")
            draw(st.randoms()).shuffle(cols)
            data = ",".join(cols[: draw(st.integers(0, len(cols)))]) + "\n" + rest
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16"]))
    return data.encode(encoding, errors="replace")


@st.composite
def packages(draw) -> dict:
    files = dict(BASE)
    target = draw(st.sampled_from(sorted(files)))
    if draw(st.booleans()):
        files[target] = draw(mutated_text(files[target]))
    else:
        files[target] = draw(st.binary(max_size=300))
    if draw(st.integers(0, 9)) == 0:
        del files[draw(st.sampled_from(sorted(files)))]
    return files


def _zip(files: dict) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    buffer.seek(0)
    return buffer


@settings(max_examples=150, deadline=None)
@given(files=packages(), strict=st.booleans())
def test_the_parser_never_raises(files, strict):
    roster, report = parse_package(_zip(files), Options(strict=strict, classes=True))
    for issue in report.issues["error"]:
        assert issue.message  # every error says something


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=packages(), strict=st.booleans())
def test_imports_are_all_or_nothing(files, strict):
    district = Organization.objects.filter(slug="fuzz-isd").first() or DistrictFactory(name="Fuzz ISD", slug="fuzz-isd")
    with transaction.atomic():
        before = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
        record = roster_import(
            actor=None, district=district, source=_zip(files), options=import_options(strict=strict, classes=True)
        )
        after = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
        if record.status == m.ImportStatus.REFUSED:
            assert after == before, record.report["errors"]
            assert record.report["errors"], "refused without an error"
        else:
            assert record.status == m.ImportStatus.IMPORTED
            assert record.report["errors"] == []
        transaction.set_rollback(True)
