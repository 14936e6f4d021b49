"""One rule per model: the filter for what a person may see and what they may change.

A rule answers both "may this person see / change this object" and "which rows may
this person list" from the same ``Q``, so the object check and the list filter can
never disagree. Views fetch objects only through ``fetch`` (or an app's access
helpers built on it), which authorises in the same query.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

NOTHING = Q(pk__in=[])

_REGISTRY: dict[type[models.Model], "Rule"] = {}


class Rule:
    model: type[models.Model]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is not None:
            _REGISTRY[cls.model] = cls()

    def view_filter(self, user) -> Q:
        return NOTHING

    def change_filter(self, user) -> Q:
        return NOTHING

    def visible(self, user, queryset=None):
        """The rows ``user`` may list."""
        qs = self.model._default_manager.all() if queryset is None else queryset
        if not _is_authenticated(user):
            return qs.none()
        return qs.filter(self.view_filter(user))

    def changeable(self, user, queryset=None):
        qs = self.model._default_manager.all() if queryset is None else queryset
        if not _is_authenticated(user):
            return qs.none()
        return qs.filter(self.change_filter(user))

    def can_view(self, user, obj) -> bool:
        return obj.pk is not None and self.visible(user).filter(pk=obj.pk).exists()

    def can_change(self, user, obj) -> bool:
        return obj.pk is not None and self.changeable(user).filter(pk=obj.pk).exists()


def rule_for(model: type[models.Model]) -> Rule:
    return _REGISTRY[model]


def registered_models() -> list[type[models.Model]]:
    return list(_REGISTRY)


def fetch(model: type[models.Model], user, pk, *, write: bool = False, queryset=None):
    """Fetch one object by a user-supplied id, authorised in the same query.

    Unknown ids and rows the user may not see are both 404, so ids of other
    districts' rows are not confirmed; rows the user sees but may not change are 403.
    """
    rule = rule_for(model)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = rule.visible(user, queryset).filter(pk=pk)
    if write:
        # Whether the user may change it comes back in the same query.
        found = found.annotate(_may_change=Exists(rule.changeable(user).filter(pk=OuterRef("pk"))))
    obj = found.first()
    if obj is None:
        raise Http404
    if write and not obj._may_change:
        raise PermissionDenied
    return obj


def _is_authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)
