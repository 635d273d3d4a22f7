"""Refusals (403) and misses (404) are expected answers: one warning line each in the log,
never a traceback."""

import logging
import sys

from northstar.web.log_filters import ClientErrorsWithoutTraceback


def request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def assert_one_quiet_line(caplog, status: int) -> None:
    records = request_records(caplog)
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    assert record.status_code == status
    assert record.exc_info is None
    formatted = logging.Formatter().format(record)
    assert "\n" not in formatted
    assert "Traceback" not in formatted


def test_a_refusal_logs_one_line_without_a_traceback(sign_in, personas, caplog):
    client = sign_in(personas.dev)  # may read cleo's key result, not check in on it
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.post(f"/key-results/{personas.kr_cache.pk}/check-ins/", {"value": "1"})
    assert response.status_code == 403
    assert_one_quiet_line(caplog, 403)
    assert "Forbidden" in request_records(caplog)[0].getMessage()


def test_a_missing_page_logs_one_line_without_a_traceback(sign_in, personas, caplog):
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = sign_in(personas.dev).get("/objectives/999999/")
    assert response.status_code == 404
    assert_one_quiet_line(caplog, 404)


def test_server_errors_keep_their_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failure = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), failure)
    record.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is failure
