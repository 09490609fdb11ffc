"""Create the database cache table (allauth's rate-limit counters live there).

``createcachetable`` creates the table of every configured database cache and
does nothing for other backends or when the table exists, so ``migrate`` alone
sets a new installation up.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
