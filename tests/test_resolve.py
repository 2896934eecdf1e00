import pytest
from geopy.exc import GeocoderTimedOut
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.errors import ResolveError
from geo.models import Article
from geo.recognize import Span
from geo.resolve import GazetteerGeocoder, Resolver, haversine_km


def test_geocoder_is_a_geopy_geocoder(gazetteer):
    gc = GazetteerGeocoder(gazetteer)
    assert isinstance(gc, Geocoder)
    locs = gc.geocode("Paris", exactly_one=False)
    assert all(isinstance(loc, Location) for loc in locs)
    assert {"geonameid", "kind", "country_code", "population"} <= set(locs[0].raw)
    assert gc.geocode("Paris").raw["country_code"] == "FR"
    assert gc.geocode("Nowhereville Xyz") is None


def test_haversine():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.2)
    assert haversine_km(50.45, 30.52, 50.45, 30.52) == 0


class Broken(Geocoder):
    def geocode(self, query, exactly_one=True, timeout=None):
        raise GeocoderTimedOut("took too long")


def test_failing_geocoder_falls_back_to_the_next(gazetteer):
    r = Resolver(gazetteer, [Broken(), GazetteerGeocoder(gazetteer)])
    assert r.candidates("Kyiv")[0].place.country_code == "UA"


def test_failing_geocoder_alone_raises_resolve_error(gazetteer):
    r = Resolver(gazetteer, [Broken()])
    with pytest.raises(ResolveError, match="took too long"):
        r.candidates("Kyiv")


def test_unknown_names_stay_unresolved(gazetteer):
    text = "Fighting near Zzyzxgrad continued."
    art = Article("a", None, "t", None, "s", "en", text)
    start = text.index("Zzyzxgrad")
    span = Span(start, start + 9, "Zzyzxgrad", "name", "GPE")
    (m,) = Resolver(gazetteer).resolve(art, [span])
    assert m.place is None and m.reason


def test_georgia_follows_its_context(geoparser):
    us = Article(
        "a", None, "t", None, "s", "en", "Atlanta, Georgia, and the rest of the U.S. voted."
    )
    ge = Article("b", None, "t", None, "s", "en", "Tbilisi said Georgia would talk to Russia.")
    pick = lambda a: next(m for m in geoparser.parse(a) if m.text == "Georgia").place  # noqa: E731
    assert pick(us).kind == "admin1" and pick(us).country_code == "US"
    assert pick(ge).kind == "country" and pick(ge).country_code == "GE"


def _parse(geoparser, text, url=None, source=""):
    art = Article("t", url, "t", None, source, "en", text)
    return {m.text: m for m in geoparser.parse(art) if m.place}


def test_a_million_city_is_what_its_states_name_means(geoparser):
    got = _parse(geoparser, "Flights from New York to Chicago were cancelled.")
    assert got["New York"].place.kind == "city"
    got = _parse(geoparser, "Farmers in New York state asked for rain.")
    assert got["New York"].place.kind == "admin1"


def test_a_much_larger_town_beats_a_namesake_whose_own_name_it_is(geoparser):
    got = _parse(geoparser, "The Kremlin said talks in Odessa would go on.")
    assert got["Odessa"].place.country_code == "UA"


def test_a_nickname_does_not_beat_a_town_of_that_name(geoparser):
    got = _parse(geoparser, "Garden City officials in Kansas met on Monday.")
    assert got["Garden City"].place.country_code == "US"


def test_only_the_real_capital_is_a_capital(geoparser):
    got = _parse(geoparser, "The governor of New Jersey visited Washington, D.C. and Trenton.")
    assert abs(got["Washington"].place.lat - 38.9) < 0.2, got["Washington"].reason


def test_nearby_places_decide_and_are_named_in_the_reason(geoparser):
    text = "LaFayette police and the Walker County sheriff met near Chattanooga and Ringgold."
    got = _parse(geoparser, text)
    m = got["LaFayette"]
    assert m.place.country_code == "US" and m.place.lat < 35.5, m.reason
    assert "near other places in the article: " in m.reason and "Chattanooga" in m.reason


@pytest.mark.parametrize(
    "url, source, home",
    [
        ("https://www.tulsaworld.com/news/x", "", "Tulsa"),
        ("http://timesofoman.com/article/1", "", "Oman"),
        (None, "The Boston Globe", "Boston"),
        ("https://www.washingtonpost.com/x", "", None),  # the state or the city: no prior
        ("https://www.cbsnews.com/x", "", None),
    ],
)
def test_source_home(gazetteer, url, source, home):
    got = Resolver(gazetteer).source_home(Article("a", url, "t", None, source, "en", "x"))
    assert (got.place.name if got else None) == home


