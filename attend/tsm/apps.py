from django.apps import AppConfig


class TsmConfig(AppConfig):
    name = "attend.tsm"
    verbose_name = "Targeted support meetings"
