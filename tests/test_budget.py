"""Each article's parse runs within a time and memory budget; the batch goes on without it."""

from __future__ import annotations

import time

import pytest

from geo import budget
from geo.errors import BudgetError
from geo.pipeline import ingest
from geo.textguard import MOSTLY_SYMBOLS

GOOD = (
    "Shelling hit Kharkiv overnight, the regional governor said. Residents of Izium were "
    "evacuated towards Dnipro as fighting continued near Kupiansk."
)


class FakeNlp:
    """Returns texts as docs; "SLOW" takes 5 s, "HUGE" holds 400 MB for 2 s."""

    def __call__(self, text: str) -> str:
        if "SLOW" in text:
            time.sleep(5)
        if "HUGE" in text:
            block = bytearray(400 * 2**20)
            block[::4096] = b"x" * len(block[::4096])  # touch every page
            time.sleep(2)
        return text

    def pipe(self, texts, batch_size=16):
        return [self(t) for t in texts]


def test_only_the_article_over_its_time_budget_goes_without(monkeypatch):
    monkeypatch.setattr(budget, "BASE_S", 0.3)
    monkeypatch.setattr(budget, "PER_CHAR_S", 0.0)
    texts = ["Kyiv one", "Kyiv SLOW two", "Kyiv three", "<" * 5000]
    t = time.perf_counter()
    out = list(budget.pipe(FakeNlp(), ((x, i) for i, x in enumerate(texts)), batch_size=4))
    assert time.perf_counter() - t < 4
    assert [ctx for _, ctx, _ in out] == [0, 1, 2, 3]
    assert [doc for doc, _, _ in out] == ["Kyiv one", None, "Kyiv three", None]
    assert out[1][2].startswith("took more than 0 s to geoparse; kept without places")
    assert out[3][2] == MOSTLY_SYMBOLS


def test_an_article_over_its_memory_budget_goes_without(monkeypatch):
    monkeypatch.setattr(budget, "MEMORY_MB", 100)
    monkeypatch.setattr(budget, "CHECK_EVERY_S", 0.05)
    out = list(budget.pipe(FakeNlp(), [("Kyiv HUGE", 0), ("Kyiv fine", 1)], batch_size=1))
    assert out[0][0] is None and out[0][2].startswith("needed more than 100 MB")
    assert out[1][0] == "Kyiv fine"


def test_limits_leave_a_quick_block_alone():
    with budget.limits(5):
        pass
    try:
        with budget.limits(0.05):
            time.sleep(2)
    except BudgetError:
        pass
    else:
        raise AssertionError("no BudgetError")


@pytest.mark.parametrize(
    "name, content",
    [
        ("hostile.txt", "<" * 100_000),
        ("hostile.html", "<html><body>" + "<" * 100_000 + "</body></html>"),
        # The page's text, once its entities are decoded, is 100,000 "<".
        ("hostile.html", "<html><body><p>" + "&lt;" * 100_000 + "</p></body></html>"),
    ],
    ids=["text", "html", "html-entities"],
)
def test_a_hostile_file_beside_good_ones_is_kept_without_places(
    tmp_path, tmp_store, geoparser, name, content
):
    """100,000 "<" in a file stalled a folder ingest for over 600 s before; the two good
    articles beside it were never stored."""
    (tmp_path / name).write_text(content)
    (tmp_path / "good1.txt").write_text(GOOD)
    (tmp_path / "good2.txt").write_text(GOOD.replace("Kharkiv", "Odesa"))
    t = time.perf_counter()
    report = ingest([tmp_path], tmp_store, geoparser, workers=1)
    assert time.perf_counter() - t < 60
    assert tmp_store.counts()["articles"] == 3
    assert [(f.source, f.detail) for f in report.failed] == [("hostile", MOSTLY_SYMBOLS)]
    assert tmp_store.mentions_of("hostile") == []
    assert "Kharkiv" in {m.text for m in tmp_store.mentions_of("good1")}
    assert "Odesa" in {m.text for m in tmp_store.mentions_of("good2")}


def test_an_isolated_ingest_past_its_deadline_is_stopped(tmp_path):
    from geo.isolated import ingest_isolated

    (tmp_path / "good1.txt").write_text(GOOD)
    t = time.perf_counter()
    try:
        ingest_isolated([tmp_path / "good1.txt"], tmp_path / "db.sqlite", deadline_s=0.5)
    except BudgetError as err:
        assert "was stopped" in str(err)
    else:
        raise AssertionError("no BudgetError")
    assert time.perf_counter() - t < 10
