"""The dashboard's logic through Streamlit's AppTest (no browser: see test_e2e for clicks)."""

import re
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.pipeline import ingest
from geo.store import Query, Store

from .conftest import DATA

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MARIUPOL = "gn:701822"


@pytest.fixture
def at(app_db):
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    return app


def markdown(at) -> str:
    """Everything the page shows as Markdown or HTML, in order."""
    return "\n".join([m.value for m in at.markdown] + [h.proto.body for h in at.get("html")])


def corpus_line(at) -> str:
    """The header's one line: corpus counts, then the languages read."""
    return next(h.proto.body for h in at.get("html") if "cm-corpus" in h.proto.body)


def places_line(at) -> str:
    return next(m.value for m in at.markdown if "places**" in m.value)


def test_starts_on_the_sample_with_bounded_dates(at, app_db):
    assert at.title[0].value == "Conflict Map"
    store = Store(app_db)
    (dates,) = at.sidebar.date_input
    # The landing range is where the articles cluster, not the few stray old texts' years.
    assert dates.value == store.core_dates() == (date(2021, 10, 24), date(2022, 6, 24))
    assert store.date_bounds()[0] == date(2006, 1, 12)
    assert re.search(r"Whole corpus: [\d,]+ articles naming [\d,]+ places", corpus_line(at))
    assert "Click a marker" in at.info[0].value


def test_selected_place_shows_its_passages(at):
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    text = markdown(at)
    assert '<h3 class="cm-place">Mariupol' in text
    assert "<mark>Mariupol</mark>" in text
    assert "President of Ukraine" in text or "kremlin" in text.lower()


def test_date_range_narrows_counts_and_passages(at, app_db):
    before = places_line(at)
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    n_before = markdown(at).count("<mark>")
    at.sidebar.date_input[0].set_value((date(2022, 3, 1), date(2022, 3, 7))).run()
    assert places_line(at) != before
    n_after = markdown(at).count("<mark>")
    assert 0 < n_after < n_before
    expected = Store(app_db).passages(MARIUPOL, Query(start=date(2022, 3, 1), end=date(2022, 3, 7)))
    assert n_after == len(expected)
    assert at.query_params["from"] in ("2022-03-01", ["2022-03-01"])


def test_filters_come_from_the_url(app_db):
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["from"] = "2022-04-01"
    at.query_params["to"] = "2022-04-30"
    at.query_params["place"] = MARIUPOL
    at.query_params["kind"] = "city"
    at.run()
    assert at.sidebar.date_input[0].value == (date(2022, 4, 1), date(2022, 4, 30))
    assert at.sidebar.multiselect(key="kinds").value == ["city"]
    assert '<h3 class="cm-place">Mariupol' in markdown(at)


