from django.apps import AppConfig


class AbsenceConfig(AppConfig):
    name = "attend.absence"
    verbose_name = "Absence follow-up"
