"""The admin shows the figures the actions derive, and never lets them be typed."""

from datetime import date

from django.contrib import admin
from django.test import RequestFactory

from northstar.okrs import actions
from northstar.okrs.admin import DERIVED_KEY_RESULT_FIELDS, DERIVED_OBJECTIVE_FIELDS
from northstar.okrs.models import KeyResult, Objective


def test_derived_key_result_fields_are_read_only(personas, client):
    kr = personas.kr_cache
    actions.record_check_in(key_result=kr, author=None, value=70, measured_on=date(2026, 11, 2))
    request = RequestFactory().get("/")
    request.user = personas.ada.user
    model_admin = admin.site._registry[KeyResult]
    form = model_admin.get_form(request, kr)
    # Not in the form: a POST naming another key result's check-in has nothing to land in.
    assert not set(DERIVED_KEY_RESULT_FIELDS) & set(form.base_fields)
    assert set(DERIVED_KEY_RESULT_FIELDS) <= set(model_admin.get_readonly_fields(request, kr))

    client.force_login(personas.ada.user)
    page = client.get(f"/admin/okrs/keyresult/{kr.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="current_check_in"' not in html
    assert "Current check in" in html  # still shown, read-only


def test_derived_objective_fields_are_read_only(personas, client):
    objective = personas.team_objective
    client.force_login(personas.ada.user)
    page = client.get(f"/admin/okrs/objective/{objective.pk}/change/")
    assert page.status_code == 200
    request = RequestFactory().get("/")
    request.user = personas.ada.user
    model_admin = admin.site._registry[Objective]
    form = model_admin.get_form(request, objective)
    assert not set(DERIVED_OBJECTIVE_FIELDS) & set(form.base_fields)
