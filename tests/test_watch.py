"""Watching feeds: only new items are ingested, state survives restarts, errors are kept."""

from __future__ import annotations

import pytest

from geo.__main__ import main
from geo.store import Store
from geo.watch import parse_interval

from .conftest import DATA
from .httpserver import LocalServer, Reply

FEED = (DATA / "feed.rss").read_bytes()
EXTRA_ITEM = b"""    <item>
      <title>Evacuation from Mariupol</title>
      <link>https://news.example.org/mariupol</link>
      <guid>https://news.example.org/mariupol</guid>
      <description>Buses left Mariupol for Zaporizhzhia on Sunday.</description>
    </item>
  </channel>"""


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("2h", 7200), ("1d", 86400), ("90", 90), ("1.5h", 5400)]
)
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10s", "-5m", "15 minutes"])
def test_bad_intervals_are_refused(text):
    with pytest.raises(ValueError):
        parse_interval(text)


@pytest.fixture
def env(monkeypatch, gazetteer, tmp_path):
    monkeypatch.setenv("CONFLICT_MAP_GAZETTEER", str(gazetteer.path))
    db = tmp_path / "watch.sqlite"
    monkeypatch.setenv("CONFLICT_MAP_DB", str(db))
    with LocalServer() as srv:
        monkeypatch.setenv("CONFLICT_MAP_ALLOW_PRIVATE", srv.host_port)
        yield srv, db


def run_watch(url: str, capsys) -> str:
    assert main(["watch", url, "--every", "15m", "--rounds", "1", "--workers", "1"]) == 0
    return capsys.readouterr().out


def test_watch_ingests_only_new_items_across_restarts(env, capsys):
    srv, db = env
    srv.routes["/feed.rss"] = Reply(body=FEED, content_type="application/rss+xml")
    url = srv.url("/feed.rss")

    out = run_watch(url, capsys)
    assert "2 new, 2 stored" in out and "1 failed" in out  # the empty item is reported
    assert Store(db).counts()["articles"] == 2

    # A later run (a restarted watcher) sees one new item and ingests only that one.
    srv.routes["/feed.rss"] = Reply(
        body=FEED.replace(b"  </channel>", EXTRA_ITEM), content_type="application/rss+xml"
    )
    out = run_watch(url, capsys)
    assert "1 new, 1 stored" in out
    store = Store(db)
    assert store.counts()["articles"] == 3
    (feed,) = store.feeds()
    assert feed.url == url and feed.every_s == 900 and feed.added == 3
    assert feed.last_poll is not None and feed.last_error is None

    out = run_watch(url, capsys)
    assert "0 new, 0 stored" in out
    assert Store(db).counts()["articles"] == 3


def test_an_unreachable_feed_is_recorded_and_the_others_go_on(env, capsys):
    srv, db = env
    srv.routes["/feed.rss"] = Reply(body=FEED, content_type="application/rss+xml")
    srv.routes["/gone.rss"] = Reply(status=404, body=b"gone")
    assert (
        main(
            ["watch", srv.url("/gone.rss"), srv.url("/feed.rss"), "--rounds", "1", "--workers", "1"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "404" in out and "2 new, 2 stored" in out
    states = {f.url: f for f in Store(db).feeds()}
    assert "404" in (states[srv.url("/gone.rss")].last_error or "")
    assert states[srv.url("/feed.rss")].last_error is None


def test_watch_refuses_private_addresses_by_default(env, monkeypatch, capsys):
    srv, db = env
    monkeypatch.delenv("CONFLICT_MAP_ALLOW_PRIVATE")
    srv.routes["/feed.rss"] = Reply(body=FEED, content_type="application/rss+xml")
    code = main(["watch", srv.url("/feed.rss"), "--rounds", "1", "--workers", "1"])
    assert code == 1  # every feed unreadable
    assert not srv.requests  # refused before connecting
    out = capsys.readouterr().out
    assert "private address" in out and "not added to the watched feeds" in out
    # Not kept: a later `watch --allow-private` would poll it.
    assert Store(db).feeds() == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "/etc/passwd"])
def test_watch_refuses_other_addresses_before_storing_anything(env, capsys, url):
    srv, db = env
    assert main(["watch", srv.url("/feed.rss"), url, "--rounds", "1"]) == 2
    assert "only http and https addresses can be watched" in capsys.readouterr().err
    assert Store(db).feeds() == [] and not srv.requests


def test_watch_fetches_with_credentials_but_stores_the_feed_without_them(env, capsys):
    srv, db = env
    url = srv.route("/feed.rss", Reply(body=FEED, content_type="application/rss+xml"))
    out = run_watch(url.replace("http://", "http://reader:s3cret@"), capsys)
    assert "2 new, 2 stored" in out and "s3cret" not in out
    assert "Authorization" in srv.hits("/feed.rss")[0].headers
    assert [f.url for f in Store(db).feeds()] == [url]


def test_watch_needs_a_sane_interval(env, capsys):
    assert main(["watch", "https://example.org/feed.rss", "--every", "5s"]) == 2
    assert "at most once a minute" in capsys.readouterr().err
