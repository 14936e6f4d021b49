"""Single sign-on per district, through django-allauth.

Each district's provider lives in ``rostering.DistrictSSO`` (set on the district admin's SSO
page). ``social_apps`` hands those rows to allauth as apps (one per district, never stored
in allauth's own table, so there is one source of truth): Google Workspace, Microsoft Entra
ID, Clever and ClassLink through allauth's OpenID Connect provider, each district with its
own provider id and so its own sign-in and callback addresses; SAML 2.0 through allauth's
SAML provider. allauth's dedicated Google/Microsoft/Clever providers allow one app each, so
they cannot serve one app per district.

``link_social_login`` decides who a sign-in is. allauth never links or signs people up by
itself here (settings: SOCIALACCOUNT_EMAIL_AUTHENTICATION off, sign-up closed). A sign-in is
linked to a person of the provider's district only:

1. by the roster id claim, when the provider sends the person's OneRoster sourcedId; or
2. by an email address the provider vouches for (verified) in one of the district's domains.

Never by an unverified email, never to a person of another district, never creating anyone.
What counts as verified, by provider (docs/rostering.md explains it to admins):

- Google: ``email_verified`` true, and the ``hd`` (Workspace domain) claim one of the district's domains.
- Microsoft Entra ID: the token's tenant (``tid``) must be the district's tenant; an email from that
  tenant in the district's domains is the district's own directory speaking (``xms_edov`` or
  ``email_verified`` also count).
- Clever, ClassLink: ``email_verified`` true (Clever sends false unless asked); link by roster id otherwise.
- SAML: the district's own IdP, whose signing certificate the admin installed, vouches for its domains.
"""

from urllib.parse import urlsplit

from allauth.account.utils import user_email
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

User = get_user_model()

OIDC_KINDS = ("google", "microsoft", "clever", "classlink")
SERVER_URLS = {
    "google": "https://accounts.google.com",
    "microsoft": "https://login.microsoftonline.com/{tenant}/v2.0",
    "clever": "https://clever.com",
    "classlink": "https://launchpad.classlink.com",
}
# The claim carrying the OneRoster sourcedId when the admin names none (empty: none by default).
ROSTER_CLAIMS = {"google": "", "microsoft": "", "clever": "sub", "classlink": "SourcedId", "saml": ""}
# Tenant claims checked against DistrictSSO.tenant (required for Microsoft, optional otherwise).
TENANT_CLAIMS = {"microsoft": "tid", "clever": "district", "classlink": "TenantId"}
# Microsoft's "any tenant" aliases: a district app must name its own tenant.
SHARED_TENANTS = {"common", "organizations", "consumers"}
SAML_ATTRIBUTES = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
        "mail",
    ],
    "first_name": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"],
    "last_name": ["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"],
}


def _model():
    from trellis.rostering.models import DistrictSSO

    return DistrictSSO


# The district's provider, as allauth sees it ------------------------------------------------------


def server_url(config) -> str:
    if config.server_url:
        return config.server_url
    return SERVER_URLS.get(config.kind, "").format(tenant=config.tenant or "organizations")


def roster_claim(config) -> str:
    return config.roster_id_claim or ROSTER_CLAIMS.get(config.kind, "")


def social_app(config):
    """An allauth SocialApp (never saved) for a district's provider."""
    from allauth.socialaccount.models import SocialApp

    name = str(config.get_kind_display())
    if config.kind in OIDC_KINDS:
        return SocialApp(
            provider="openid_connect",
            provider_id=config.provider_id,
            name=name,
            client_id=config.client_id,
            secret=config.client_secret,
            settings={
                "server_url": server_url(config),
                "oauth_pkce_enabled": True,
                "trellis_district": config.district_id,
            },
        )
    return SocialApp(
        provider="saml",
        provider_id=config.provider_id,
        name=name,
        client_id=config.provider_id,  # allauth's SAML "organization slug" in the addresses
        settings={
            "trellis_district": config.district_id,
            "attribute_mapping": SAML_ATTRIBUTES,
            "idp": {
                "entity_id": config.saml_entity_id,
                "sso_url": config.saml_sso_url,
                "x509cert": config.saml_certificate,
            },
            "advanced": {
                "strict": True,
                "want_assertion_signed": True,
                "reject_idp_initiated_sso": True,
                # Our own addresses may be single-label hosts (localhost, a test server); the IdP address
                # is checked on the SSO page (https only).
                "allow_single_label_domains": True,
            },
        },
    )


