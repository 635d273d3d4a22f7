from datetime import date, timedelta

import pytest

from northstar.okrs.models import CHECK_IN_NOTE_MAX_LENGTH, CheckIn, KeyResult, Objective
from northstar.web.tests.conftest import assert_redirects_to_sign_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(kr) -> str:
    return f"/key-results/{kr.pk}/check-ins/"


def progress(obj) -> float | None:
    return type(obj).objects.get(pk=obj.pk).progress


def test_it_records_the_check_in_and_rolls_it_up(sign_in, personas):
    p = personas
    before = {o.pk: progress(o) for o in [p.team_objective, p.department_objective]}
    response = sign_in(p.cleo).post(
        url(p.kr_cache),
        {"value": "70", "measured_on": "2026-11-02", "confidence": "7", "note": "Warm"},
        **HTMX,
    )
    assert response.status_code == 200
    check_in = CheckIn.objects.get()
    assert (check_in.value, check_in.measured_on) == (70, date(2026, 11, 2))
    assert (check_in.confidence, check_in.note, check_in.author) == (7, "Warm", p.cleo)
    assert progress(p.kr_cache) == pytest.approx(0.5)
    assert progress(p.team_objective) > before[p.team_objective.pk]
    assert progress(p.department_objective) > before[p.department_objective.pk]


def test_it_answers_htmx_with_the_refreshed_panel(sign_in, personas):
    p = personas
    response = sign_in(p.cleo).post(
        url(p.kr_cache), {"value": "70", "measured_on": "2026-11-02"}, **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="kr-panel"')
    assert 'data-testid="check-in-recorded"' in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert 'data-testid="progress-percent">50%<' in html
    # The thread in the panel shows the team objective's new progress.
    team = Objective.objects.get(pk=p.team_objective.pk)
    assert f">{round(team.progress * 100)}%<" in html


def test_without_htmx_it_redirects_back_to_the_page(sign_in, personas):
    p = personas
    response = sign_in(p.cleo).post(url(p.kr_cache), {"value": "70", "measured_on": "2026-11-02"})
    assert response.status_code == 303
    assert response["Location"] == f"/key-results/{p.kr_cache.pk}/"
    assert CheckIn.objects.count() == 1


def test_a_lead_of_a_unit_above_may_check_in(sign_in, personas):
    response = sign_in(personas.ben).post(
        url(personas.kr_cache), {"value": "60", "measured_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 200
    assert CheckIn.objects.get().author == personas.ben


def test_it_refuses_someone_without_permission(sign_in, personas):
    before = progress(personas.team_objective)
    response = sign_in(personas.dev).post(
        url(personas.kr_cache), {"value": "70", "measured_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 403
    assert not CheckIn.objects.exists()
    assert progress(personas.team_objective) == before


def test_it_shows_an_invalid_value_next_to_the_field_and_writes_nothing(sign_in, personas):
    response = sign_in(personas.cleo).post(
        url(personas.kr_cache), {"value": "lots", "measured_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="check-in-errors"' in html
    assert 'id="id_value_error"' in html
    assert "&#x27;lots&#x27; is not a number." in html
    assert 'aria-invalid="true"' in html
    assert 'value="lots"' in html  # what was typed stays
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "", "measured_on": "2026-11-02"}, "value", "This field is required."),
        ({"value": "nan", "measured_on": "2026-11-02"}, "value", "must be a finite number"),
        ({"value": "5", "measured_on": "someday"}, "measured_on", "Enter a valid date."),
        ({"value": "5", "measured_on": "2026-11-02", "confidence": "11"}, "confidence", "10"),
    ],
)
def test_it_refuses_bad_input(sign_in, personas, data, field, message):
    response = sign_in(personas.cleo).post(url(personas.kr_cache), data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not CheckIn.objects.exists()


def test_it_refuses_a_date_in_the_future(sign_in, personas):
    tomorrow = personas.org.today() + timedelta(days=1)
    response = sign_in(personas.cleo).post(
        url(personas.kr_cache), {"value": "60", "measured_on": tomorrow.isoformat()}, **HTMX
    )
    assert response.status_code == 422
    # The action judges the date now; its error still lands next to the date field.
    html = response.content.decode()
    assert 'id="id_measured_on_error"' in html
    assert "cannot be in the future" in html
    assert not CheckIn.objects.exists()


def test_the_note_limit_is_the_one_the_action_enforces(sign_in, personas):
    data = {"value": "60", "measured_on": "2026-11-02"}
    client = sign_in(personas.cleo)
    too_long = client.post(
        url(personas.kr_cache), data | {"note": "x" * (CHECK_IN_NOTE_MAX_LENGTH + 1)}, **HTMX
    )
    assert too_long.status_code == 422
    assert b'id="id_note_error"' in too_long.content
    assert not CheckIn.objects.exists()
    at_limit = client.post(
        url(personas.kr_cache), data | {"note": "x" * CHECK_IN_NOTE_MAX_LENGTH}, **HTMX
    )
    assert at_limit.status_code == 200
    assert len(CheckIn.objects.get().note) == CHECK_IN_NOTE_MAX_LENGTH


def test_it_records_a_level(sign_in, personas):
    response = sign_in(personas.cleo).post(
        url(personas.kr_course), {"level": "target", "measured_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 200
    assert CheckIn.objects.get().level == "target"
    assert KeyResult.objects.get(pk=personas.kr_course.pk).progress == pytest.approx(0.7)


def test_it_refuses_an_unknown_level(sign_in, personas):
    response = sign_in(personas.cleo).post(
        url(personas.kr_course), {"level": "legendary", "measured_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 422
    assert b'id="id_level_error"' in response.content
    assert not CheckIn.objects.exists()


def test_it_records_a_milestone(sign_in, personas):
    response = sign_in(personas.ben).post(
        url(personas.kr_release), {"done": "on", "measured_on": "2026-11-02"}, **HTMX
    )
    assert response.status_code == 200
    assert CheckIn.objects.get().done is True
    assert KeyResult.objects.get(pk=personas.kr_release.pk).progress == 1.0


def test_it_only_allows_post(sign_in, personas):
    assert sign_in(personas.cleo).get(url(personas.kr_cache)).status_code == 405


def test_it_requires_sign_in(client, personas):
    path = url(personas.kr_cache)
    response = client.post(path, {"value": "70", "measured_on": "2026-11-02"})
    assert_redirects_to_sign_in(response, path)
    assert not CheckIn.objects.exists()


def test_an_expired_session_sends_the_browser_to_sign_in(client, personas):
    response = client.post(url(personas.kr_cache), {"value": "70"}, **HTMX)
    assert response["HX-Redirect"].startswith("/sign-in/?next=")
    assert not CheckIn.objects.exists()
