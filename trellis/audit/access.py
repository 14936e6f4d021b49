"""Who reads the audit log: a district's admins read their district's entries. Nobody edits it."""

from django.db.models import Q

from trellis.audit.models import AuditEntry
from trellis.lib.rules import NOTHING, Rule
from trellis.orgs.roles import roles_of


class AuditEntryRule(Rule):
    model = AuditEntry

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        if roles.admin_district_ids:
            return Q(district__in=roles.admin_district_ids)
        return NOTHING
