"""Every LA has the flag "Anxiety or school phobia" (a Lincolnshire priority): new LAs get it when
they are created (attend.monitoring.priorities.la_defaults_ensure)."""

from django.db import migrations

NAME = "Anxiety or school phobia"


def forwards(apps, schema_editor):
    LocalAuthority = apps.get_model("organisations", "LocalAuthority")
    Flag = apps.get_model("pupils", "Flag")
    for la in LocalAuthority.objects.all():
        Flag.objects.get_or_create(local_authority=la, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_trust_school_trust"),
        ("pupils", "0003_flags"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
