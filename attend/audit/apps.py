from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "attend.audit"
    label = "audit"
    verbose_name = "Audit log, retention and subject access"
