"""Certificate PDFs and QR codes.

The PDF is rendered from the certificate's snapshot (what was true at issue time), so
the same certificate always renders the same text. It carries the public verification
URL, also as a QR code, so anyone holding a printout can confirm it is genuine.
"""

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse

from trellis.learning import models as m
from trellis.learning.notify import absolute_url, page_url


def verify_url(certificate: m.Certificate) -> str:
    """The public address that confirms a certificate (``learning:verify``)."""
    return settings.SITE_URL.rstrip("/") + reverse("learning:verify", args=[certificate.code])


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI, for <img src> on a page or in a PDF (no network, no files)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def certificate_context(certificate: m.Certificate) -> dict:
    url = verify_url(certificate)
    return {"certificate": certificate, "verify_url": url, "qr": qr_svg_data_uri(url)}


def certificate_pdf(certificate: m.Certificate) -> bytes:
    """The certificate as a one-page landscape PDF."""
    from trellis.lib.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

    return render_pdf("learning/certificate_pdf.html", certificate_context(certificate))


def certificate_filename(certificate: m.Certificate) -> str:
    return f"certificate-{certificate.code[:8]}.pdf"


def checkin_url(session: m.Session) -> str:
    """The address the QR code on the facilitator's check-in screen holds: the check-in page with the
    session's code. Empty while check-in is closed (or until the check-in page exists)."""
    if not session.checkin_code:
        return ""
    path = page_url("checkin", session.checkin_code)
    return absolute_url(path) if path else ""
