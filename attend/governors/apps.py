from django.apps import AppConfig


class GovernorsConfig(AppConfig):
    name = "attend.governors"
    label = "governors"
    verbose_name = "Governors' comparison and termly reports"
