"""Who sees and changes frameworks and libraries.

Shipped content (``district`` empty) is readable by every signed-in person and
changed by nobody through the app (districts copy it). A district's own
frameworks, copies and choices are read by its people and changed by its admins.
"""

from django.db.models import Q

from trellis.frameworks import models as m
from trellis.lib.rules import NOTHING, Rule, fetch
from trellis.orgs.access import active_grants
from trellis.orgs.roles import roles_of


def readable_districts(user) -> Q:
    """Districts whose frameworks ``user`` reads, as a filter on ``district``."""
    roles = roles_of(user)
    q = Q(district__isnull=True) | Q(district__in=roles.admin_district_ids)
    if user.district_id:
        q |= Q(district=user.district_id)
    sc_ids = roles.facilitator_sc_ids | roles.sc_admin_ids
    if sc_ids:
        q |= Q(district__in=active_grants().filter(service_center__in=sc_ids).values("district_id"))
    return q


class DistrictOwnedRule(Rule):
    """Rows that carry ``district``: shared when empty, else their district's."""

    def view_filter(self, user) -> Q:
        return readable_districts(user)

    def change_filter(self, user) -> Q:
        admin_of = roles_of(user).admin_district_ids
        return Q(district__in=admin_of) if admin_of else NOTHING


class FrameworkRule(DistrictOwnedRule):
    model = m.Framework


class FrameworkVersionRule(DistrictOwnedRule):
    model = m.FrameworkVersion


class PerformanceScaleRule(DistrictOwnedRule):
    model = m.PerformanceScale


class FrameworkNodeRule(DistrictOwnedRule):
    model = m.FrameworkNode


class LevelDescriptorRule(DistrictOwnedRule):
    model = m.LevelDescriptor


class NodeAlignmentRule(DistrictOwnedRule):
    model = m.NodeAlignment


class ActionStepLibraryRule(DistrictOwnedRule):
    model = m.ActionStepLibrary


class LibraryPhaseRule(DistrictOwnedRule):
    model = m.LibraryPhase


class ActionStepRule(DistrictOwnedRule):
    model = m.ActionStep


class ExemplarResourceRule(DistrictOwnedRule):
    model = m.ExemplarResource


class ScaleLevelRule(Rule):
    model = m.ScaleLevel

    def view_filter(self, user) -> Q:
        return Q(scale__in=m.PerformanceScale.objects.filter(readable_districts(user)).values("pk"))


class DistrictFrameworkChoiceRule(Rule):
    model = m.DistrictFrameworkChoice

    def view_filter(self, user) -> Q:
        return readable_districts(user) & Q(district__isnull=False)

    def change_filter(self, user) -> Q:
        admin_of = roles_of(user).admin_district_ids
        return Q(district__in=admin_of) if admin_of else NOTHING


class DistrictLibraryChoiceRule(DistrictFrameworkChoiceRule):
    model = m.DistrictLibraryChoice


class CaseImportJobRule(Rule):
    """CASE imports are seen and acted on by the admins of their district only."""

    model = m.CaseImportJob

    def view_filter(self, user) -> Q:
        admin_of = roles_of(user).admin_district_ids
        return Q(district__in=admin_of) if admin_of else NOTHING

    change_filter = view_filter


def access_framework(user, pk, *, write=False):
    qs = m.Framework.objects.select_related("current_version", "district")
    return fetch(m.Framework, user, pk, write=write, queryset=qs)


def access_library(user, pk, *, write=False):
    qs = m.ActionStepLibrary.objects.select_related("framework", "copied_from", "district")
    return fetch(m.ActionStepLibrary, user, pk, write=write, queryset=qs)


def access_step(user, pk, *, write=False):
    qs = m.ActionStep.objects.select_related("library", "phase")
    return fetch(m.ActionStep, user, pk, write=write, queryset=qs)


def access_case_import(user, pk, *, write=False):
    qs = m.CaseImportJob.objects.select_related("district", "framework")
    return fetch(m.CaseImportJob, user, pk, write=write, queryset=qs)
