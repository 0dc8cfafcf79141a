from django.db import migrations

DEFAULTS = [
    (
        "test-message",
        "email",
        "Test message from Attend",
        "This is a test message from Attend, sent to check that ((school)) can send email.",
    ),
    (
        "test-message",
        "sms",
        "",
        "This is a test message from Attend, sent to check that ((school)) can send texts.",
    ),
    (
        "test-message",
        "letter",
        "Test letter from Attend",
        "This is a test letter from Attend, sent to check that ((school)) can send letters.",
    ),
    (
        "first-day-absence",
        "sms",
        "",
        "((school)): ((pupil)) is not in school today (((date))) and we have not heard why. "
        "Please call the school office on ((phone)) or report the absence online.",
    ),
    (
        "first-day-absence",
        "email",
        "((pupil)) is not in school today",
        "Dear ((contact)),\n\n((pupil)) is not in school today, ((date)), and we have not heard "
        "why. Please call the school office on ((phone)), or report the absence online, today.\n\n"
        "If your child is safe and well at home, thank you for letting us know. If you do not know "
        "where your child is, please call us straight away.\n\n((school))",
    ),
]


def add(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, subject, body in DEFAULTS:
        MessageTemplate.objects.get_or_create(
            key=key, channel=channel, school=None, defaults={"subject": subject, "body": body}
        )


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, channel, _, _ in DEFAULTS:
        MessageTemplate.objects.filter(key=key, channel=channel, school=None).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_messages")]
    operations = [migrations.RunPython(add, remove)]
