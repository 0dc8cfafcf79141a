from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "attend.monitoring"
