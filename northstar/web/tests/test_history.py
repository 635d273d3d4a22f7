"""The History section of objective and key-result pages names the key result each event is
about, as far as the viewer may read it."""

import re
from datetime import date

from northstar.audit.models import record
from northstar.okrs import actions
from northstar.okrs.models import Objective

KR_TITLE = "Raise cache hit rate from 50 to 90"


def history(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.search(r'data-testid="history".*?</section>', response.content.decode(), re.S)[0]


def check_in(personas) -> None:
    actions.record_check_in(
        key_result=personas.kr_cache,
        author=personas.cleo,
        actor=personas.cleo,
        value=60,
        measured_on=date(2026, 10, 12),
    )


def test_a_key_result_page_names_its_key_result(sign_in, personas):
    check_in(personas)
    html = history(sign_in(personas.dev), f"/key-results/{personas.kr_cache.pk}/")
    assert f"checked in\n        key result “{KR_TITLE}”" in html
    assert "a key result" not in html


def test_an_objective_page_names_its_key_results(sign_in, personas):
    check_in(personas)
    html = history(sign_in(personas.dev), f"/objectives/{personas.team_objective.pk}/")
    assert f"key result “{KR_TITLE}”" in html
    assert "a key result" not in html


def test_a_key_result_the_viewer_may_not_read_stays_unnamed(sign_in, personas):
    # An event filed under the team objective about a key result that now belongs to cleo's
    # private objective (a key result moved there, say).
    Objective.objects.filter(pk=personas.personal_objective.pk).update(is_private=True)
    record(
        actor=personas.cleo,
        action="changed",
        target=personas.kr_course,
        changes={"weight": (1, 2)},
        objective_id=personas.team_objective.pk,
    )
    url = f"/objectives/{personas.team_objective.pk}/"
    outsider = history(sign_in(personas.dev), url)
    assert "key result “a key result”" in outsider
    assert "tuning course" not in outsider
    owner = history(sign_in(personas.cleo), url)
    assert "key result “Finish the tuning course”" in owner
