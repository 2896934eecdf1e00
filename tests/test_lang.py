"""Russian and Ukrainian recognition: case endings, prepositions, oblasts, people kept out,
and Cyrillic mentions landing on the same gazetteer place as their English spelling."""

from __future__ import annotations

from datetime import date

import pytest

from geo.lang import LANGUAGES, Recognisers, handles
from geo.lang.cyrillic import Lexicon, adjective_forms, noun_forms, romanise, words
from geo.models import Article
from geo.store import Query

KHARKIV = 706483


@pytest.fixture(scope="session")
def recognisers(gazetteer) -> Recognisers:
    return Recognisers(gazetteer)


def _found(recognisers, text: str, lang: str) -> dict[str, str | None]:
    """Span text -> the English name of its first candidate (None when unresolved)."""
    spans = recognisers.recognize(text, lang)
    for sp in spans:
        assert text[sp.start : sp.end] == sp.text
    return {sp.text: (sp.candidates[0].place.name if sp.candidates else None) for sp in spans}


def test_languages():
    assert LANGUAGES == {"ru", "uk"}
    assert handles("uk") and handles("ru") and not handles("en")


@pytest.mark.parametrize("name", ["Харків", "Харкові", "Харкова", "Харьков", "Харькове", "Kharkiv"])
def test_spellings_share_one_geonameid(gazetteer, name):
    lang = "ru" if "ь" in name else "uk"
    cands, _ = Lexicon(gazetteer, lang).name(name)
    assert cands and cands[0].place.geonameid == KHARKIV


@pytest.mark.parametrize(
    ("word", "nominative"),
    [
        ("Харкові", "Харків"),
        ("Бахмута", "Бахмут"),
        ("Каховці", "Каховка"),
        ("Мариуполя", "Мариуполь"),
    ],
)
def test_noun_forms_reach_the_nominative(word, nominative):
    assert nominative in noun_forms(word)


def test_adjective_forms():
    assert "Харківська" in adjective_forms("Харківській")
    assert "Белгородская" in adjective_forms("Белгородской")


def test_words_keep_offsets():
    text = "Біля Івано-Франківська, у Кам’янському."
    for w in words(text):
        assert text[w.start : w.end] == w.text
    assert [w.text for w in words(text)][1] == "Івано-Франківська"


def test_romanise():
    assert romanise("Часів Яр", "uk") == "Chasiv Iar"
    assert romanise("Харьков", "ru") == "Kharkov"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Вночі окупанти знову обстріляли околиці Харкова, а біля Бахмута тривали бої.",
            {"Харкова": "Kharkiv", "Бахмута": "Bakhmut"},
        ),
        (
            "Волонтери з Одеси привезли генератори у Херсон та до Миколаєва.",
            {"Одеси": "Odesa", "Херсон": "Kherson", "Миколаєва": "Mykolayiv"},
        ),
        (
            "Евакуаційний потяг прибув до Львова з Краматорська.",
            {"Львова": "Lviv", "Краматорська": "Kramatorsk"},
        ),
        ("Під Ізюмом знайшли ще одне поховання.", {"Ізюмом": "Izyum"}),
    ],
)
def test_ukrainian_inflections_and_prepositions(recognisers, text, expected):
    assert _found(recognisers, text, "uk") == expected


def test_ukrainian_oblasts_and_regions(recognisers):
    text = "Ситуація на Донеччині та у Запорізькій області залишається напруженою, як і в Криму."
    found = _found(recognisers, text, "uk")
    assert found["Донеччині"] == "Donetsk Oblast"
    assert found["Запорізькій області"] == "Zaporizhzhia Oblast"
    assert "Криму" in found


def test_ukrainian_people_kept_out(recognisers):
    text = "Олександр Петренко розповів, що Богдан приїхав до Києва разом із Софією."
    found = _found(recognisers, text, "uk")
    assert found == {"Києва": "Kyiv"}


