import sqlite3
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import gazetteer as gaz
from geo.errors import GazetteerError
from geo.gazetteer import Gazetteer, normalize


def kinds(g, name):
    return [(c.place.kind, c.place.country_code) for c in g.lookup(name)]


def test_countries_admin1_regions_and_cities(gazetteer):
    assert kinds(gazetteer, "Ukraine")[0] == ("country", "UA")
    assert ("admin1", "UA") in kinds(gazetteer, "Donetsk Oblast")
    assert ("region", "UA") in kinds(gazetteer, "Donbas")
    assert ("water", None) in kinds(gazetteer, "Black Sea")
    mariupol = gazetteer.lookup("Mariupol")[0]
    assert mariupol.place.geonameid == 701822 and mariupol.population > 100_000


def test_country_points_are_geonames_points(gazetteer):
    ru = gazetteer.country("RU")
    assert (ru.place.lat, ru.place.lon) == (60.0, 100.0)


def test_alternate_spellings_and_accents(gazetteer):
    assert gazetteer.lookup("Kiev")[0].place.name == "Kyiv"
    assert gazetteer.lookup("Lugansk")[0].place.country_code == "UA"
    assert normalize("Zaporizhzhia’s") == "zaporizhzhia's"
    assert gazetteer.lookup("Sète") and gazetteer.lookup("Sete")


def test_letters_and_abbreviations_fold(gazetteer):
    assert normalize("St. Marc") == normalize("Saint-Marc") == "saint marc"
    assert normalize("Mt Kenya") == "mount kenya" and normalize("Stanley") == "stanley"
    assert normalize("Østfold") == "ostfold" and normalize("Łódź") == "lodz"
    assert ("city", "HT") in kinds(gazetteer, "St. Marc")


def _normalize_by_character(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = " ".join(stripped.casefold().translate(gaz._FOLD).split())
    return gaz._ABBREVIATIONS.sub(lambda m: gaz._EXPANDED[m.group(1)] + " ", folded)


def _usable_by_character(name: str) -> bool:
    def only(script: str) -> bool:
        return all(script in unicodedata.name(c, "") for c in name if c.isalpha())

    if len(name) < 3 or not name[0].isupper() or not (only("LATIN") or only("CYRILLIC")):
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return not any(c.isdigit() for c in name)


NAME_PARTS = ["St. ", "Ste ", "Mt", "Ft.", "-", "’", "`", " ", "  ", "Ø", "ł", "ß", "İ", "é",
              "Ё", "й", "Київ", "Харьков", "Kyiv", "Łódź", "北京", "Αθήνα", "1", "²", "٣",
              "\u0301", "ﬁ", "Ⅻ", "KBP"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NAME_PARTS) | st.text(max_size=3), max_size=6).map("".join))
def test_fast_name_checks_agree_with_a_character_by_character_reading(name):
    assert normalize(name) == _normalize_by_character(name)
    assert gaz._usable_alternate(name) == _usable_by_character(name)


def test_counties_and_former_regions(gazetteer):
    suffolk = [c for c in gazetteer.lookup("Suffolk") if c.place.kind == "admin2"]
    assert suffolk and suffolk[0].place.country_code == "GB" and suffolk[0].population > 100_000
    assert suffolk[0].admin1 == "ENG"  # so "Suffolk, England" is containment
    scott = {c.admin1 for c in gazetteer.lookup("Scott County") if c.place.country_code == "US"}
    assert {"IN", "MN", "IA"} <= scott
    # Norway's counties before the 2020 merger, for older news.
    (telemark,) = [c for c in gazetteer.lookup("Telemark") if c.place.kind == "admin1"]
    assert telemark.feature == "former" and 58 < telemark.place.lat < 61


@pytest.mark.parametrize(
    "written, country, lat, lon",
    [
        ("County Cavan", "IE", 54.0, -7.4),  # GeoNames has it only as "An Cabhan"
        ("Co. Mayo", "IE", 53.9, -9.3),
        ("Donegal", "IE", 54.9, -8.0),
        ("Cheshire", "GB", 53.2, -2.5),  # ceremonial: GeoNames splits it in two
        ("Yorkshire", "GB", 54.0, -1.2),  # historic
        ("Gwent", "GB", 51.7, -3.0),
    ],
)
def test_counties_people_write_that_geonames_lacks(gazetteer, written, country, lat, lon):
    (county, *_) = [c for c in gazetteer.lookup(written) if c.place.kind == "admin2"]
    assert county.place.country_code == country
    assert abs(county.place.lat - lat) < 0.5 and abs(county.place.lon - lon) < 0.5
    assert county.population > 50_000  # outranks its small namesake towns abroad


