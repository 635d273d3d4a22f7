from django.apps import AppConfig


class OkrsConfig(AppConfig):
    name = "northstar.okrs"
    label = "okrs"
