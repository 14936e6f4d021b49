"""The site navigation: which links a person sees, and which one is the current page.

Built in Python rather than in the template: it is on every page, and a dozen template
conditions and URL reversals per link cost more than the rest of a small page.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from trellis.orgs.roles import roles_of

# Learning pages that belong under Programs or Approvals rather than the catalogue.
_PROGRAM_PREFIXES = ("program-", "cohort-")
_APPROVAL_PAGES = {"approvals", "registration-decline", "people-registrations", "transcript", "policy"}


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    shown: Callable  # (roles, user) -> bool
    current: Callable  # (namespace, url_name) -> bool
    badge: bool = False  # carries the unread-notice count


def _in_catalogue(ns: str, name: str) -> bool:
    return (
        ns == "learning"
        and not name.startswith(_PROGRAM_PREFIXES)
        and name != "question-bank"
        and name not in _APPROVAL_PAGES
    )


def _coaching_notes(ns: str, name: str) -> bool:
    return ns == "coaching" and (name.startswith("note-") or name == "share-revoke")


LINKS = (
    Link(_("Home"), "home", lambda r, u: True, lambda ns, name: name == "home"),
    Link(
        _("Observations"),
        "observations:list",
        lambda r, u: r.is_teacher or r.is_coach or r.is_facilitator or r.is_campus_leader or r.is_district_admin,
        lambda ns, name: ns == "observations" and name not in ("checkins", "notices"),
    ),
    Link(
        _("Check-ins"),
        "observations:checkins",
        lambda r, u: r.is_coach or r.is_facilitator,
        lambda ns, name: name == "checkins",
    ),
    Link(
        _("Caseload"),
        "coaching:caseload",
        lambda r, u: r.is_coach or r.is_facilitator,
        lambda ns, name: ns == "coaching" and name == "caseload",
    ),
    Link(
        _("My growth"),
        "coaching:my-growth",
        lambda r, u: r.is_teacher,
        lambda ns, name: ns == "coaching" and name == "my-growth",
    ),
    Link(
        _("Coaching"),
        "coaching:relationship-list",
        lambda r, u: r.is_teacher or r.is_coach or r.is_facilitator,
        lambda ns, name: ns == "coaching" and name not in ("caseload", "my-growth") and not _coaching_notes(ns, name),
    ),
    Link(
        _("Coaching notes"),
        "coaching:note-list",
        lambda r, u: r.is_teacher or r.is_coach or r.is_facilitator or r.is_campus_leader,
        _coaching_notes,
    ),
    Link(_("Learning"), "learning:catalogue", lambda r, u: bool(u.district_id or u.service_center_id), _in_catalogue),
    Link(
        _("Programs"),
        "learning:program-list",
        lambda r, u: r.is_service_center_admin or r.is_district_admin,
        lambda ns, name: ns == "learning" and (name.startswith(_PROGRAM_PREFIXES) or name == "question-bank"),
    ),
    Link(
        _("Approvals"),
        "learning:approvals",
        lambda r, u: r.is_district_admin,
        lambda ns, name: ns == "learning" and name in _APPROVAL_PAGES,
    ),
    Link(_("Frameworks"), "frameworks:catalogue", lambda r, u: bool(r.names), lambda ns, name: ns == "frameworks"),
    Link(_("Campuses"), "orgs:campus-list", lambda r, u: r.is_district_admin, lambda ns, name: name == "campus-list"),
    Link(_("People"), "orgs:person-list", lambda r, u: r.is_district_admin, lambda ns, name: name == "person-list"),
    Link(
        _("Caseloads"), "orgs:caseload-list", lambda r, u: r.is_district_admin, lambda ns, name: name == "caseload-list"
    ),
    Link(
        _("Service centers"), "orgs:grant-list", lambda r, u: r.is_district_admin, lambda ns, name: name == "grant-list"
    ),
    Link(_("Rostering"), "rostering:import-list", lambda r, u: r.is_district_admin, lambda ns, name: ns == "rostering"),
    Link(_("Audit log"), "audit:log", lambda r, u: r.is_district_admin, lambda ns, name: ns == "audit"),
    Link(
        _("Settings"),
        "orgs:district-settings",
        lambda r, u: r.is_district_admin,
        lambda ns, name: name == "district-settings",
    ),
    Link(_("Notices"), "observations:notices", lambda r, u: True, lambda ns, name: name == "notices", badge=True),
    Link(_("My account"), "accounts:profile", lambda r, u: True, lambda ns, name: ns == "accounts"),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool
    badge: bool


@functools.lru_cache(maxsize=256)
def _url(name: str, prefix: str) -> str:
    # The links take no arguments: the same path for every request under the same script prefix.
    return reverse(name)


def nav_items(request) -> list[NavItem]:
    user = request.user
    roles = roles_of(user)
    match = request.resolver_match
    ns, name = (match.namespace, match.url_name or "") if match else ("", "")
    prefix = get_script_prefix()
    return [
        NavItem(str(link.label), _url(link.url_name, prefix), link.current(ns, name), link.badge)
        for link in LINKS
        if link.shown(roles, user)
    ]
