"""Correcting the machine and managing the corpus in a real browser, as a user does it.

The app runs with `streamlit run` in Debian's headless Chromium, every non-local request
blocked (fixtures from test_e2e). Everything is done with mouse clicks and typing; what was
stored is then read back from the SQLite file the app wrote.
"""

from __future__ import annotations

import re
import threading

import pytest

from geo.models import Article, Place
from geo.store import Query, Store

from .e2e_fixtures import click_place, pick_option
from .test_e2e import ARTIFACTS, beacon, page, server, wait_idle  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

ODESSA_TX = "gn:5527554"
ODESA = "gn:698740"


def mentions(db, key: str) -> int:
    counts = {c.place.key: c.mentions for c in Store(db).place_counts(Query())}
    return counts.get(key, 0)


def sidebar_expander(pg, label: str):
    sb = pg.locator("[data-testid='stSidebar']")
    sb.get_by_text(label).first.click()
    return sb


def test_wrong_place_everywhere_then_undo(page, server, beacon):  # noqa: F811
    """The Kremlin's "Odessa" sits in Texas: fix it for every article, read the fix in the
    panel (with a hostile reason that must stay text), then undo it from the history."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    b, hits = beacon
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wrong = mentions(db, ODESSA_TX)
    assert wrong >= 1  # the Kremlin's Odessa, in an article that also names Texas
    before = mentions(db, ODESA)
    pg.goto(f"{url}/?place={ODESSA_TX}")  # a copied link to the wrong marker
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="Odessa, US")).to_be_visible(timeout=60_000)
    pg.get_by_role("button", name="Correct…").first.click()
    dlg = pg.get_by_role("dialog")
    expect(dlg).to_be_visible(timeout=30_000)
    expect(dlg).to_contain_text("The geoparser's reason")
    dlg.get_by_text(re.compile(r"^Odesa: city, UA, 1\.0M people")).click()
    dlg.get_by_text("“Odessa” in every article, new ones too (a rule)").click()
    reason = f"Kremlin means the port <img src={b}/why.png onerror=alert(1)> ![x]({b}/md.png)"
    dlg.get_by_role("textbox", name=re.compile("Your reason")).fill(reason)
    dlg.get_by_role("textbox", name=re.compile("Your reason")).press("Enter")
    wait_idle(pg)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "correct_dialog.png"))
    dlg.get_by_role("button", name="Save correction").click()
    wait_idle(pg)
    # The panel follows the corrected mention to its new place.
    expect(pg.get_by_role("heading", name="Odesa, UA")).to_be_visible(timeout=30_000)
    assert mentions(db, ODESSA_TX) == 0 and mentions(db, ODESA) == before + wrong
    (fix,) = Store(db).corrections()
    assert (fix.scope, fix.action, fix.place.key, fix.note) == (
        "everywhere",
        "place",
        ODESA,
        reason,
    )
    assert fix.author  # who made it is kept

    # The right marker now holds the passages, each corrected one marked with both reasons
    # (seen on the day of the corrected article, so that it is on the panel's first page).
    day = (
        Store(db)
        .con()
        .execute(
            "SELECT a.published FROM mention m JOIN article a ON a.id = m.article_id"
            " WHERE m.correction = ? ORDER BY a.published LIMIT 1",
            (fix.id,),
        )
        .fetchone()[0]
    )
    pg.goto(f"{url}/?from={day}&to={day}")
    wait_idle(pg)
    click_place(pg, ODESA)
    wait_idle(pg)
    expect(pg.get_by_role("heading", name="Odesa, UA")).to_be_visible(timeout=30_000)
    marks = pg.locator(".cm-corrected")
    expect(marks.first).to_contain_text(
        "corrected by a user: Kremlin means the port <img", timeout=30_000
    )
    # The geoparser's own choice and reason stay next to the user's.
    expect(
        marks.filter(has_text=re.compile(r"the geoparser had chosen Odessa \(.+\)"))
    ).to_have_count(1)
    # The history in the sidebar shows the reason as text, too; undo it there.
    sb = sidebar_expander(pg, "Corrections (1 active)")
    expect(sb.get_by_text(re.compile(r"Odessa.*→ Odesa \(UA\), everywhere"))).to_be_visible()
    pg.wait_for_timeout(1500)  # give any injected image or script time to fire
    assert pg.locator(".cm-corrected img, [data-testid='stSidebar'] img").count() == 0
    assert not dialogs and not hits, (dialogs, hits)
    sb.get_by_role("button", name="Undo").first.click()
    wait_idle(pg)
    assert mentions(db, ODESSA_TX) == wrong and mentions(db, ODESA) == before
    assert Store(db).corrections()[0].undone_at is not None
    expect(sb.get_by_text("Corrections (0 active)")).to_be_visible(timeout=30_000)
    assert not outside, outside


def test_add_a_missed_village_remove_the_article_and_a_source(page, server):  # noqa: F811
    """Yahidne is missed: find its article with the text filter, add the village by hand in
    the reader, then remove that article and undo; remove a whole source and undo."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    store = Store(db)
    (aid,) = [a for a, _ in _ids_with(store, "Yahidne")]
    articles = store.counts()["articles"]
    wait_idle(pg)
    box = pg.get_by_role("textbox", name=re.compile("Text contains"))
    box.fill("Yahidne")
    box.press("Enter")
    wait_idle(pg)
    pg.get_by_role("button", name=re.compile(r" — \d+ mentions")).first.click()
    wait_idle(pg)
    pg.get_by_role("button", name="Read article").first.click()
    wait_idle(pg)
    reader = pg.locator(".cm-reader")
    expect(reader).to_contain_text("Parliament of Portugal", timeout=30_000)
    main = pg.get_by_test_id("stMainBlockContainer")
    main.get_by_text("Add a missed place", exact=True).click()
    words = pg.get_by_role("textbox", name="The words in the article (as written)")
    words.fill("Yahidne")
    words.press("Enter")
    wait_idle(pg)
    expect(pg.get_by_text("Found 1 time in this article.")).to_be_visible(timeout=30_000)
    pg.get_by_text("Enter a point by hand").click()
    wait_idle(pg)
    for name, value in (("Latitude", "51.4286"), ("Longitude", "31.2418")):
        field = pg.get_by_role("spinbutton", name=name)
        field.fill(value)
        field.press("Enter")
        wait_idle(pg)
    pg.get_by_role("textbox", name="Country code (2 letters)").fill("UA")
    pg.get_by_role("textbox", name="Country code (2 letters)").press("Enter")
    wait_idle(pg)
    pg.get_by_role("button", name="Add this place").click()
    wait_idle(pg)
    expect(reader.locator("mark[title='Yahidne, UA']")).to_have_count(1, timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "reader_added_place.png"))
    yahidne = [c for c in Store(db).place_counts(Query()) if c.place.name == "Yahidne"]
    assert len(yahidne) == 1 and yahidne[0].mentions == 1
    assert abs(yahidne[0].place.lat - 51.4286) < 1e-3

    # Remove this article, then undo while the page is open.
    main.get_by_text("Remove this article", exact=True).click()
    main.get_by_text("Yes, remove this article").click()
    wait_idle(pg)
    pg.get_by_role("button", name="Remove", exact=True).click()
    wait_idle(pg)
    assert Store(db).article(aid) is None
    assert Store(db).counts()["articles"] == articles - 1
    sb = sidebar_expander(pg, "Manage the corpus")
    sb.get_by_role("button", name=re.compile("Undo removal")).click()
    wait_idle(pg)
    assert Store(db).article(aid) is not None
    assert [c.mentions for c in Store(db).place_counts(Query()) if c.place.name == "Yahidne"] == [1]

    # Remove a whole source through the sidebar, with its confirmation; then undo.
    wiki = [s for s, _ in Store(db).sources() if "Wikinews" in s]
    assert wiki, Store(db).sources()
    sb = remove_source(pg, wiki[0], "Wikinews")
    assert wiki[0] not in {s for s, _ in Store(db).sources()}
    sb.get_by_role("button", name=re.compile("Undo removal: .*source")).click()
    wait_idle(pg)
    assert Store(db).counts()["articles"] == articles
    assert not outside, outside


