"""Fetch a CFPackage from a CASE server, with a time limit and a size limit.

Accepts a package URL (``.../ims/case/v1p0/CFPackages/{id}`` or ``v1p1``) or a
document URL (``.../CFDocuments/{id}``), which is turned into its package URL.
"""

import ipaddress
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

_DOCUMENT_URL = re.compile(r"/ims/case/(v1p0|v1p1)/CFDocuments/([^/?#]+)")


class FetchError(Exception):
    """A fetch that failed, with a message for the person who asked."""


@dataclass
class Fetched:
    url: str
    body: bytes


def package_url(url: str) -> str:
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        raise FetchError(_("Enter a web address that starts with http:// or https://."))
    return _DOCUMENT_URL.sub(r"/ims/case/\1/CFPackages/\2", url)


def _refuse_private_hosts(url: str) -> None:
    """A district admin types the address: it must not reach Trellis's own network (SSRF)."""
    if settings.CASE_FETCH_ALLOW_PRIVATE:
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(_("The server %(host)s could not be found.") % {"host": host}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(_("Trellis only fetches CASE packages from public servers."))


def fetch_package(url: str, *, timeout: float, max_bytes: int) -> Fetched:
    url = package_url(url)
    _refuse_private_hosts(url)
    headers = {"Accept": "application/json", "User-Agent": "Trellis CASE import"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http and https only, checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(_("The server sent more than %(mb)s MB.") % {"mb": round(max_bytes / 1_000_000, 1)})
            body = response.read(max_bytes + 1)
            content_type = response.headers.get("Content-Type", "")
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(_("The server answered with an error (HTTP %(code)s).") % {"code": exc.code}) from exc
    except TimeoutError as exc:
        raise FetchError(_("The server did not answer within %(s)s seconds.") % {"s": int(timeout)}) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FetchError(_("The server did not answer within %(s)s seconds.") % {"s": int(timeout)}) from exc
        raise FetchError(_("The server could not be reached: %(reason)s.") % {"reason": reason}) from exc
    if len(body) > max_bytes:
        raise FetchError(_("The server sent more than %(mb)s MB.") % {"mb": round(max_bytes / 1_000_000, 1)})
    if "html" in content_type.lower():
        raise FetchError(
            _("The address answered with a web page, not a CASE package. Check that it is a CFPackages URL.")
        )
    return Fetched(url=url, body=body)
