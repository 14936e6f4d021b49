"""Coaching records in the admin: that they exist, never what they say.

The coaching firewall holds for platform operators too: the admin lists who
coached whom and when, without titles, notes or next steps (reading those is
for the coach and the teacher, and is recorded in the audit log when it happens
in Trellis). There is no detail page, because the admin titles every detail page
with the record's name, which for a note is its title. Nothing is editable.
"""

from django.contrib import admin
from django.http import Http404

from trellis.coaching.models import CoachingNote, CoachingShare


class MetadataOnlyAdmin(admin.ModelAdmin):
    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        raise Http404


@admin.register(CoachingNote)
class CoachingNoteAdmin(MetadataOnlyAdmin):
    # Deliberately no title, body or next_steps, and no search on them.
    list_display = ["id", "district", "coach", "teacher", "met_on", "created_at"]
    search_fields = ["coach__email", "coach__full_name", "teacher__email", "teacher__full_name"]
    list_select_related = ["district", "coach", "teacher"]
    date_hierarchy = "met_on"


@admin.register(CoachingShare)
class CoachingShareAdmin(MetadataOnlyAdmin):
    list_display = ["id", "district", "teacher", "shared_with", "content_type", "object_id", "created_at", "revoked_at"]
    search_fields = ["teacher__email", "teacher__full_name", "shared_with__email", "shared_with__full_name"]
    list_select_related = ["district", "teacher", "shared_with", "content_type"]
