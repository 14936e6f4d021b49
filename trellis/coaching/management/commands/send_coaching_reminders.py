"""Queue the day-before coaching reminders. Run it from cron (e.g. hourly); each session is reminded once."""

from django.core.management.base import BaseCommand

from trellis.coaching.tasks import send_coaching_reminders


class Command(BaseCommand):
    help = "Queue reminder emails for coaching sessions that take place tomorrow."

    def handle(self, *args, **options):
        result = send_coaching_reminders.enqueue()
        self.stdout.write(f"Queued coaching reminders ({result.id}).")
