from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "northstar.interchange"
    label = "interchange"
