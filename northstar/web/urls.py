"""Northstar's pages. These paths are contracts: bookmarks, links in emails and the browser
tests rely on them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from northstar.web.views import accounts, imports, notifications, okrs, people, rhythm, search

auth_urls = [
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        accounts.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("invitations/new/", accounts.invite, name="invite"),
    path("invitations/<str:token>/", accounts.accept_invitation, name="invitation"),
]

okr_urls = [
    path("", okrs.home, name="cascade"),
    path("cycles/<int:pk>/", okrs.cycle_cascade, name="cycle"),
    path("objectives/<int:pk>/", okrs.objective_detail, name="objective"),
    path("objectives/<int:pk>/children/", okrs.objective_children, name="objective-children"),
    path("key-results/<int:pk>/", okrs.key_result_detail, name="key-result"),
    path("key-results/<int:pk>/check-ins/", okrs.check_in, name="check-in"),
]

people_urls = [
    path("units/<int:pk>/", people.unit_detail, name="unit"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("me/", people.my_okrs, name="me"),
    path("people/", people.directory, name="people"),
    path("people/<int:pk>/edit/", people.person_edit, name="person-edit"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person-deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person-reactivate"),
    path("people/<int:pk>/export/", people.person_export, name="person-export"),
    path("people/<int:pk>/erase/", people.person_erase, name="person-erase"),
    path("units/new/", people.unit_new, name="unit-new"),
    path("units/<int:pk>/manage/", people.unit_manage, name="unit-manage"),
]

urlpatterns = [
    *auth_urls,
    *okr_urls,
    *people_urls,
    path("search/", search.search, name="search"),
    path("import/", imports.upload, name="import"),
    path("import/confirm/", imports.confirm, name="import-confirm"),
]

notification_urls = [
    path("notifications/preferences/", notifications.preferences, name="notification-preferences"),
    path("notifications/deliveries/", notifications.deliveries, name="notification-deliveries"),
    path(
        "notifications/unsubscribe/<str:token>/",
        notifications.unsubscribe,
        name="notification-unsubscribe",
    ),
]
urlpatterns += notification_urls


def _feedback_urls(prefix: str, kind: str) -> list:
    """Comments and kudos on one kind of subject: the thread, and posting to it."""
    slug = kind.replace("_", "-")
    on = {"kind": kind}
    return [
        path(f"{prefix}/<int:pk>/feedback/", rhythm.subject_feedback, on, name=f"{slug}-feedback"),
        path(f"{prefix}/<int:pk>/comments/", rhythm.post_comment, on, name=f"{slug}-comment"),
        path(f"{prefix}/<int:pk>/kudos/", rhythm.post_kudos, on, name=f"{slug}-kudos"),
    ]


rhythm_urls = [
    path("check-in/", rhythm.my_check_in, name="my-check-in"),
    path("units/<int:pk>/activity/", rhythm.unit_activity, name="unit-activity"),
    *_feedback_urls("objectives", "objective"),
    *_feedback_urls("key-results", "key_result"),
    *_feedback_urls("check-ins", "check_in"),
]
urlpatterns += rhythm_urls