def test_source_home_is_a_prior_for_small_namesakes(geoparser):
    text = "A crash closed the road near Sand Springs on Monday."
    got = _parse(geoparser, text, url="https://www.tulsaworld.com/news/crash")
    m = got["Sand Springs"]
    assert m.place.country_code == "US" and "source's home, Tulsa" in m.reason


def test_ranker_weights_scale_the_terms(gazetteer, tmp_path):
    from geo.resolve import load_weights

    assert load_weights(tmp_path / "missing.json") == {}
    path = tmp_path / "w.json"
    path.write_text('{"weights": {"town_size": 0.5}}')
    assert load_weights(path) == {"town_size": 0.5}
    text = "Shelling hit Kherson on Monday."
    art = Article("a", None, "t", None, "s", "en", text)
    span = Span(13, 20, "Kherson", "name", "GPE")
    r = Resolver(gazetteer)
    r.record = []
    (m,) = r.resolve(art, [span])
    (_, _, ranking) = r.record[0]
    assert all("town_size" in terms for terms, c in ranking if c.place.kind == "city")
    r.weights = {"town_size": 0.0, "kind_admin1": 0.0}
    assert r.resolve(art, [span])[0].place is not None


def test_a_small_countrys_unit_is_no_state(geoparser):
    # A Jamaican parish counts like a town of its country's average unit size, not a US state.
    got = _parse(geoparser, "Police in Portland said the bridge would reopen.")
    assert got["Portland"].place.kind == "city" and got["Portland"].place.country_code == "US"
    got = _parse(geoparser, "Flooding hit the parish of Portland in Jamaica.")
    assert got["Portland"].place.country_code == "JM"


def test_counties_hang_together_with_the_article_towns(geoparser):
    text = (
        "Crews from Lancaster and Lititz fought a barn fire in Manheim Township, Lancaster County."
    )
    got = _parse(geoparser, text, url="https://lancasteronline.com/news/local/fire")
    m = got["Lancaster County"]
    assert abs(m.place.lat - 40.1) < 0.5 and abs(m.place.lon + 76.3) < 0.5, m.reason
    assert "Lititz" in m.reason


def test_the_eu_is_a_place_mapped_at_europe(geoparser):
    got = _parse(geoparser, "EU ministers met in Brussels, and the E.U. agreed new sanctions.")
    for name in ("EU", "E.U."):
        assert got[name].place.kind == "continent" and got[name].place.name == "Europe"


def test_a_small_town_only_the_gazetteer_knows_is_kept_next_to_its_neighbours(geoparser):
    # No country named: Cirencester (20k) stands because Cheltenham and Gloucester are near.
    text = "The bypass will close overnight, so drivers heading to Cirencester from Cheltenham and Gloucester face a long detour."
    m = _parse(geoparser, text)["Cirencester"]
    assert m.place.country_code == "GB" and "near other places in the article: " in m.reason


@pytest.mark.parametrize(
    "text, name, kind, country",
    [
        # A region named right after a town of its own is the region ...
        ("A girl from Rochester, New York, was treated for flu.", "New York", "admin1", "US"),
        ("The recalled peanuts came from Blakely, Georgia, in May.", "Georgia", "admin1", "US"),
        ("The recalled peanuts came from Blakely, Georgia, in May.", "Blakely", "city", "US"),
        # ... unless the town lies inside the big city of that name.
        ("Funeral homes across Queens, New York, were searched.", "New York", "city", "US"),
        ("Protesters in Batumi, Georgia, marched to the port.", "Georgia", "country", "GE"),
        # "X located in Y" and "X in Y" place a county or town in its region too.
        (
            "Ducks were found in Crawford County located in Pennsylvania.",
            "Crawford County",
            "admin2",
            "US",
        ),
        ("Swans died in Fulton County in Illinois last week.", "Fulton County", "admin2", "US"),
        # A governor governs a state, a province or an oblast, not a city.
        ("New York Governor Kathy Hochul declared an emergency.", "New York", "admin1", "US"),
    ],
)
def test_a_town_or_a_title_says_which_region(geoparser, text, name, kind, country):
    m = _parse(geoparser, text)[name]
    assert (m.place.kind, m.place.country_code) == (kind, country), m.reason


