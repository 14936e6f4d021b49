"""Queue the day-before reminders for professional-learning sessions. Run it from cron a few times a day:

    0 7,12,17 * * *  cd /srv/trellis && .venv/bin/python manage.py send_learning_reminders

It is safe to run as often as you like: nobody is reminded twice.
"""

from django.core.management.base import BaseCommand

from trellis.learning.tasks import send_session_reminders


class Command(BaseCommand):
    help = "Queue reminder emails for sessions that start tomorrow (in each session's time zone)."

    def handle(self, *args, **options):
        result = send_session_reminders.enqueue()
        self.stdout.write(f"Queued the session reminders (task {result.id}).")
