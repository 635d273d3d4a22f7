from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "northstar.web"
    label = "web"