def remove_source(pg, source: str, typed: str):
    """Remove every article of `source` in the sidebar's "Manage the corpus" box, typing
    `typed` to find it and confirming; returns the sidebar.
    """
    from playwright.sync_api import expect

    sb = pg.locator("[data-testid='stSidebar']")
    choose = sb.locator("[data-testid='stSelectbox']").filter(
        has_text="Remove every article of a source"
    )
    if not choose.is_visible():
        sb.get_by_text("Manage the corpus").first.click()
    expect(choose).to_be_visible(timeout=30_000)
    pick_option(pg, choose, typed, re.compile(re.escape(source)))
    wait_idle(pg)
    sb.get_by_text("Yes, remove them from the map").click()
    wait_idle(pg)
    sb.get_by_role("button", name="Remove", exact=True).click()
    wait_idle(pg)
    return sb


def _ids_with(store: Store, words: str):
    rows = (
        store.con()
        .execute("SELECT id, title FROM article WHERE instr(text, ?) > 0", (words,))
        .fetchall()
    )
    return rows


def test_two_sessions_correct_one_article_while_an_ingest_runs(page, server):  # noqa: F811
    """Two browser sessions fix the same article at the same time as an ingest writes."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    second = pg.context.browser.new_page(viewport={"width": 1500, "height": 1000})
    second.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(
                ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
            )
            else r.abort()
        ),
    )
    stop = threading.Event()
    wrote: list[int] = []

    def ingest() -> None:
        s = Store(db)
        n = 0
        while not stop.is_set():
            a = Article(
                f"bulk-{n}", None, f"Bulk {n}", None, "Bulk", "en", f"Report {n} of Odessa."
            )
            s.save(a, [], "bulk", "/bulk")
            n += 1
            stop.wait(0.02)  # an ingest spends its time geoparsing, not holding the lock
        wrote.append(n)

    t = threading.Thread(target=ingest)
    t.start()
    try:
        for p in (pg, second):
            p.goto(f"{url}/?place={ODESSA_TX}")
        for p in (pg, second):
            wait_idle(p)
            expect(p.get_by_role("heading", name="Odessa, US")).to_be_visible(timeout=60_000)
            p.get_by_role("button", name="Correct…").first.click()
            expect(p.get_by_role("dialog")).to_be_visible(timeout=30_000)
        pg.get_by_role("dialog").get_by_text("Not a place", exact=True).click()
        second.get_by_role("dialog").get_by_text(re.compile(r"^Odesa: city, UA")).click()
        wait_idle(pg)
        wait_idle(second)
        pg.get_by_role("dialog").get_by_role("button", name="Save correction").click()
        second.get_by_role("dialog").get_by_role("button", name="Save correction").click()
        wait_idle(pg)
        wait_idle(second)
    finally:
        stop.set()
        t.join()
        second.close()
    fixes = Store(db).corrections()
    assert sorted(c.action for c in fixes) == ["not_place", "place"]
    assert wrote and Store(db).counts()["articles"] >= wrote[0]
    assert Store(db).con().execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not outside, outside


# What an earlier geoparser made of the sample (the errors the corrections issue names).
OLD_ERRORS = [
    ("Brussels", Place(4833850, "Brussels", "city", 38.94, -90.59, "US")),
    ("Oka", Place(1854437, "Ōka", "city", 35.05, 139.78, "JP")),
    ("Mars", Place(5199944, "Mars", "city", 40.70, -80.01, "US")),
    ("Venus", Place(4739052, "Venus", "city", 30.86, -97.19, "US")),
    ("Xinhua", Place(12358565, "Xinhua", "city", 26.5, 116.9, "CN")),
]


@pytest.fixture
def old_errors(app_db):
    """Put those errors back into the app's database, as the geoparser's own choices."""
    store = Store(app_db)
    with store.transaction() as con:
        for name, p in OLD_ERRORS:
            con.execute(
                "INSERT OR IGNORE INTO place VALUES (?,?,?,?,?,?,?)",
                (p.key, p.geonameid, p.name, p.kind, p.lat, p.lon, p.country_code),
            )
            rows = con.execute(
                "SELECT id, text FROM article WHERE instr(text, ?) > 0", (name,)
            ).fetchall()
            for aid, text in rows:
                for m in re.finditer(rf"\b{name}\b", text):
                    con.execute(
                        'DELETE FROM mention WHERE article_id = ? AND start < ? AND "end" > ?',
                        (aid, m.end(), m.start()),
                    )
                    con.execute(
                        'INSERT INTO mention(article_id, start, "end", text, mention_type,'
                        " place_key, reason, auto_place_key) VALUES (?,?,?,?,?,?,?,?)",
                        (aid, m.start(), m.end(), name, "name", p.key, "most populous", p.key),
                    )
    store.close()
    return app_db


def correct_first_passage(pg, url: str, key: str, heading: str) -> object:
    """Open a place by its link and the "Correct…" dialog of its first passage."""
    from playwright.sync_api import expect

    pg.goto(f"{url}/?place={key}&from=2006-01-01&to=2023-12-31")
    wait_idle(pg)
    expect(pg.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
    pg.get_by_role("button", name="Correct…").first.click()
    dlg = pg.get_by_role("dialog")
    expect(dlg).to_be_visible(timeout=30_000)
    return dlg


def save(pg, dlg) -> None:
    wait_idle(pg)
    dlg.get_by_role("button", name="Save correction").click()
    wait_idle(pg)


def test_every_named_sample_error_can_be_fixed(old_errors, page, server):  # noqa: F811
    """Brussels (a US village), the Oka river (Ōka, Japan), Mars and Venus (US towns) and
    the news agency Xinhua (a Chinese city): each fixed through the dialog."""
    from playwright.sync_api import expect

    pg, url, outside, bad = page
    _, db = server
    wrong_brussels = mentions(db, "gn:4833850")
    assert wrong_brussels > 10 and mentions(db, "gn:2800866") == 0
    wrong_oka = mentions(db, "gn:1854437")
    assert wrong_oka >= 1
    wait_idle(pg)
    dlg = correct_first_passage(pg, url, "gn:4833850", "Brussels, US")
    dlg.get_by_text(re.compile(r"^Brussels: city \(capital\), BE")).click()
    dlg.get_by_text("“Brussels” in every article, new ones too (a rule)").click()
    save(pg, dlg)

    dlg = correct_first_passage(pg, url, "gn:1854437", "Ōka, JP")
    dlg.get_by_text("Enter a point by hand").click()
    wait_idle(pg)
    dlg.get_by_role("textbox", name="Place name").fill("Oka (river)")
    dlg.get_by_role("textbox", name="Place name").press("Enter")
    wait_idle(pg)
    dlg.get_by_role("combobox", name="Kind").click()
    pg.get_by_role("option", name="water", exact=True).click()
    wait_idle(pg)
    for name, value in (("Latitude", "55.08"), ("Longitude", "38.78")):
        dlg.get_by_role("spinbutton", name=name).fill(value)
        dlg.get_by_role("spinbutton", name=name).press("Enter")
        wait_idle(pg)
    dlg.get_by_text("“Oka” in every article, new ones too (a rule)").click()
    save(pg, dlg)

    for key, heading in (("gn:5199944", "Mars, US"), ("gn:4739052", "Venus, US"),
                         ("gn:12358565", "Xinhua, CN")):  # fmt: skip
        dlg = correct_first_passage(pg, url, key, heading)
        dlg.get_by_text("Not a place", exact=True).click()
        wait_idle(pg)
        dlg.get_by_text(re.compile(r"in every article, new ones too")).click()
        save(pg, dlg)
        expect(pg.get_by_text("No passages in the current selection")).to_be_visible()

    counts = {c.place.key: c for c in Store(db).place_counts(Query())}
    for gone in ("gn:4833850", "gn:1854437", "gn:5199944", "gn:4739052", "gn:12358565"):
        assert gone not in counts, gone
    oka = [c for c in counts.values() if c.place.name == "Oka (river)"]
    assert len(oka) == 1 and oka[0].place.kind == "water" and oka[0].mentions == wrong_oka
    assert counts["gn:2800866"].mentions == wrong_brussels  # every one now in Belgium
    assert len(Store(db).corrections(include_undone=False)) == 5
    assert not outside, outside