def test_case_keeps_codes_apart(gazetteer):
    assert kinds(gazetteer, "US") == [("country", "US")]
    assert ("country", "US") not in kinds(gazetteer, "Us")
    assert gazetteer.lookup("us") == ()


def test_demonyms_and_abbreviations(gazetteer):
    assert gazetteer.demonym("Russian").place.country_code == "RU"
    assert gazetteer.demonym("Ukrainians").place.country_code == "UA"
    assert gazetteer.demonym("Table") is None
    assert gazetteer.lookup("U.S.")[0].place.country_code == "US"


def test_missing_or_outdated_index_says_how_to_build(tmp_path):
    with pytest.raises(GazetteerError, match="python -m geo gazetteer"):
        Gazetteer(tmp_path / "none.sqlite")
    bad = tmp_path / "old.sqlite"
    con = sqlite3.connect(bad)
    con.executescript(
        "CREATE TABLE meta(key TEXT, value TEXT); INSERT INTO meta VALUES('version','0');"
    )
    con.close()
    with pytest.raises(GazetteerError, match="outdated"):
        Gazetteer(bad)


def test_opening_is_fast(gazetteer):
    t = time.perf_counter()
    Gazetteer(gazetteer.path).lookup("Kyiv")
    assert time.perf_counter() - t < 1.0


def test_build_reports_progress(gazetteer):
    from tests.conftest import BUILD_PROGRESS  # what the session's own build reported

    seen = BUILD_PROGRESS
    assert seen and seen[-1][0] == seen[-1][1] and len(seen) == seen[-1][1]


def test_formal_country_names_without_the(gazetteer):
    assert gazetteer.lookup("Democratic Republic of Congo")[0].place.country_code == "CD"


def test_search_by_prefix_with_country_and_kind_filters(gazetteer):
    names = [(c.place.name, c.place.country_code) for c in gazetteer.search("Odessa", limit=5)]
    assert names[0] == ("Odesa", "UA")  # exact (alternate) names first, most populous first
    assert ("Odessa", "US") in names
    assert all(c.place.country_code == "UA" for c in gazetteer.search("odes", country="ua"))
    admin = gazetteer.search("Odes", kind="admin1")
    assert admin and {c.place.kind for c in admin} == {"admin1"}
    assert [c.place.name for c in gazetteer.search("Mariu", country="UA")] == ["Mariupol"]
    assert gazetteer.search("  ") == []


@pytest.mark.parametrize(
    "written, main",
    [
        ("Kharkov", "Kharkiv"),  # Russian -ov for Ukrainian -iv
        ("Harkiv", "Kharkiv"),  # kh / h
        ("Avdeevka", "Avdiyivka"),  # ie / e, -ivka / -evka
        ("Berdiansk", "Berdyansk"),  # ia / ya
        ("Gostomel", "Hostomel"),  # Russian g for Ukrainian h
        ("Dnepropetrovsk", "Dnipro"),  # an older name, as an alternate of today's
    ],
)
def test_romanisation_variants_find_the_place(gazetteer, written, main):
    cands = gazetteer.lookup_variant(written)
    assert cands and cands[0].place.name == main and cands[0].place.country_code in {"UA"}


def test_romanisation_variants_are_generated_not_listed():
    from geo.gazetteer import romanisation_variants

    one, two = romanisation_variants("Kharkov")
    assert "harkov" in one and "kharkiv" in one and "harkiv" in two
    assert romanisation_variants("Kyiv") and romanisation_variants("Ab") == []


def test_oceans_sit_at_their_geonames_points(gazetteer):
    # The convention the country points follow: GeoNames' own point for the feature.
    (atlantic,) = [c for c in gazetteer.lookup("Atlantic Ocean") if c.place.kind == "water"]
    assert (atlantic.place.lat, atlantic.place.lon) == (10, -25)
    short = [c for c in gazetteer.lookup("Atlantic") if c.place.kind == "water"]
    assert short and short[0].place == atlantic.place
    (indian,) = [c for c in gazetteer.lookup("Indian Ocean") if c.place.kind == "water"]
    assert (indian.place.lat, indian.place.lon) == (-10, 70)
    # Natural Earth's "Atlantic Ocean" polygon is the southern half only: kept under that name.
    assert [c.place.lat for c in gazetteer.lookup("South Atlantic Ocean")][0] < -20


