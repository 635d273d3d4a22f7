import socket
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

COMMAND = "northstar.web.management.commands.serve"


@pytest.fixture
def free_port():
    """Skip the real port check in tests about something else, so they do not depend on
    what else listens on this machine (or whether it has IPv6)."""
    with mock.patch(f"{COMMAND}.check_can_listen"):
        yield


@pytest.fixture
def busy_port():
    """A port something already listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_it_runs_the_server_without_reloader_and_with_static_files(db, free_port, capsys):
    with mock.patch(f"{COMMAND}.call_command") as runserver:
        call_command("serve")
    runserver.assert_called_once_with(
        "runserver", "127.0.0.1:8000", use_reloader=False, insecure_serving=True, use_ipv6=False
    )
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:8000/" in out
    assert "pending" not in err


def test_it_takes_a_host_and_port(db, free_port, capsys):
    with mock.patch(f"{COMMAND}.call_command") as runserver:
        call_command("serve", "--host", "::1", "--port", "9000")
    runserver.assert_called_once_with(
        "runserver", "[::1]:9000", use_reloader=False, insecure_serving=True, use_ipv6=True
    )
    assert "not in ALLOWED_HOSTS" in capsys.readouterr().err


def test_it_reports_pending_migrations_without_applying_them(db, free_port, capsys):
    pending = ["okrs.0002_later"]
    with (
        mock.patch(f"{COMMAND}.call_command"),
        mock.patch(f"{COMMAND}.pending_migrations", return_value=pending),
    ):
        call_command("serve")
    err = capsys.readouterr().err
    assert "1 database migration(s) are pending" in err
    assert "northstar migrate" in err


@pytest.mark.parametrize("port", ["99999", "0", "-1", "eighty"])
def test_a_port_out_of_range_is_refused_clearly(db, port):
    with (
        mock.patch(f"{COMMAND}.call_command") as runserver,
        pytest.raises(CommandError, match="port"),
    ):
        call_command("serve", "--port", port)
    runserver.assert_not_called()


def test_a_port_in_use_fails_before_announcing_the_server(db, capsys, busy_port):
    with (
        mock.patch(f"{COMMAND}.call_command") as runserver,
        pytest.raises(CommandError, match=f"127.0.0.1:{busy_port}: the port is already in use"),
    ):
        call_command("serve", "--port", str(busy_port))
    runserver.assert_not_called()
    assert "Ctrl+C" not in capsys.readouterr().out


def test_a_free_port_passes_the_check(db, capsys):
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with mock.patch(f"{COMMAND}.call_command") as runserver:
        call_command("serve", "--port", str(port))
    runserver.assert_called_once()
    assert "Ctrl+C" in capsys.readouterr().out
