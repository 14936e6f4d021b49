"""The district's audit log, for its admins: read-only, newest first.

The log shows who changed what, and who viewed coaching records. It never shows
coaching content: for records behind the coaching firewall (and any type this
page does not know) it names the fields that changed, not their values, and
not the record's title.
"""

import datetime
import zoneinfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from trellis.accounts.models import EmployeeGroup
from trellis.audit.forms import AuditFilterForm
from trellis.audit.labels import action_label
from trellis.audit.models import AuditEntry
from trellis.lib.rules import rule_for
from trellis.orgs.models import GrantScope, Organization, OrgKind, Role
from trellis.orgs.views.common import current_district, filters, listing, render_page

User = get_user_model()

PAGE_SIZE = 50

# Types whose field values an admin may read in the log. Anything else (coaching
# records first of all) shows field names only: safe by default for new apps.
READABLE_TYPES = {
    "accounts.user",
    "orgs.organization",
    "orgs.membership",
    "orgs.caseloadassignment",
    "orgs.accessgrant",
}

FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "slug": gettext_lazy("Short name"),
    "code": gettext_lazy("Code"),
    "timezone": gettext_lazy("Time zone"),
    "require_admin_mfa": gettext_lazy("Two-factor authentication required for admins"),
    "is_active": gettext_lazy("Active"),
    "email": gettext_lazy("Email"),
    "full_name": gettext_lazy("Full name"),
    "preferred_name": gettext_lazy("Preferred name"),
    "employee_group": gettext_lazy("Employee group"),
    "person": gettext_lazy("Person"),
    "organization": gettext_lazy("Where"),
    "role": gettext_lazy("Role"),
    "valid_from": gettext_lazy("From"),
    "valid_to": gettext_lazy("Until"),
    "coach": gettext_lazy("Coach"),
    "teacher": gettext_lazy("Teacher"),
    "service_center": gettext_lazy("Service center"),
    "district": gettext_lazy("District"),
    "parent": gettext_lazy("Part of"),
    "scope": gettext_lazy("Covers"),
    "campuses": gettext_lazy("Campuses"),
    "purpose": gettext_lazy("Purpose"),
    "revoked_at": gettext_lazy("Revoked"),
    "met_on": gettext_lazy("Date of the conversation"),
    "title": gettext_lazy("Title"),
    "body": gettext_lazy("Notes"),
    "next_steps": gettext_lazy("Next steps"),
}

PERSON_KEYS = {"person", "coach", "teacher", "granted_by", "revoked_by", "shared_with"}
ORG_KEYS = {"organization", "service_center", "district", "parent"}
CHOICE_LABELS = {"role": Role, "employee_group": EmployeeGroup, "scope": GrantScope}


@login_required
@require_GET
def log(request):
    district = current_district(request)
    entries = rule_for(AuditEntry).visible(request.user, AuditEntry.objects.filter(district=district))
    form = AuditFilterForm(request.GET, entries=entries)
    wanted = filters(form)
    zone = _zone(district.timezone)
    if wanted.get("person"):
        entries = entries.filter(actor=wanted["person"])
    # Dates are the district's calendar days, whatever the server's time zone.
    if wanted.get("date_from"):
        entries = entries.filter(at__gte=datetime.datetime.combine(wanted["date_from"], datetime.time.min, zone))
    if wanted.get("date_to"):
        day_after = wanted["date_to"] + datetime.timedelta(days=1)
        entries = entries.filter(at__lt=datetime.datetime.combine(day_after, datetime.time.min, zone))
    if wanted.get("kind") == "changes":
        entries = entries.filter(is_read=False)
    elif wanted.get("kind") == "views":
        entries = entries.filter(is_read=True)
    context = listing(request, entries.select_related("actor").order_by("-at", "-pk"), per_page=PAGE_SIZE)
    context.update(
        {
            "form": form,
            "rows": describe(list(context["page_obj"]), district),
            "zone": zone,
            "filtered": any(wanted.get(k) for k in ("person", "date_from", "date_to", "kind")),
        }
    )
    return render_page(request, district, "audit/log.html", context)


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        # A district row with a bad zone should not take the log down; show server time instead.
        return datetime.UTC


