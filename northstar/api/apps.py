from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "northstar.api"
    label = "api"
