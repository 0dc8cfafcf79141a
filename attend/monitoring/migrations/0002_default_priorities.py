"""The seven Lincolnshire priorities (seeds 001, "Lincolnshire's attendance priorities") for every
LA; new LAs get them when created (attend.monitoring.priorities.la_defaults_ensure)."""

from django.db import migrations

ANXIETY = "Anxiety or school phobia"
DEFAULTS = [
    ("The level of authorised absence", "authorised_absence"),
    ("The level of persistent absence", "persistent_absence"),
    ("Absence rates in special schools", "special_schools"),
    ("Absence rates for children with Education Health Care Plans", "ehcp"),
    ("Absence rates of children with a social worker", "social_worker"),
    ("Absence rates for children with anxiety or school phobia", "flag"),
    ("Absence rates of children known to the youth offending service", "youth_offending"),
]


def forwards(apps, schema_editor):
    LocalAuthority = apps.get_model("organisations", "LocalAuthority")
    Flag = apps.get_model("pupils", "Flag")
    Priority = apps.get_model("monitoring", "Priority")
    for la in LocalAuthority.objects.all():
        if Priority.objects.filter(local_authority=la).exists():
            continue
        anxiety, _ = Flag.objects.get_or_create(local_authority=la, name=ANXIETY)
        for order, (title, measure) in enumerate(DEFAULTS, start=1):
            Priority.objects.create(
                local_authority=la,
                order=order,
                title=title,
                measure=measure,
                flag=anxiety if measure == "flag" else None,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_priorities"),
        ("pupils", "0004_la_anxiety_flag"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