def test_ukrainian_yi_after_a_vowel_is_a_romanisation_variant():
    from geo.gazetteer import romanisation_variants

    variants = {v for level in romanisation_variants("Chuhuiv") for v in level}
    assert "chuhuyiv" in variants
    assert "ukrainka" in {v for level in romanisation_variants("Ukrayinka") for v in level}


# -- the user's own places --------------------------------------------------------------
USER_CSV = Path(__file__).parent / "data" / "user_gazetteer.csv"


@pytest.fixture
def user_gazetteer(gazetteer):
    from geo.gazetteer import Gazetteer

    return Gazetteer(gazetteer.path, user_csv=[USER_CSV])


def test_user_places_win_over_geonames(user_gazetteer, gazetteer):
    assert gazetteer.lookup("Kramatorsk raion") == () or all(
        c.feature != "user" for c in gazetteer.lookup("Kramatorsk raion")
    )
    (plant,) = user_gazetteer.lookup("Azovstal")
    assert plant.place.name == "Azovstal plant" and plant.place.kind == "landmark"
    assert plant.place.geonameid is None and plant.feature == "user"
    assert plant.admin1 == gazetteer.lookup("Mariupol")[0].admin1  # placed by its parent
    (raion,) = user_gazetteer.lookup("Kramatorskyi raion")
    assert raion.place.kind == "admin2" and raion.place.country_code == "UA"
    assert user_gazetteer.lookup("AZOVSTAL IRON AND STEEL WORKS")[0].place == plant.place
    # GeoNames names the user did not touch read as before.
    assert user_gazetteer.lookup("Kyiv") == gazetteer.lookup("Kyiv")


def test_user_places_are_searchable_and_fingerprinted(user_gazetteer, gazetteer):
    assert user_gazetteer.search("Azovs")[0].place.name == "Azovstal plant"
    assert gazetteer.user_fingerprint == ""
    assert len(user_gazetteer.user_fingerprint) == 16
    assert "Azovstal" in user_gazetteer.user_names()


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,lat\nX,1\n", "missing column"),
        ("name,lat,lon\nX,north,1\n", "unreadable lat/lon"),
        ("name,lat,lon,kind\nX,1,1,spaceship\n", "unknown kind"),
        ("name,lat,lon,country\nX,1,1,Ukraine\n", "two-letter"),
        ("name,lat,lon\nX,91,1\n", "out of range"),
    ],
)
def test_bad_user_rows_are_refused_with_their_line(text, message):
    from geo.errors import GazetteerError
    from geo.usergazetteer import read_csv

    with pytest.raises(GazetteerError, match=message):
        read_csv(text, "mine.csv")


def test_background_build_and_a_waiting_opener_build_the_index_once(tmp_path):
    from geo.gazetteer_build import build_in_background, ensure_index

    path = tmp_path / "gazetteer.sqlite"
    proc = build_in_background(path)
    assert proc is not None and proc.is_alive()
    # An opener meanwhile waits for that build instead of starting its own.
    opened = Gazetteer.open_or_build(path)
    assert opened.lookup("Kharkiv")[0].place.country_code == "UA"
    proc.join(30)
    assert proc.exitcode == 0
    built = path.stat().st_ino
    assert ensure_index(path) == path and path.stat().st_ino == built  # current: no rebuild
    assert build_in_background(path) is None
    assert not path.with_suffix(".building").exists()


def test_arabic_article_dropped_where_names_carry_it(gazetteer):
    from geo.gazetteer_build import without_arabic_article

    assert gazetteer.lookup("Qamishli")[0].place.country_code == "SY"  # "Al Qāmishlī"
    assert gazetteer.lookup("Hudaydah")[0].place.country_code == "YE"  # "Al Ḩudaydah"
    # Only in Arabic-speaking countries ("El Paso" stays whole), never a common word.
    assert all(c.place.country_code != "US" for c in gazetteer.lookup("Paso"))
    assert without_arabic_article(["As Salt", "Al Ain", "Ar Raqqah"]) == ["Raqqah"]
    assert gazetteer.lookup("Eastern Ghouta")[0].place.kind == "region"


def test_a_bad_file_of_the_users_places_does_not_make_the_index_look_missing(
    gazetteer, tmp_path, monkeypatch
):
    from geo import usergazetteer

    bad = tmp_path / "mine.csv"
    bad.write_text("name,lat,lon\nAzovstal,north,37.6\n", encoding="utf-8")
    monkeypatch.setattr(usergazetteer, "default_files", lambda folder=None: [bad])
    with pytest.raises(GazetteerError):
        Gazetteer(gazetteer.path)  # the user's file is read, and refused
    assert gaz.index_ready(gazetteer.path)  # but the index is there: no rebuild
