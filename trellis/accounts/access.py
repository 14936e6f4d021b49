"""Access rules for a person's own account records."""

from django.db.models import Q

from trellis.accounts.models import CalendarFeed
from trellis.lib.rules import Rule


class CalendarFeedRule(Rule):
    model = CalendarFeed

    def view_filter(self, user) -> Q:
        return Q(person=user)

    def change_filter(self, user) -> Q:
        return Q(person=user)
