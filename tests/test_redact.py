"""Database passwords never reach a message, a log line or the page."""

import logging

import pytest

from geo import __main__ as cli
from geo.redact import RedactFilter, is_keyword_conninfo, redact
from geo.store import is_server_url

SECRET = "s3cretpw"

# Each form a password can take in an address; port 1 on 127.0.0.1 refuses at once.
ADDRESSES = [
    f"postgresql://u:{SECRET}@127.0.0.1:1/db",
    f"postgres://u:{SECRET}@127.0.0.1:1/db",
    f"postgresql://u@127.0.0.1:1/db?password={SECRET}",
    f"postgresql://u@127.0.0.1:1/db?sslmode=disable&password={SECRET}&connect_timeout=3",
    f"postgresql://u:se/{SECRET}@127.0.0.1:1/db",
    f"postgresql://u:se@{SECRET}@127.0.0.1:1/db",
    f"postgresql://u:se:{SECRET}@127.0.0.1:1/db",
    f"postgresql://u:se%40{SECRET}@127.0.0.1:1/db",
    f"postgresql://u:{SECRET}@127.0.0.1:1/db?bogus=1",  # invalid: the driver quotes the URI
    f"postgresql://u:{SECRET}@[bad/db",  # invalid: quoted back whole
    f"postgresql://u:{SECRET}%zz@127.0.0.1:1/db",  # invalid: quotes the password alone
    f"postgresql://u:{SECRET}@127.0.0.1:abc/db",  # OperationalError
    f"postgresql://u:{SECRET}%2Fet@127.0.0.1:1/db?password=x{SECRET}",  # both, '/' encoded
    f"postgresql://u@127.0.0.1:1/db?PASSWORD={SECRET}",
    f"postgresql:///db?user=u&password={SECRET}&host=127.0.0.1&port=1",
    f"postgresql://u:{SECRET}@127.0.0.1:1,127.0.0.1:2/db",  # two hosts
    f"host=127.0.0.1 port=1 dbname=db password={SECRET}",
    f"host=127.0.0.1 port=1 password = {SECRET} dbname=db",
    f"host=127.0.0.1 port=1 password='{SECRET} x' dbname=db",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_redact_hides_every_form(address):
    shown = redact(f"cannot connect to {address}: failed", address)
    assert SECRET not in shown
    assert "***" in shown
    # Without the address to go by, the patterns alone still hide it (where it is complete).
    if "%zz" not in address:
        assert SECRET not in redact(f'error in URI: "{address}"\n')


@pytest.mark.parametrize(
    "text",
    [
        f"connection to server failed: password={SECRET} host=h",
        f"{{'password': '{SECRET}', 'host': 'h'}}",
        f"sslpassword={SECRET}",
    ],
)
def test_redact_driver_message_forms(text):
    assert SECRET not in redact(text)


def test_redact_keeps_the_rest_readable():
    assert redact("postgresql://u@h/db?user=a@b") == "postgresql://u@h/db?user=a@b"
    assert redact("postgresql://u:pw@h:5/db: refused") == "postgresql://u:***@h:5/db: refused"
    assert redact("a note about passwords") == "a note about passwords"


def test_keyword_address_is_a_server_not_a_file():
    assert is_keyword_conninfo(f"host=h dbname=db password={SECRET}")
    assert is_server_url("host=h dbname=db")
    assert not is_server_url("data/host=1.sqlite")
    assert not is_server_url("data/conflict_map.sqlite")


@pytest.mark.parametrize("address", ADDRESSES)
def test_cli_stderr_never_shows_the_password(address, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a keyword address taken for a file would appear here
    assert cli.main(["corrections", "list", "--db", address]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and SECRET not in err
    assert list(tmp_path.iterdir()) == []


def test_log_lines_are_redacted(caplog):
    record = logging.LogRecord("x", logging.WARNING, "", 0, "opening %s", (ADDRESSES[0],), None)
    RedactFilter(ADDRESSES[0]).filter(record)
    assert SECRET not in record.getMessage()


def test_app_page_never_shows_the_password(monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from .test_app import APP

    for address in (ADDRESSES[2], ADDRESSES[9], ADDRESSES[10]):
        monkeypatch.setenv("CONFLICT_MAP_DB", address)
        st.cache_resource.clear()
        app = AppTest.from_file(APP, default_timeout=60)
        app.run()
        assert not app.exception
        shown = "\n".join(e.value for e in app.error)
        assert "Cannot open the database" in shown
        assert SECRET not in shown and SECRET not in str(app)