def list_apps(request, provider=None, client_id=None) -> list:
    """allauth's ``list_apps``: the enabled district apps matching ``provider`` / ``client_id``.

    Without a filter (allauth's connections page lists every provider) only the person's own
    district's app is returned, so no page ever lists other districts' providers.
    """
    configs = _model().objects.filter(enabled=True).select_related("district")
    if provider in ("openid_connect", "saml"):
        configs = configs.filter(kind__in=OIDC_KINDS) if provider == "openid_connect" else configs.filter(kind="saml")
    elif provider:
        key, _sep, kind = provider.rpartition("-")
        configs = configs.filter(key=key, kind=kind)
    if client_id:
        configs = configs.filter(Q(client_id=client_id, kind__in=OIDC_KINDS) | Q(kind="saml", key=_key_of(client_id)))
    if not provider and not client_id:
        user = getattr(request, "user", None)
        district_id = getattr(user, "district_id", None) if user is not None and user.is_authenticated else None
        if district_id is None:
            return []
        configs = configs.filter(district_id=district_id)
    apps = [social_app(c) for c in configs]
    if client_id:
        apps = [a for a in apps if a.client_id == client_id]
    return apps


def _key_of(provider_id: str) -> str:
    return provider_id.rpartition("-")[0]


def config_for_app(app):
    if app is None:
        return None
    district_id = (app.settings or {}).get("trellis_district")
    return _model().objects.filter(district_id=district_id, enabled=True).select_related("district").first()


def login_url(config) -> str:
    """The address a "Sign in with …" button posts to."""
    if config.kind == "saml":
        return reverse("saml_login", kwargs={"organization_slug": config.provider_id})
    return reverse("openid_connect_login", kwargs={"provider_id": config.provider_id})


def callback_url(config) -> str:
    """The address to register at the provider (redirect URI, or the SAML assertion consumer service)."""
    base = settings.SITE_URL.rstrip("/")
    if config.kind == "saml":
        return base + reverse("saml_acs", kwargs={"organization_slug": config.provider_id})
    return base + reverse("openid_connect_callback", kwargs={"provider_id": config.provider_id})


def metadata_url(config) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("saml_metadata", kwargs={"organization_slug": config.provider_id})


def domain_of(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower().rstrip(".")


def config_for_email(email: str):
    """The enabled provider of the district that covers this email's domain, or None."""
    domain = domain_of(email)
    if not domain:
        return None
    return _model().objects.filter(enabled=True, domains__domain=domain).select_related("district").first()


# Passwords -----------------------------------------------------------------------------------------


def local_password_refusal(*, email: str | None = None, user=None) -> str | None:
    """The message refusing a password sign-in, when the person's district allows SSO only."""
    if user is not None and user.is_superuser:
        return None  # platform operators always keep their password
    configs = _model().objects.filter(enabled=True, allow_local_passwords=False)
    config = None
    if user is not None and user.district_id:
        config = configs.filter(district_id=user.district_id).select_related("district").first()
    if config is None and email:
        config = configs.filter(domains__domain=domain_of(email)).select_related("district").first()
    if config is None:
        return None
    return _(
        "%(district)s signs in with %(provider)s, not with a Trellis password. "
        "Use “Sign in with %(provider)s” below your email address."
    ) % {"district": config.district.name, "provider": config.get_kind_display()}


# Linking a sign-in to a rostered person --------------------------------------------------------------


def claims_of(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    if _is_saml(sociallogin):
        claims = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in data.items()}
        claims.setdefault("sub", sociallogin.account.uid)
        email = user_email(sociallogin.user) if sociallogin.user is not None else ""
        if email:
            claims["email"] = email
        return claims
    claims = dict(data.get("userinfo") or {})
    claims.update(data.get("id_token") or {})
    return claims


def _is_saml(sociallogin) -> bool:
    provider = sociallogin.provider
    return getattr(provider, "id", "") == "saml"


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in {"true", "1", "yes"})