def describe(entries, district) -> list[dict]:
    """Readable rows for a page of entries, with the names of the people and places they mention.

    Two queries at most (people, organizations) for the whole page.
    """
    person_ids, org_ids = set(), set()
    for entry in entries:
        if entry.object_type == "accounts.user" and entry.object_id.isdigit():
            person_ids.add(int(entry.object_id))
        if entry.object_type not in READABLE_TYPES:
            continue
        for data in (entry.before or {}, entry.after or {}):
            for key, value in data.items():
                key = _bare(key)
                if key in PERSON_KEYS and isinstance(value, int):
                    person_ids.add(value)
                elif key in ORG_KEYS and isinstance(value, int):
                    org_ids.add(value)
                elif key == "campuses" and isinstance(value, list):
                    org_ids.update(v for v in value if isinstance(v, int))
    people = {}
    if person_ids:
        found = User.objects.filter(pk__in=person_ids).only("pk", "full_name", "preferred_name", "email", "district")
        people = {p.pk: p for p in found}
    orgs = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name")) if org_ids else {}
    return [_row(entry, district, people, orgs) for entry in entries]


def _bare(key: str) -> str:
    # Older entries used column names (``person_id``); newer ones field names (``person``).
    return key.removesuffix("_id")


def _row(entry, district, people, orgs) -> dict:
    readable = entry.object_type in READABLE_TYPES
    if entry.actor is not None:
        actor = entry.actor.display_name
    else:
        actor = entry.actor_label or _("System")
    row = {
        "entry": entry,
        "actor": actor,
        "action": action_label(entry.action),
        "type": _type_label(entry),
        "object": entry.object_repr if readable else _("#%(id)s") % {"id": entry.object_id},
        "url": _object_url(entry, district, people),
        "changes": [],
        "values_hidden": not readable,
    }
    before, after = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    if not readable and isinstance(after.get("changed"), list):
        # Records behind the firewall are logged as {"changed": [field names]} (audit_record).
        keys = [str(name) for name in after["changed"]]
    for key in keys:
        bare = _bare(key)
        change = {
            "label": FIELD_LABELS.get(bare, bare.replace("_", " ")),
            "has_old": entry.before is not None and key in before,
            "has_new": entry.after is not None and key in after,
        }
        if readable:
            change["old"] = _value(bare, before.get(key), people, orgs)
            change["new"] = _value(bare, after.get(key), people, orgs)
        row["changes"].append(change)
    return row


def _type_label(entry) -> str:
    if entry.object_type == "orgs.organization":
        # "campus.update" says more than "organization": the action names the kind.
        kind = entry.action.split(".")[0]
        if kind in OrgKind.values:
            return str(OrgKind(kind).label)
    try:
        return str(apps.get_model(entry.object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return entry.object_type


def _object_url(entry, district, people) -> str:
    if not entry.object_id.isdigit():
        return ""
    if entry.object_type == "accounts.user":
        person = people.get(int(entry.object_id))
        if person is not None and person.district_id == district.pk:
            return reverse("orgs:person-detail", args=[person.pk])
    if entry.object_type == "orgs.organization" and entry.action.startswith("campus."):
        return reverse("orgs:campus-detail", args=[int(entry.object_id)])
    return ""


def _value(key, value, people, orgs):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key in PERSON_KEYS and isinstance(value, int):
        person = people.get(value)
        return person.display_name if person else _("person #%(id)s") % {"id": value}
    if key in ORG_KEYS and isinstance(value, int):
        return orgs.get(value) or _("#%(id)s") % {"id": value}
    if key == "campuses" and isinstance(value, list):
        return ", ".join(orgs.get(v, f"#{v}") for v in value) or "—"
    if key in CHOICE_LABELS and value in CHOICE_LABELS[key].values:
        return CHOICE_LABELS[key](value).label
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value) if "T" in value else parse_date(value) if len(value) == 10 else None
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed
        return value if len(value) <= 200 else value[:199] + "…"
    return str(value)
