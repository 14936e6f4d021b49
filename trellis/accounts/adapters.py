"""How django-allauth behaves in Trellis."""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are added by their district (by hand or from a roster), never by self sign-up.
        return False
