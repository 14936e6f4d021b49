"""The Django admin, for platform operators (superusers) only.

People and organizations are created in Trellis itself (by district
administrators, through the services that keep the audit log and roster links
right), so the admin lets an operator look people up and correct a few fields,
but not create or delete them.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from trellis.accounts.models import User

# The admin's own sign-in form skips allauth: no login rate limit and no second
# factor. Sending it through allauth's sign-in closes both gaps (allauth's
# documented fix); signed-in people who are not operators get 403 there.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = _("Trellis operations")
admin.site.site_title = _("Trellis operations")
admin.site.index_title = _("Platform data")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "employee_group", "district", "service_center", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "employee_group"]
    search_fields = ["email", "full_name", "preferred_name", "sourced_id"]
    list_select_related = ["district", "service_center"]
    ordering = ["full_name", "id"]
    # No password field: people set passwords through "Forgot your password?".
    fields = [
        "email",
        "full_name",
        "preferred_name",
        "employee_group",
        "district",
        "service_center",
        "sourced_id",
        "is_active",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    readonly_fields = ["district", "service_center", "sourced_id", "last_login", "date_joined"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Coaching records and the audit log point at people: deactivate instead.
        return False
