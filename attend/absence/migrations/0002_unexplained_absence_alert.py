from django.db import migrations

KEY, CHANNEL = "unexplained-absence-alert", "email"
SUBJECT = "Unexplained absence: ((pupil)) at ((school))"
BODY = (
    "Dear ((worker)),\n\n((pupil)), a child on your caseload, is absent from ((school)) today, "
    "((date)), and the school does not yet know why. The school office is following it up; you "
    "can reach them on ((phone)).\n\nThis message was sent by Attend on the school's behalf."
)


def add(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.get_or_create(
        key=KEY, channel=CHANNEL, school=None, defaults={"subject": SUBJECT, "body": BODY}
    )


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(key=KEY, channel=CHANNEL, school=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("absence", "0001_follow_up"),
        ("notifications", "0002_default_templates"),
    ]
    operations = [migrations.RunPython(add, remove)]
