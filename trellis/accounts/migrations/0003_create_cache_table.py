"""The database cache table: login rate limits are shared by every web worker through it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_person_employer_links")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
