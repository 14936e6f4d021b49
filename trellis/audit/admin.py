"""The audit log in the admin: to read and search, never to add, change or delete.

Entries about coaching records carry the record's title (``object_repr``) and,
for creates and updates, its text (``before``/``after``). The coaching firewall
holds for platform operators too, so for those entries the admin shows which
fields changed, never their values or the title, as the district's own log page
does.
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trellis.audit.models import AuditEntry

# Object types whose titles and values are coaching content.
CONTENT_TYPE_PREFIXES = ("coaching.",)


def _is_content(entry) -> bool:
    return entry.object_type.startswith(CONTENT_TYPE_PREFIXES)


def _values(entry, data):
    if data is None:
        return "—"
    if _is_content(entry):
        return ", ".join(sorted(data)) or "—"
    return format_html('<pre class="json">{}</pre>', json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "shown_object", "district", "is_read"]
    list_filter = ["is_read", "action", "object_type"]
    # Not object_repr: searching titles would confirm what coaching notes say.
    search_fields = ["actor_label", "action", "object_type", "object_id"]
    list_select_related = ["district"]
    date_hierarchy = "at"
    fields = ["at", "actor", "actor_label", "district", "action", "object_type", "object_id", "shown_object",
              "shown_before", "shown_after", "is_read"]  # fmt: skip
    readonly_fields = ["shown_object", "shown_before", "shown_after"]
    # An entry is evidence: the model and database triggers refuse changes, and the admin offers none.
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None and _is_content(entry):
            # The admin titles the page with str(entry), which includes object_repr. Mask it on this
            # in-memory copy only: nothing here can save (no change permission, and the model refuses).
            entry.object_repr = str(_("coaching record"))
        return entry

    @admin.display(description=_("object"))
    def shown_object(self, entry):
        if _is_content(entry):
            return _("(coaching record, not shown)")
        return entry.object_repr

    @admin.display(description=_("before (for coaching records, the fields only)"))
    def shown_before(self, entry):
        return _values(entry, entry.before)

    @admin.display(description=_("after (for coaching records, the fields only)"))
    def shown_after(self, entry):
        return _values(entry, entry.after)
