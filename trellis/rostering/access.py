"""Who sees and changes rostering records.

Imports, their reports, the sync schedule and the single sign-on settings belong to the
district's admins. Academic sessions and classes are read by the district's admins, and a
class also by the teachers who teach it. Rows an import writes (rostered roles, stamps,
class links) change only through the importer, never from a page.
"""

from django.db.models import Exists, OuterRef, Q

from trellis.lib.rules import NOTHING, Rule, fetch
from trellis.orgs.roles import roles_of
from trellis.rostering import models as m


def _admin_of(user) -> Q:
    admin_of = roles_of(user).admin_district_ids
    return Q(district__in=admin_of) if admin_of else NOTHING


class DistrictAdminRule(Rule):
    """Seen and changed by the admins of the row's district."""

    def view_filter(self, user) -> Q:
        return _admin_of(user)

    def change_filter(self, user) -> Q:
        return _admin_of(user)


class ImporterOwnedRule(Rule):
    """Seen by the district's admins; changed only by the importer."""

    def view_filter(self, user) -> Q:
        return _admin_of(user)


class RosterImportRule(DistrictAdminRule):
    model = m.RosterImport


class SyncScheduleRule(DistrictAdminRule):
    model = m.SyncSchedule


class DistrictSSORule(DistrictAdminRule):
    model = m.DistrictSSO


class SSODomainRule(DistrictAdminRule):
    model = m.SSODomain


class RosterRoleRule(ImporterOwnedRule):
    model = m.RosterRole


class RosterStampRule(ImporterOwnedRule):
    model = m.RosterStamp


class AcademicSessionRule(ImporterOwnedRule):
    model = m.AcademicSession


class ClassTermRule(ImporterOwnedRule):
    model = m.ClassTerm


class SchoolClassRule(ImporterOwnedRule):
    model = m.SchoolClass

    def view_filter(self, user) -> Q:
        teaches = m.ClassTeacher.objects.filter(school_class=OuterRef("pk"), person=user, is_active=True)
        return _admin_of(user) | Q(Exists(teaches))


class ClassTeacherRule(ImporterOwnedRule):
    model = m.ClassTeacher

    def view_filter(self, user) -> Q:
        return _admin_of(user) | Q(person=user)


def access_import(user, pk, *, write=False):
    return fetch(m.RosterImport, user, pk, write=write, queryset=m.RosterImport.objects.select_related("district"))
