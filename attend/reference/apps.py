from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "attend.reference"
    label = "reference"
    verbose_name = "National reference figures"