def test_in_places_a_county_in_its_state(geoparser):
    m = _parse(geoparser, "Swans died in Fulton County in Illinois last week.")["Fulton County"]
    assert 40 < m.place.lat < 41 and "named with its country/region" in m.reason
    # A country is in no region of its own: "Sudan in Khartoum" leaves Sudan the country.
    m = _parse(geoparser, "Doctors in southern Sudan in Khartoum rely on radio.")["Sudan"]
    assert m.place.kind == "country" and "named with" not in m.reason


@pytest.mark.parametrize(
    "text, country",
    [
        ("Platinum mining employs many South Africans; SA holds most of the reserves.", "ZA"),
        (
            "Adelaide, the capital of SA, had its hottest day; Australians elsewhere were spared.",
            "AU",
        ),
    ],
)
def test_an_ambiguous_abbreviation_follows_the_article(geoparser, text, country):
    assert _parse(geoparser, text)["SA"].place.country_code == country


@pytest.mark.parametrize(
    "text, name, host",
    [
        ("Troops left Yahidne, a village near Chernihiv, in March.", "Yahidne", "Chernihiv"),
        ("Diners in Greenlane, Auckland, were asked to get tested.", "Greenlane", "Auckland"),
        (
            "A swan died in the village of Cellardyke in Fife, Scotland, officials said.",
            "Cellardyke",
            "Fife",
        ),
    ],
)
def test_a_place_the_gazetteer_lacks_is_mapped_where_the_text_puts_it(geoparser, text, name, host):
    m = _parse(geoparser, text)[name]
    assert m.place.name == host and f"mapped at {host}, where the text puts it" in m.reason


def test_a_place_the_gazetteer_lacks_stays_unresolved_without_a_host(geoparser):
    art = Article("a", None, "t", None, "s", "en", "Shelling hit Zzyzxgrad in the Americas.")
    (m,) = [m for m in geoparser.parse(art) if m.text == "Zzyzxgrad"] or [None]
    assert m is None or m.place is None


def test_a_famous_town_beats_a_namesake_in_a_country_the_story_only_names(geoparser):
    from geo.models import Article

    def places(text):
        art = Article("t", None, "t", None, "s", "en", text)
        return {m.text: m.place for m in geoparser.parse(art) if m.place}

    # The United States is an actor here, not the setting: Geneva is the Swiss city.
    text = (
        "The United States and Russia talked. The summit with President Biden in Geneva "
        "last June opened up opportunities, American officials said."
    )
    assert places(text)["Geneva"].country_code == "CH"
    # ... but a story that places the namesake in its state keeps it there.
    text = "Flooding hit north Texas on Monday. In Paris, roads near the Lamar County courthouse closed."
    assert places(text)["Paris"].country_code == "US"


def test_a_small_town_does_not_take_a_regions_name_from_a_country_mention(geoparser):
    from geo.models import Article

    # The United States only acts in this story: "Normandy" is not the Missouri town.
    text = (
        "The United States supports the Normandy format. Talks in the Normandy format "
        "resume in Paris, Washington said."
    )
    art = Article("t", None, "t", None, "s", "en", text)
    got = {m.text: m.place for m in geoparser.parse(art)}
    assert got.get("Normandy") is None or got["Normandy"].country_code != "US"


def test_user_places_are_recognised_and_win(gazetteer, nlp):
    from pathlib import Path

    from geo.gazetteer import Gazetteer
    from geo.pipeline import Geoparser

    csv = Path(__file__).parent / "data" / "user_gazetteer.csv"
    gp = Geoparser(gazetteer=Gazetteer(gazetteer.path, user_csv=[csv]), nlp=nlp)
    text = (
        "Defenders held out in the Azovstal plant for weeks. Shelling hit Zzyzxivka and the "
        "Kramatorsk raion overnight."
    )
    got = {m.text: m for m in gp.parse(Article("a", None, "t", None, "s", "en", text))}
    assert got["Azovstal"].place.name == "Azovstal plant"
    assert got["Zzyzxivka"].place.kind == "city"  # a village no GeoNames row has
    assert got["Kramatorsk raion"].place.kind == "admin2"
    assert all("your own gazetteer" in got[n].reason for n in ("Azovstal", "Zzyzxivka"))
    assert got["Azovstal"].confidence > 0.9
