import pytest

from geo.language import detect

from .conftest import SEED


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Russian forces shelled the port city of Mariupol overnight, officials in Kyiv said.",
            "en",
        ),
        ("Російські війська вночі обстріляли Маріуполь, повідомили в Києві.", "uk"),
        ("Российские войска ночью обстреляли Мариуполь, сообщили в Киеве.", "ru"),
        ("Russische Truppen haben Mariupol in der Nacht beschossen, hieß es in Kiew.", "de"),
    ],
)
def test_detects_the_language_of_a_sentence(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize(
    "text",
    ["", "Kyiv", "Hello world", "12345 67890 -- 2022", "Berlin, Paris, London", "ok ok ok ok ok"],
)
def test_short_or_ambiguous_text_is_undetermined(text):
    assert detect(text) == "und"


def test_a_whole_article():
    assert detect(SEED.read_text(encoding="utf-8")) == "en"


def test_every_bundled_sample_article_is_english_or_undetermined():
    """Ingest only skips confidently non-English text: no sample article may lose its places."""
    from geo.articles import load_file
    from geo.models import Article
    from geo.pipeline import SAMPLE_DIR

    langs = {
        detect(a.text)
        for p in sorted(SAMPLE_DIR.glob("*.jsonl"))
        for a in load_file(p)
        if isinstance(a, Article)
    }
    assert langs <= {"en", "und"}
