"""Northstar's pages. These paths are contracts: bookmarks, links in emails and the browser
tests rely on them."""

from django.contrib.auth import views as auth_views
from django.urls import path

from northstar.web.views import okrs, people, search

auth_urls = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="web/sign_in.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
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
]

urlpatterns = [
    *auth_urls,
    *okr_urls,
    *people_urls,
    path("search/", search.search, name="search"),
]
