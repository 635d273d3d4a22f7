from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "northstar.notifications"
    label = "notifications"