def test_ukrainian_organisation_names_kept_out(recognisers):
    text = "Рішення ухвалив Вищий господарський суд України минулого тижня."
    assert "України" not in _found(recognisers, text, "uk")


def test_ukrainian_names_only_people_have_are_kept_out(recognisers):
    # "Дори" (of Дора) and "Тараса" are only names of people in the dictionary, even after "до".
    text = "Марко пішов до Дори, а потім до Тараса у Полтаві."
    assert _found(recognisers, text, "uk") == {"Полтаві": "Poltava"}


def test_ukrainian_short_quoted_titles_are_not_places(recognisers):
    text = (
        "Про це написала газета «Вісті. Полтава», а футбольний клуб «Дніпро» переміг. "
        "Палац « Україна » відкрили. Мер сказав: «Ми будуємо нову школу в Полтаві»."
    )
    found = _found(recognisers, text, "uk")
    assert "Полтава" not in found and "Дніпро" not in found and "Україна" not in found
    assert "Полтаві" in found  # a quoted sentence still names places


def test_ukrainian_sentence_start_function_word_is_not_a_country(recognisers):
    text = "Того дня в Одесі йшов дощ. Делегація прибула до Того."
    found = _found(recognisers, text, "uk")
    assert [sp for sp in recognisers.recognize(text, "uk") if sp.start == 0] == []
    assert found["Одесі"] == "Odesa" and found["Того"] == "Togo"


def test_ukrainian_city_genitive_versus_oblast_adjective(recognisers):
    text = "Рейси до аеропорту Донецька скасували, а Донецька область отримала допомогу."
    spans = {sp.text for sp in recognisers.recognize(text, "uk")}
    assert "Донецька" in spans  # the city's genitive
    assert "Донецька область" in spans and len(spans) == 2  # the adjective stays in the unit


def test_ukrainian_place_in_an_institution_name_is_kept_out(recognisers):
    text = (
        "Ухвалу виніс Печерський районний суд м. Києва, а прокуратура Одеської області "
        "оскаржила її. Мер Києва прибув до Одеси."
    )
    spans = [(sp.text, sp.start) for sp in recognisers.recognize(text, "uk")]
    assert [t for t, _ in spans] == ["Києва", "Одеси"]
    assert spans[0][1] == text.index("Мер Києва") + 4


def test_ukrainian_oblast_after_a_town_and_towns_in_a_list(recognisers):
    text = "Він живе в Ірпіні Київської області. Поїзд іде через Ходорів, Бурштин і Галич."
    found = _found(recognisers, text, "uk")
    assert found["Київської області"] == "Kyiv Oblast"
    assert {"Ірпіні", "Ходорів", "Бурштин", "Галич"} <= set(found)
    # Leftwards from the one recognised place too, and never a first name in the list.
    found = _found(recognisers, "Бурштин, Рогатин і Київ чекали. Олександр, Бурштин і Київ.", "uk")
    assert list(found) == ["Бурштин", "Рогатин", "Київ"]  # Олександр stays out


def test_ukrainian_abbreviations_and_historical_names(recognisers):
    text = "Угоду між Україною та ЄС підписали. Бойовики ДНР обстріляли АР Крим часів СРСР."
    found = _found(recognisers, text, "uk")
    assert found["ЄС"] == "Europe" and found["ДНР"] == "Donetsk Oblast"
    assert found["АР Крим"] == "Autonomous Republic of Crimea" and found["СРСР"] == "Russia"


def test_ukrainian_years_initials_and_sentence_starts(recognisers):
    text = (
        "Проєкт стартував у 2011 р. Його мета проста. Війська Б. Хмельницького пішли до Львова. "
        "На півдні Франції тепло. Мешканка Києва Олена Петрук купила будинок."
    )
    found = _found(recognisers, text, "uk")
    assert set(found) == {"Львова", "Франції", "Києва"}


def test_ukrainian_streets_with_house_numbers_and_initials(recognisers):
    text = "Офіс на вул. І. Франка, 7-а, склад на вул. Садовій, 10 ‐ 12 у Полтаві."
    spans = [sp.text for sp in recognisers.recognize(text, "uk")]
    assert spans == ["вул. І. Франка, 7-а", "вул. Садовій, 10 ‐ 12", "Полтаві"]