def _email_and_verified(config, claims) -> tuple[str, bool]:
    email = str(claims.get("email") or "").strip().lower()
    if config.kind == "saml":
        return email, True  # the district's own IdP, signed with the certificate the admin installed
    verified = _truthy(claims.get("email_verified"))
    if config.kind == "microsoft":
        if not email:
            candidate = str(claims.get("preferred_username") or claims.get("upn") or "").strip().lower()
            email = candidate if "@" in candidate else ""
        # The tenant was checked against the district's: its directory vouches for its domains.
        verified = verified or _truthy(claims.get("xms_edov")) or bool(config.tenant)
    return email, verified


def refuse(request, message: str, config=None):
    """Stop the sign-in with a page that says why (no account is created, nothing is linked)."""
    response = render(
        request,
        "rostering/sso_refused.html",
        {"message": message, "config": config, "district": getattr(config, "district", None)},
        status=403,
    )
    raise ImmediateHttpResponse(response)


def link_social_login(request, sociallogin) -> None:
    """allauth's ``pre_social_login``: find the rostered person, connect them, or refuse."""
    app = getattr(sociallogin.provider, "app", None)
    config = config_for_app(app)
    if config is None:
        refuse(request, _("Sign-in with this provider is not set up in Trellis."))
    if sociallogin.state.get("process") == "connect":
        refuse(request, _("Trellis links your district account for you when you sign in with it."), config)
    claims = claims_of(sociallogin)
    tenant_claim = TENANT_CLAIMS.get(config.kind)
    pinned = tenant_claim and (config.tenant or config.kind == "microsoft")
    if pinned and str(claims.get(tenant_claim, "")).strip().lower() != config.tenant.strip().lower():
        refuse(
            request,
            _("This account belongs to another organization, not %(district)s.") % {"district": config.district.name},
            config,
        )
    if sociallogin.is_existing:
        person = sociallogin.user
        if person.district_id != config.district_id:
            refuse(request, _("This sign-in is linked to a person of another district."), config)
        return
    person = _person_by_roster_id(config, claims)
    if person is None:
        person = _person_by_email(request, config, claims)
    sociallogin.connect(request, person)


def _person_by_roster_id(config, claims):
    claim = roster_claim(config)
    value = str(claims.get(claim) or "").strip() if claim else ""
    if not value:
        return None
    return User.objects.filter(district_id=config.district_id, sourced_id=value).first()


def _person_by_email(request, config, claims):
    email, verified = _email_and_verified(config, claims)
    district = config.district
    if not email:
        refuse(
            request,
            _("%(provider)s did not tell Trellis your email address.") % {"provider": config.get_kind_display()},
            config,
        )
    domains = set(config.domains.values_list("domain", flat=True))
    domain = domain_of(email)
    if domain not in domains:
        refuse(
            request,
            _("%(email)s is not in %(district)s's email domains, so Trellis cannot tell who you are.")
            % {"email": email, "district": district.name},
            config,
        )
    if config.kind == "google" and str(claims.get("hd") or "").lower() not in domains:
        refuse(
            request, _("Sign in with your %(district)s Google Workspace account.") % {"district": district.name}, config
        )
    if not verified:
        refuse(
            request,
            _(
                "%(provider)s did not confirm that %(email)s is yours, so Trellis cannot link it to your account. "
                "Ask your district's Trellis administrator."
            )
            % {"provider": config.get_kind_display(), "email": email},
            config,
        )
    person = User.objects.filter(district_id=config.district_id, email__iexact=email).first()
    if person is None:
        refuse(
            request,
            _(
                "There is no Trellis account for %(email)s in %(district)s. Accounts come from your district's roster: "
                "ask your district's Trellis administrator."
            )
            % {"email": email, "district": district.name},
            config,
        )
    return person


def is_safe_loopback(url: str) -> bool:
    return urlsplit(url).hostname in {"127.0.0.1", "localhost", "::1"}
