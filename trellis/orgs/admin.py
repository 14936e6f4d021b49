"""Organizations and the dated records around them, for platform operators.

Memberships, caseload assignments and access grants are history (who held what,
from when until when), and their services keep the district column and the audit
log right, so the admin shows them read-only.
"""

from django.contrib import admin

from trellis.orgs.models import AccessGrant, CaseloadAssignment, Membership, Organization


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "parent", "code", "is_active", "require_admin_mfa"]
    list_filter = ["kind", "is_active", "require_admin_mfa"]
    search_fields = ["name", "slug", "code", "sourced_id"]
    list_select_related = ["parent"]
    fields = ["kind", "name", "slug", "parent", "district", "code", "sourced_id", "timezone", "is_active",
              "require_admin_mfa", "created_at"]  # fmt: skip
    readonly_fields = ["kind", "parent", "district", "sourced_id", "created_at"]

    def has_add_permission(self, request):
        # A new district or campus needs its district link set by organization_create.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "role", "organization", "valid_from", "valid_to"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["person__email", "person__full_name", "organization__name"]
    list_select_related = ["person", "organization"]
    date_hierarchy = "valid_from"


@admin.register(CaseloadAssignment)
class CaseloadAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["coach", "teacher", "district", "valid_from", "valid_to"]
    search_fields = ["coach__email", "coach__full_name", "teacher__email", "teacher__full_name"]
    list_select_related = ["coach", "teacher", "district"]


@admin.register(AccessGrant)
class AccessGrantAdmin(ReadOnlyAdmin):
    list_display = ["district", "service_center", "scope", "valid_from", "valid_to", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["district__name", "service_center__name", "purpose"]
    list_select_related = ["district", "service_center"]