def test_ukrainian_parts_of_a_place_and_law_titles(recognisers):
    text = (
        "Дощі пройшли в Західній Україні та Південній Африці. Згідно із Законом України "
        "«Про місцеве самоврядування в Україні» рада зібралася у Новій Каховці."
    )
    found = _found(recognisers, text, "uk")
    assert found["Західній Україні"] == "Ukraine"
    assert "Південній Африці" in found and found["Новій Каховці"] == "Nova Kakhovka"
    assert "Україні" not in found  # inside a law's title


def test_ukrainian_acronyms_and_adjectives_of_offices(recognisers):
    text = (
        "Рішення ОДА оскаржили в Господарському суді, а Центрального апарату не повідомили. "
        "Делегація ЄС прибула до Полтави."
    )
    assert set(_found(recognisers, text, "uk")) == {"ЄС", "Полтави"}


def test_ukrainian_village_after_settlement_noun(recognisers):
    # A village the gazetteer does not know is still a place after "селі".
    found = _found(recognisers, "У селі Вербівчик на Полтавщині згоріла хата.", "uk")
    assert "Вербівчик" in found
    assert found["Полтавщині"] == "Poltava Oblast"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Российские войска ударили по Харькову, под Изюмом идут бои, из Мариуполя вывезли "
            "детей.",
            {"Харькову": "Kharkiv", "Изюмом": "Izyum", "Мариуполя": "Mariupol"},
        ),
        ("Губернатор Белгородской области сообщил о взрывах.", {"Белгородской области": None}),
    ],
)
def test_russian_inflections(recognisers, text, expected):
    found = _found(recognisers, text, "ru")
    for name, place in expected.items():
        assert name in found
        if place:
            assert found[name] == place


def test_russian_oblast_resolves_to_the_unit(recognisers):
    found = _found(recognisers, "Губернатор Белгородской области сообщил о взрывах.", "ru")
    assert found["Белгородской области"] == "Belgorod Oblast"


def test_russian_people_kept_out(recognisers):
    found = _found(recognisers, "Владимир Путин встретился с Сергеем Шойгу в Москве.", "ru")
    assert found == {"Москве": "Moscow"}


def test_ingest_lands_cyrillic_and_english_on_one_place(tmp_store, geoparser):
    from geo.pipeline import ingest_articles

    texts = {
        "uk": "Увечері російські війська знову обстріляли Харків. За даними обласної "
        "адміністрації, у Харкові пошкоджено кілька житлових будинків і школу.",
        "ru": "Вечером российские войска снова обстреляли Харьков. По данным областной "
        "администрации, в Харькове повреждены несколько жилых домов и школа.",
        "en": "Russian forces shelled Kharkiv again in the evening. The regional "
        "administration said several homes and a school were damaged in Kharkiv.",
    }
    arts = [
        Article(f"a-{lang}", None, "", date(2024, 5, 1), "test", "en", text)
        for lang, text in texts.items()
    ]
    report = ingest_articles(arts, tmp_store, geoparser, "test", workers=1)
    assert report.added == 3 and not report.failed
    keys = {}
    for lang in texts:
        art = tmp_store.article(f"a-{lang}")
        assert art.language == lang
        mentions = tmp_store.mentions_of(f"a-{lang}")
        kharkiv = [m for m in mentions if m.place and m.place.geonameid == KHARKIV]
        assert kharkiv, (lang, mentions)
        for m in mentions:
            assert art.text[m.start : m.end] == m.text  # passages show the original text
        keys[lang] = {m.place.geonameid for m in kharkiv}
    assert keys["uk"] == keys["ru"] == keys["en"] == {KHARKIV}
    counts = {pc.place.geonameid: pc for pc in tmp_store.place_counts(Query())}
    assert counts[KHARKIV].articles == 3
