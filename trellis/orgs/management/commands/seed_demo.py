"""Load the demo region (idempotent) and print the demo logins.

    python manage.py seed_demo

The password of every demo account comes from DEMO_PASSWORD (default
``trellis-demo-2026``). Running the command again creates nothing: it only prints
the logins.
"""

import os

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from trellis.orgs import demo


class Command(BaseCommand):
    help = "Load the demo region (one service center, two districts, six campuses) and print the demo logins."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_PASSWORD
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("DEMO_PASSWORD is too weak: " + " ".join(exc.messages)) from exc

        if demo.build_demo(password):
            self.stdout.write(self.style.SUCCESS("Loaded the demo region."))
        else:
            self.stdout.write("The demo region is already loaded; nothing was changed.")
            if not demo.demo_password_matches(password):
                self.stdout.write(
                    self.style.WARNING(
                        "The demo accounts were loaded with another password than DEMO_PASSWORD. "
                        "Sign in with that one, or delete var/trellis.sqlite3 and run `make run` again."
                    )
                )
        self.print_logins(password)

    def print_logins(self, password: str) -> None:
        logins = demo.demo_logins()
        width_persona = max(len(login.persona) for login in logins)
        width_email = max(len(login.email) for login in logins)
        login_url = settings.SITE_URL.rstrip("/") + reverse("account_login")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (every account's password: {password})")
        self.stdout.write(f"Sign in at {login_url}")
        self.stdout.write("")
        self.stdout.write(f"  {'Persona':<{width_persona}}  {'Email':<{width_email}}  Who")
        for login in logins:
            self.stdout.write(
                f"  {login.persona:<{width_persona}}  {login.email:<{width_email}}  {login.name}, {login.where}"
            )
        self.stdout.write("")
