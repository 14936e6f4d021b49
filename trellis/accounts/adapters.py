"""How django-allauth behaves in Trellis."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ValidationError

from trellis.accounts import sso


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are added by their district (by hand or from a roster), never by self sign-up.
        return False

    def authenticate(self, request, **credentials):
        # A district that turned Trellis passwords off signs in with its provider only
        # (platform operators excepted). Checked after the password, so the answer says
        # nothing more about an account than a wrong password would.
        user = super().authenticate(request, **credentials)
        refusal = sso.local_password_refusal(email=credentials.get("email"), user=user)
        if refusal:
            raise ValidationError(refusal, code="sso_only")
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on per district; the rules live in ``trellis.accounts.sso``."""

    def list_apps(self, request, provider=None, client_id=None):
        return sso.list_apps(request, provider=provider, client_id=client_id)

    def pre_social_login(self, request, sociallogin):
        sso.link_social_login(request, sociallogin)

    def is_open_for_signup(self, request, sociallogin):
        return False
