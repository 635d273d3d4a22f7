from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "northstar.audit"
    label = "audit"