def test_article_text_is_escaped_in_the_panel(at, app_db, gazetteer):
    from geo.pipeline import Geoparser

    ingest([DATA / "xss.json"], Store(app_db), Geoparser(gazetteer=gazetteer))
    st.cache_data.clear()
    at.session_state["selected_place"] = "gn:703448"  # Kyiv
    at.session_state["dates"] = (date(2022, 4, 1), date(2022, 4, 1))
    at.run()
    text = markdown(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text and "<img src=x" not in text and "<b>bold</b>" not in text
    assert 'href="javascript:' not in text


def test_ingest_failures_are_listed(at, app_db, tmp_path, monkeypatch, gazetteer):
    from geo.pipeline import Geoparser

    ingest([DATA / "empty.txt"], Store(app_db), Geoparser(gazetteer=gazetteer))
    at.run()
    assert any("could not be read" in e.label for e in at.expander)
    assert "file is empty" in markdown(at)


def test_dropped_files_appear_on_the_next_visit(at, tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "articles"
    folder.mkdir()
    monkeypatch.setenv("CONFLICT_MAP_ARTICLES", str(folder))
    shutil.copy(DATA / "page.html", folder / "page.html")
    shutil.copy(DATA / "binary.txt", folder / "binary.txt")
    fresh = AppTest.from_file(APP, default_timeout=120)  # a new browser session
    fresh.query_params["q"] = "evacuation buses left"
    fresh.query_params["place"] = "gn:706483"  # Kharkiv
    fresh.run()
    assert not fresh.exception
    text = markdown(fresh)
    assert "Shelling near Kharkiv" in text and "<mark>Kharkiv</mark>" in text
    assert "binary file" in text  # the unreadable file is listed, not silently dropped


def test_top_places_open_their_passages(at):
    top = next(b for b in at.button if b.key and b.key.startswith("top_"))
    assert "mentions" in top.label
    top.click().run()
    name = re.sub(r"\\(.)", r"\1", top.label.split(" — ")[0])  # the label is Markdown-escaped
    assert f'<h3 class="cm-place">{name}' in markdown(at)


def test_country_filter_shows_names(at):
    countries = at.sidebar.multiselect(key="countries")
    assert "Ukraine (UA)" in countries.options


def test_unreachable_url_gives_one_clear_line(at, app_db):
    at.sidebar.text_area[0].set_value("http://127.0.0.1:9/gone.html")
    at.sidebar.button[-1].click().run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert any("refused" in e and "private address" in e for e in errors), errors
    # Said next to the box, not kept in the failed-inputs list above the map.
    assert Store(app_db).failures() == []


def test_unusable_database_gives_one_clear_line(tmp_path, monkeypatch):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database " * 200)
    monkeypatch.setenv("CONFLICT_MAP_DB", str(junk))
    st.cache_resource.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    assert any("Cannot open the database" in e.value for e in app.error)
    assert junk.read_bytes().startswith(b"not a database")  # left untouched


def test_markdown_in_articles_takes_no_effect(at, app_db, gazetteer):
    """Blank lines, images, links and maths in a title, source or text stay literal text."""
    from geo.pipeline import Geoparser

    ingest([DATA / "markdown_payload.json"], Store(app_db), Geoparser(gazetteer=gazetteer))
    st.cache_data.clear()
    at.session_state["selected_place"] = "gn:703448"  # Kyiv
    at.session_state["dates"] = (date(2022, 4, 2), date(2022, 4, 2))
    at.run()
    assert not at.exception
    # Untrusted text reaches the page only through st.html, never through Markdown elements.
    md = "\n".join(m.value for m in at.markdown)
    assert "beacon" not in md and "example.org" not in md
    html_parts = [h.proto.body for h in at.get("html")]
    cards = [h for h in html_parts if "cm-passage" in h]
    assert cards, "the passage is shown"
    card = cards[0]
    assert "![beacon](http://127.0.0.1:9/title.png)" in card  # literal, not an image
    assert "$E=mc^2$" in "".join(cards)  # no maths rendering: the HTML is never Markdown
    assert "<img" not in "".join(cards)
    assert card.count("<a ") == 1  # only the title link the app makes itself
    assert 'href="https://example.org/a?utm_source=x"' in card


def test_failure_list_is_literal_text(at, app_db, tmp_path, gazetteer):
    from geo.pipeline import Geoparser

    bad = tmp_path / "[x](https:__example.org) $y$.json"
    bad.write_text('{"id": "![i](http://127.0.0.1:9/i.png)", "title": "no text"}')
    ingest([bad], Store(app_db), Geoparser(gazetteer=gazetteer))
    at.run()
    listing = next(h.proto.body for h in at.get("html") if "cm-failures" in h.proto.body)
    assert "[x](https:__example.org) $y$.json" in listing
    assert "<a " not in listing and "<img" not in listing


def test_add_a_web_page_never_reads_local_files(at, app_db):
    before = Store(app_db).counts()["articles"]
    for typed in (str(DATA / "page.html"), str(DATA), "file:///etc/passwd", "/etc/passwd"):
        at.sidebar.text_area[0].set_value(typed)
        at.sidebar.button[-1].click().run()
        assert not at.exception
        errors = [e.value for e in at.sidebar.error]
        assert any("only web addresses" in e for e in errors), errors
        # Nothing about the disk: neither whether the path exists nor what the file holds.
        assert not any(w in e.lower() for e in errors for w in ("exist", "root:", "directory"))
    assert Store(app_db).counts()["articles"] == before


def test_add_a_web_page_from_an_allowed_local_server(at, app_db, monkeypatch):
    """The private-address guard has an opt-out; with it, a page is fetched and stored (its
    scheme in capitals, once read as a local path)."""
    from .httpserver import LocalServer, Reply

    with LocalServer() as srv:
        srv.routes["/kharkiv.html"] = Reply(body=(DATA / "page.html").read_bytes())
        monkeypatch.setenv("CONFLICT_MAP_ALLOW_PRIVATE", srv.host_port)
        before = Store(app_db).counts()["articles"]
        at.sidebar.text_area[0].set_value(srv.url("/kharkiv.html").replace("http://", "HTTP://"))
        at.sidebar.button[-1].click().run()
    assert not at.exception
    assert [e.value for e in at.sidebar.error] == []
    assert any("1 added" in s.value for s in at.sidebar.success)
    assert Store(app_db).counts()["articles"] == before + 1


def test_watched_feeds_are_listed_with_their_state(at, app_db):
    store = Store(app_db)
    store.watch_feed("https://example.org/feed.rss", 900)
    store.watch_feed("https://example.net/<b>atom</b>", 3600)
    store.record_poll("https://example.org/feed.rss", 3, "")
    store.record_poll("https://example.net/<b>atom</b>", 0, "could not reach example.net")
    at.run()
    assert any("2 watched feeds, 1 with errors" in e.label for e in at.expander)
    table = next(h.proto.body for h in at.get("html") if "cm-feeds" in h.proto.body)
    assert "could not reach example.net" in table and "15 min" in table and "1 h" in table
    assert "&lt;b&gt;atom&lt;/b&gt;" in table and "<b>" not in table


STORY = (
    "Russian artillery shelled residential districts of Kharkiv overnight, regional governor "
    "Oleh Synehubov said on Tuesday, adding that at least four civilians were wounded and "
    "several apartment blocks caught fire. Emergency crews worked through the night to put out "
    "the flames while residents sheltered in metro stations across the city. Ukrainian forces "
    "said they had pushed Russian units back from several villages north and east of Kharkiv "
    "in recent days, reducing the range of the shelling, but the bombardment continued."
)


def test_wire_copies_count_once_and_other_languages_are_named(at, app_db, tmp_path, gazetteer):
    import json

    from geo.pipeline import Geoparser

    records = [
        {"id": "wire-a", "title": "Kharkiv shelled", "published": "2022-05-10",
         "source": "Wire A", "url": "https://a.example.org/kharkiv", "text": STORY},
        {"id": "wire-b", "title": "Kharkiv shelled overnight", "published": "2022-05-10",
         "source": "Wire B", "url": "https://b.example.org/k", "text": STORY + " More later."},
        {"id": "uk-1", "title": "Обстріл Харкова", "published": "2022-05-10", "source": "UA",
         "text": "Російська артилерія вночі обстріляла житлові райони Харкова, повідомив "
                 "голова обласної військової адміністрації. Поранено щонайменше чотирьох "
                 "цивільних, кілька багатоквартирних будинків загорілися."},
    ]  # fmt: skip
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    report = ingest([path], Store(app_db), Geoparser(gazetteer=gazetteer), workers=1)
    assert report.added == 3 and report.other_languages == {}  # Ukrainian is geoparsed
    st.cache_data.clear()
    at.session_state["selected_place"] = "gn:706483"  # Kharkiv
    at.session_state["dates"] = (date(2022, 5, 10), date(2022, 5, 10))
    at.run()
    assert not at.exception
    line = corpus_line(at)
    assert "republished copies counted once" in line
    languages = line.split("cm-langs", 1)[1]
    assert "Geoparsed: English" in languages and "Ukrainian 1" in languages
    assert "events found in English articles only" in languages
    cards = [h.proto.body for h in at.get("html") if "cm-passage" in h.proto.body]
    uk = [c for c in cards if "Обстріл Харкова" in c]
    assert len(uk) == 1 and "<mark>Харкова</mark>" in uk[0]  # the text in its own script
    assert 'Kharkiv — written <span class="cm-form">«Харкова»</span>' in uk[0]
    wire = [c for c in cards if "Wire A" in c or "Wire B" in c]
    assert len(wire) == 2  # one copy stands for the story: its two Kharkiv mentions
    assert "also published by" in wire[0] and "Wire B" in wire[0]


def test_several_pages_at_once_and_a_watched_feed_polled_from_the_app(at, app_db, monkeypatch):
    from .httpserver import LocalServer, Reply

    feed = (DATA / "feed.rss").read_bytes()
    with LocalServer() as srv:
        srv.routes["/kharkiv.html"] = Reply(body=(DATA / "page.html").read_bytes())
        srv.routes["/feed.rss"] = Reply(body=feed, content_type="application/rss+xml")
        monkeypatch.setenv("CONFLICT_MAP_ALLOW_PRIVATE", srv.host_port)
        before = Store(app_db).counts()["articles"]
        at.sidebar.text_area[0].set_value(
            f"{srv.url('/kharkiv.html')}\n# a comment\n{srv.url('/feed.rss')}\n"
        )
        watch_box = next(c for c in at.sidebar.checkbox if c.label == "Watch these feeds")
        watch_box.check()
        at.sidebar.button[-1].click().run()
        assert not at.exception
        store = Store(app_db)
        assert store.counts()["articles"] == before + 3  # the page and the feed's two entries
        assert {f.url for f in store.feeds()} == {srv.url("/kharkiv.html"), srv.url("/feed.rss")}
        # The feed gains an item; "Poll feeds now" fetches only that one.
        srv.routes["/feed.rss"] = Reply(
            body=feed.replace(
                b"  </channel>",
                b"<item><title>Mariupol</title><link>https://news.example.org/m</link>"
                b"<description>Buses left Mariupol for Zaporizhzhia.</description></item>"
                b"</channel>",
            ),
            content_type="application/rss+xml",
        )
        at.run()
        next(b for b in at.button if b.label == "Poll feeds now").click().run()
        assert not at.exception
        polled = " ".join(i.value for i in at.info)
        assert "feed.rss: 1 new, 1 stored" in polled.replace("\\", ""), polled  # only the new item
    assert Store(app_db).counts()["articles"] == before + 4
    feeds = {f.url: f for f in Store(app_db).feeds()}
    assert feeds[srv.url("/feed.rss")].added == 3


def test_added_pages_and_polled_feeds_are_stopped_at_their_deadline(at, app_db, monkeypatch):
    """Pages and feeds are fetched and geoparsed in a process of their own: one that takes too
    long is stopped with a message (its password hidden), and the page goes on."""
    import time

    from geo import isolated

    from .httpserver import LocalServer, Reply

    monkeypatch.setattr(isolated, "DEADLINE_S", 2.0)
    with LocalServer() as srv:
        srv.routes["/slow"] = Reply(body=(DATA / "page.html").read_bytes(), trickle=0.2)
        monkeypatch.setenv("CONFLICT_MAP_ALLOW_PRIVATE", srv.host_port)
        slow = f"http://reader:s3cret@{srv.host_port}/slow"
        for watch in (False, True):
            at.sidebar.text_area[0].set_value(slow)
            box = next(c for c in at.sidebar.checkbox if c.label == "Watch these feeds")
            box.check() if watch else box.uncheck()
            t = time.perf_counter()
            at.sidebar.button[-1].click().run()
            assert time.perf_counter() - t < 20  # the fetch alone may take 30 s
            assert not at.exception
            errors = [e.value.replace("\\", "").replace("\u2060", "") for e in at.sidebar.error]
            assert len(errors) == 1 and "took more than 2 s and was stopped" in errors[0], errors
            assert srv.host_port in errors[0] and "s3cret" not in errors[0]
        # A watched feed that has become slow: "Poll feeds now" is stopped the same way.
        Store(app_db).watch_feed(srv.url("/slow"), 900)  # the add may be stopped before this
        at.run()
        next(b for b in at.button if b.label == "Poll feeds now").click().run()
        assert not at.exception
        polled = " ".join(i.value for i in at.info).replace("\\", "").replace("\u2060", "")
        assert "/slow: took more than 2 s and was stopped" in polled, polled
        assert "s3cret" not in polled


def test_passages_page_past_the_newest_500(at, app_db):
    kyiv = "gn:703448"
    total = Store(app_db).count_passages(kyiv, Query())[0]
    assert total > 600
    at.session_state["selected_place"] = kyiv
    at.session_state[f"page_{kyiv}"] = 31  # read from the store, not the cache
    at.run()
    assert any(f"Passages 601–620 of {total:,}" in c.value for c in at.caption)
    assert markdown(at).count('<blockquote class="cm-quote">') == 20


def test_reader_lists_the_article_places_to_correct(at, app_db):
    aid = "pgu-74465"
    at.session_state["reader"] = aid
    at.run()
    assert not at.exception
    assert 'class="cm-reader"' in markdown(at)
    pick = next(s for s in at.selectbox if (s.key or "").startswith("reader_pick"))
    labels = list(pick.options)  # as the user reads them
    assert any(label.startswith("“Borodyanka” → Borodianka (UA)") for label in labels)
    at.button(key="reader_fix").click().run()
    assert not at.exception


def test_failure_list_can_be_cleared(at, app_db):
    from geo.models import Failure

    Store(app_db).record_failures([Failure("bad.pdf", "not supported", "/x/bad.pdf")], [])
    at.run()
    assert any("could not be read" in e.label for e in at.expander)
    at.button(key="clear_failures").click().run()
    assert not any("could not be read" in e.label for e in at.expander)
    assert Store(app_db).failures() == []


def test_just_added_article_offers_its_places(at, app_db):
    at.session_state["_just_added"] = ["pgu-74465"]
    at.run()
    show = at.button(key="show_pgu-74465")
    assert "Show this article's places" in show.label
    show.click().run()
    assert any("Showing the places of one article" in c.value for c in at.caption)
    assert 'class="cm-reader"' in markdown(at)
    line = places_line(at)
    assert int(line.split()[0].strip("*").replace(",", "")) < 40  # only that article's places


def test_close_the_panel_back_to_the_most_mentioned(at):
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    at.button(key="deselect").click().run()
    assert "selected_place" not in at.session_state or not at.session_state["selected_place"]
    assert any("Click a marker" in i.value for i in at.info)


def markdown_rendered(at) -> list[str]:
    """The text of every element and label that Streamlit renders as Markdown."""
    out = [m.value for m in at.markdown]
    for kind in ("caption", "info", "warning", "error", "success", "toast"):
        out += [e.value for e in at.get(kind)]
    out += [b.label for b in at.button] + [e.label for e in at.expander]
    for r in at.radio:
        out += [r.label, *r.options]
    return out


def test_bare_links_in_untrusted_text_stay_text(at, app_db, gazetteer):
    """Bare URLs, www. names and e-mail addresses in a title, a source, a text, a user's reason
    or a file name become no live link in the sidebar, the reader, the article filter's line,
    an upload error or the correction dialog (its scope options name the source)."""
    import json

    from geo.models import Correction
    from geo.pipeline import Geoparser

    from .test_render import gfm_autolinks

    record = {
        "id": "bare-1",
        "title": "Kyiv news http://evil.example/t www.evil.example",
        "source": "www.evil.example desk@evil.example",
        "url": "https://example.org/own",
        "published": "2022-04-02",
        "text": "Shelling hit Kyiv http://evil.example/x today. www.evil.example Kyiv again.",
    }
    path = Path(app_db).parent / "bare.json"
    path.write_text(json.dumps(record))
    store = Store(app_db)
    assert ingest([path], store, Geoparser(gazetteer=gazetteer)).added == 1
    kyiv = store.place("gn:703448")
    store.add_correction(
        Correction("place", "source", "Kyiv", kyiv, "bare-1", record["source"],
                   note="see https://evil.example/why and www.evil.example")
    )  # fmt: skip
    st.cache_data.clear()
    at.session_state["article_filter"] = "bare-1"
    at.session_state["reader"] = "bare-1"
    at.session_state["_upload_messages"] = [
        ("error", "www.evil.example http:__evil.example.pdf: This PDF is not supported")
    ]
    at.run()
    assert not at.exception
    shown = markdown_rendered(at)
    at.button(key="reader_fix").click().run()  # the correction dialog of a place in the article
    assert not at.exception
    shown = [s for s in shown + markdown_rendered(at) if "evil" in s]
    plain = re.sub(r"\\(.)", r"\1", "\n".join(shown)).replace("\u2060", "")  # as seen
    for where in (
        "Showing the places of one article: Kyiv news",  # the article filter's line
        "http:__evil.example.pdf: This PDF",  # the upload error
        "see https://evil.example/why",  # the reason, in the corrections list
        "“Kyiv” in every article of www.evil.example",  # the dialog's scope option
    ):
        assert where in plain, where
    links = {s: gfm_autolinks(s) for s in shown}
    assert not any(links.values()), {s: v for s, v in links.items() if v}


def test_an_upload_stored_by_a_run_cut_short_is_kept_when_the_next_run_sees_it(
    app_db, tmp_path, monkeypatch
):
    """A multi-file upload reruns the page as files arrive; the file the cut-short run stored
    comes back as the same path, unchanged: it is reported as stored and stays on disk."""
    from types import SimpleNamespace

    from ui.corpus import add_uploads

    folder = tmp_path / "articles"
    monkeypatch.setenv("CONFLICT_MAP_ARTICLES", str(folder))
    data = (DATA / "kharkiv" / "kharkiv_en.txt").read_bytes()
    upload = SimpleNamespace(name="kharkiv_en.txt", getvalue=lambda: data)
    store = Store(app_db)
    first = add_uploads(store, [upload])
    assert first[0][0] == "success", first
    again = add_uploads(store, [upload])  # what the rerun sees: the same path, unchanged
    assert again == [("success", "kharkiv_en.txt: already stored, unchanged")]
    assert [p.name for p in folder.iterdir()] == ["kharkiv_en.txt"]
    assert store.articles_of(origin=str((folder / "kharkiv_en.txt").resolve()))


def caption_with(at, text: str) -> str:
    return next((c.value for c in at.caption if text in c.value), "")


def test_jump_to_a_page_turn_pages_and_back_to_one_when_a_filter_changes(at):
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    box = at.number_input(key=f"page_{MARIUPOL}")
    assert box.value == 1 and "Passages 1–20 of" in caption_with(at, "Passages")
    box.set_value(5).run()
    assert "Passages 81–100 of" in caption_with(at, "Passages")
    at.button(key="older").click().run()
    assert "Passages 101–120 of" in caption_with(at, "Passages")
    at.button(key="newer").click().run()
    at.button(key="newer").click().run()
    assert "Passages 61–80 of" in caption_with(at, "Passages")
    assert at.number_input(key=f"page_{MARIUPOL}").value == 4
    at.checkbox(key="undated").uncheck().run()  # a filter changes
    assert "Passages 1–20 of" in caption_with(at, "Passages"), caption_with(at, "Passages")
    assert at.number_input(key=f"page_{MARIUPOL}").value == 1


def test_mentioned_together_one_click_away(at, app_db):
    at.session_state["selected_place"] = MARIUPOL
    at.run()
    together = at.button_group(key=f"together_{MARIUPOL}")
    store = Store(app_db)
    start, end = store.core_dates()
    expected = store.mentioned_together(MARIUPOL, Query(start=start, end=end), limit=8)
    shown = together.options
    assert shown[0].startswith(expected[0].place.name) and len(shown) == len(expected)
    kharkiv = next(t for t in expected if t.place.name == "Kharkiv")
    assert f"Kharkiv · {kharkiv.passages:,} / {kharkiv.articles:,}" in shown
    together.set_value(kharkiv.place.key).run()  # one click on its pill
    assert not at.exception
    assert at.session_state["selected_place"] == kharkiv.place.key
    assert '<h3 class="cm-place">Kharkiv' in markdown(at)


def test_reader_places_are_one_click_away_and_demonyms_marked_only_when_counted(at, app_db):
    store = Store(app_db)
    aid, start, end, text = (
        store.con()
        .execute(
            "SELECT article_id, start, \"end\", text FROM mention WHERE mention_type = 'demonym'"
            " AND place_key IS NOT NULL ORDER BY article_id LIMIT 1"
        )
        .fetchone()
    )
    at.session_state["reader"] = aid
    at.run()
    page = markdown(at)
    assert f">{text}</mark>" not in page  # demonyms are not counted: not marked
    names = [m for m in store.mentions_of(aid) if m.place and m.mention_type == "name"]
    assert f">{names[0].text}</mark>" in page
    links = at.button_group(key=f"reader_places_{aid}")
    assert len(links.options) == len({m.place.key for m in names})
    at.checkbox(key="demonyms").check().run()
    assert f">{text}</mark>" in markdown(at)
    # A click on a place's pill opens its passages (and closes the reader).
    target = names[0].place
    at.button_group(key=f"reader_places_{aid}").set_value(target.key).run()
    assert not at.exception
    assert at.session_state["selected_place"] == target.key
    assert "reader" not in at.session_state
    assert '<h3 class="cm-place">' in markdown(at)
