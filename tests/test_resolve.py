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
