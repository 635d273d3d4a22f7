from unittest import mock

from django.core.management import call_command

COMMAND = "northstar.web.management.commands.serve"


def test_it_runs_the_server_without_reloader_and_with_static_files(db, capsys):
    with mock.patch(f"{COMMAND}.call_command") as runserver:
        call_command("serve")
    runserver.assert_called_once_with(
        "runserver", "127.0.0.1:8000", use_reloader=False, insecure_serving=True, use_ipv6=False
    )
    out, err = capsys.readouterr()
    assert "http://localhost:8000/" in out
    assert "pending" not in err


def test_it_takes_a_host_and_port(db, capsys):
    with mock.patch(f"{COMMAND}.call_command") as runserver:
        call_command("serve", "--host", "::1", "--port", "9000")
    runserver.assert_called_once_with(
        "runserver", "[::1]:9000", use_reloader=False, insecure_serving=True, use_ipv6=True
    )
    assert "not in ALLOWED_HOSTS" in capsys.readouterr().err


def test_it_reports_pending_migrations_without_applying_them(db, capsys):
    pending = ["okrs.0002_later"]
    with (
        mock.patch(f"{COMMAND}.call_command"),
        mock.patch(f"{COMMAND}.pending_migrations", return_value=pending),
    ):
        call_command("serve")
    err = capsys.readouterr().err
    assert "1 database migration(s) are pending" in err
    assert "northstar migrate" in err
