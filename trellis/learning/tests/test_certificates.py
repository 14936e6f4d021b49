"""Certificates of completion: issued from attendance, credit by the participant's district's rule,
frozen at issue time, rendered as a landscape PDF with a verification URL, verified by anyone, revocable."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.documents import certificate_pdf, verify_url
from trellis.learning.selectors import certificate_by_code
from trellis.learning.tests.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, sc_cohort, session):
    """Two held sessions of the cohort (3 h each): ``teacher`` attended both, ``teacher_b`` one, ``coach`` both
    but left the second one 2 hours early. The clock then stands after the second session."""
    second = make_session(sc_cohort, world.sc_admin, days=14, capacity=10, title="Day 2")
    s.policy_update(actor=world.sc_admin, organization=world.service_center, sponsor_number="CPE-500217")
    s.policy_update(
        actor=world.district_admin,
        organization=world.district,
        ceu_enabled=True,
        credit_label="CPE hours",
        hour_step=Decimal("0.5"),
    )
    regs = {}
    for day in (session, second):
        for person in (world.teacher, world.teacher_b, world.coach):
            regs[(person.pk, day.pk)] = s.registration_create(actor=person, session=day)
    with time_machine.travel(session.starts_at, tick=False):
        for person in (world.teacher, world.teacher_b, world.coach):
            s.attendance_mark(actor=world.facilitator, registration=regs[(person.pk, session.pk)])
    with time_machine.travel(second.starts_at, tick=False):
        for person in (world.teacher, world.coach):
            s.attendance_mark(actor=world.facilitator, registration=regs[(person.pk, second.pk)])
        s.attendance_adjust(
            actor=world.facilitator,
            registration=regs[(world.coach.pk, second.pk)],
            left_at=second.ends_at - datetime.timedelta(hours=2),
        )
    traveller = time_machine.travel(second.ends_at + datetime.timedelta(days=1), tick=False)
    traveller.start()
    yield sc_cohort
    traveller.stop()


def test_issue_snapshots_the_credit_by_the_participants_district(world, held, session):
    certificate = s.certificate_issue(actor=world.facilitator, cohort=held, participant=world.teacher)
    assert certificate.participant_name == "Ana Teacher"
    assert (
        certificate.program_title == "Year-long literacy cohort"
        and certificate.provider_name == world.service_center.name
    )
    assert (certificate.minutes, certificate.sessions_attended) == (360, 2)
    assert certificate.clock_hours == Decimal("6.00") and certificate.ceus == Decimal("0.6")
    assert certificate.credit_label == "CPE hours" and certificate.sponsor_number == "CPE-500217"
    assert certificate.first_day == session.local_start.date()
    assert certificate.last_day == session.local_start.date() + datetime.timedelta(days=7)
    assert len(certificate.code) >= 22 and certificate.district_id == world.district.pk
    # A later change of name or rule does not alter what was issued.
    world.teacher.full_name = "Ana Renamed"
    world.teacher.save()
    s.policy_update(actor=world.district_admin, organization=world.district, ceu_enabled=False)
    certificate.refresh_from_db()
    assert certificate.participant_name == "Ana Teacher" and certificate.ceus == Decimal("0.6")


def test_district_b_gets_its_own_rule(world, held):
    # teacher_b attended one of two sessions (50 %); the program needs 80 %.
    with pytest.raises(ValidationError) as exc:
        s.certificate_issue(actor=world.facilitator, cohort=held, participant=world.teacher_b)
    assert "attended 180 of 360 minutes; the certificate needs 288" in exc.value.message_dict["participant"][0]
    program = held.program
    s.program_update(actor=world.sc_admin, program=program, completion_percent=50)
    held.program.refresh_from_db()
    certificate = s.certificate_issue(actor=world.sc_admin, cohort=held, participant=world.teacher_b)
    assert certificate.clock_hours == Decimal("3.00") and certificate.ceus is None  # district B: defaults
    assert certificate.credit_label == "clock hours"


def test_issue_all_once_and_only_to_those_who_completed(world, held):
    issued = s.certificate_issue_all(actor=world.facilitator, cohort=held)
    # The coach: 180 + 60 = 240 of 360 minutes, under 80 %.
    assert [c.participant for c in issued] == [world.teacher]
    assert s.certificate_issue_all(actor=world.facilitator, cohort=held) == []
    with pytest.raises(ValidationError, match="already has a certificate"):
        s.certificate_issue(actor=world.facilitator, cohort=held, participant=world.teacher)
    with pytest.raises(PermissionDenied):
        s.certificate_issue_all(actor=world.facilitator_no_grant, cohort=held)


def test_nothing_to_certify_before_a_session_took_place(world, sc_cohort, session):
    with pytest.raises(ValidationError, match="None of this cohort's sessions has taken place"):
        s.certificate_issue(actor=world.sc_admin, cohort=sc_cohort, participant=world.teacher)


def _text(pdf: bytes) -> tuple[str, object]:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text(), reader.pages[0]


def test_the_pdf_says_what_was_issued_and_where_to_check_it(world, held):
    certificate = s.certificate_issue(actor=world.facilitator, cohort=held, participant=world.teacher)
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    text, page = _text(pdf)
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    for expected in (
        "Certificate of completion",
        "Ana Teacher",
        "Year-long literacy cohort",
        "Cohort 1 (fall)",
        world.service_center.name.upper(),  # set in capitals by the stylesheet
        "CPE hours",
        "6.00",
        "0.6",
        "360",
        "CPE-500217",
    ):
        assert expected in text, expected
    url = verify_url(certificate)
    assert url == f"http://127.0.0.1:8000/learning/verify/{certificate.code}/"
    assert url in "".join(text.split())  # the URL may wrap across lines
    # The QR code is drawn as vector paths: hundreds of line segments in the page's content.
    assert page.get_contents().get_data().count(b" l\n") > 500


def test_anyone_verifies_a_certificate_and_sees_a_revocation(world, held, client_for):
    certificate = s.certificate_issue(actor=world.facilitator, cohort=held, participant=world.teacher)
    url = reverse("learning:verify", args=[certificate.code])
    anonymous = client_for(None)
    page = anonymous.get(url)
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex, nofollow"
    body = page.content.decode()
    assert "Valid: this certificate is genuine." in body and "Ana Teacher" in body and "6.00" in body
    assert anonymous.get(reverse("learning:verify", args=["not-a-real-code"])).status_code == 404
    assert anonymous.post(url).status_code == 405

    with pytest.raises(PermissionDenied):
        s.certificate_revoke(actor=world.facilitator, certificate=certificate, reason="Mistake")
    with pytest.raises(ValidationError) as exc:
        s.certificate_revoke(actor=world.sc_admin, certificate=certificate, reason=" ")
    assert "reason" in exc.value.message_dict
    s.certificate_revoke(actor=world.sc_admin, certificate=certificate, reason="Attendance entered in error")
    body = anonymous.get(url).content.decode()
    assert "Revoked: this certificate is no longer valid." in body and "Attendance entered in error" in body
    assert "Valid: this certificate is genuine." not in body
    assert "This certificate has been revoked." in _text(certificate_pdf(certificate_by_code(certificate.code)))[0]
    with pytest.raises(ValidationError, match="already revoked"):
        s.certificate_revoke(actor=world.sc_admin, certificate=certificate, reason="Again")
    # A new certificate may be issued after a revocation, with a new code.
    again = s.certificate_issue(actor=world.sc_admin, cohort=held, participant=world.teacher)
    assert again.code != certificate.code
    assert m.Certificate.objects.filter(participant=world.teacher, revoked_at__isnull=True).count() == 1
