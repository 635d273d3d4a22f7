from django.contrib import admin

from northstar.feedback.models import Celebration, Comment, Kudos


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created", "author", "objective", "key_result", "check_in"]
    raw_id_fields = ["author", "objective", "key_result", "check_in"]
    search_fields = ["body"]


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    list_display = ["created", "giver", "receiver", "message"]
    raw_id_fields = ["giver", "receiver", "objective", "key_result", "check_in"]


@admin.register(Celebration)
class CelebrationAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "objective", "key_result"]
    list_filter = ["kind"]
    raw_id_fields = ["objective", "key_result", "check_in"]
