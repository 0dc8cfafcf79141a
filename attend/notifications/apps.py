from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "attend.notifications"
    verbose_name = "Notifications"
