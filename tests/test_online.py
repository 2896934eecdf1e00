"""Online geocoders against a local server on 127.0.0.1 speaking Nominatim's and Photon's JSON."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from geo.errors import ResolveError
from geo.models import Article
from geo.online import CachedOnlineGeocoder, GeocodeCache, to_raw
from geo.recognize import Span
from geo.resolve import GazetteerGeocoder, Resolver

NOMINATIM_ANSWER = [
    {
        "place_id": 1,
        "lat": "47.4889",
        "lon": "34.6570",
        "display_name": "Enerhodar, Zaporizhzhia Oblast, Ukraine",
        "class": "place",
        "type": "town",
        "addresstype": "town",
        "name": "Enerhodar",
        "address": {"town": "Enerhodar", "country": "Ukraine", "country_code": "ua"},
    }
]
PHOTON_ANSWER = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [34.657, 47.4889]},
            "properties": {
                "name": "Enerhodar",
                "countrycode": "UA",
                "osm_key": "place",
                "osm_value": "town",
                "type": "city",
            },
        }
    ],
}


KNOWN = {"Enerhodar", "Zaporizhzhia NPP"}


class FakeService:
    def __init__(self):
        self.requests: list[tuple[str, dict, str]] = []
        self.delay = 0.0
        self.status = 200
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                url = urlparse(self.path)
                q = parse_qs(url.query)
                service.requests.append((url.path, q, self.headers.get("User-Agent", "")))
                time.sleep(service.delay)
                if service.status != 200:
                    self.send_response(service.status)
                    self.end_headers()
                    return
                name = (q.get("q") or [""])[0]
                if url.path.startswith("/search"):
                    body = NOMINATIM_ANSWER if name in KNOWN else []
                else:
                    body = (
                        PHOTON_ANSWER
                        if name == "Enerhodar"
                        else {"type": "FeatureCollection", "features": []}
                    )
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def service():
    s = FakeService()
    yield s
    s.server.shutdown()


def make(service, provider, tmp_path, timeout=5.0):
    return CachedOnlineGeocoder(
        provider,
        GeocodeCache(tmp_path / "cache.sqlite"),
        domain=service.domain,
        scheme="http",
        timeout=timeout,
        min_delay=0.0,
    )


@pytest.mark.parametrize("provider", ["nominatim", "photon"])
def test_answers_are_mapped_and_cached(service, tmp_path, provider):
    gc = make(service, provider, tmp_path)
    (loc,) = gc.geocode("Enerhodar", exactly_one=False)
    assert loc.raw["country_code"] == "UA" and loc.raw["kind"] == "city"
    assert loc.latitude == pytest.approx(47.4889)
    assert gc.geocode("Enerhodar") is not None
    assert gc.geocode("Nowhere Really") is None
    assert gc.geocode("Nowhere Really") is None  # the empty answer is cached too
    assert len(service.requests) == 2
    assert service.requests[0][2].startswith("conflict-map/")


def test_nominatim_requests_are_spaced_to_one_per_second(service, tmp_path):
    gc = CachedOnlineGeocoder(
        "nominatim",
        GeocodeCache(tmp_path / "c.sqlite"),
        domain=service.domain,
        scheme="http",
        timeout=5.0,
    )
    t = time.perf_counter()
    gc.geocode("A place")
    gc.geocode("B place")
    assert time.perf_counter() - t >= 0.95


def test_timeout_raises_resolve_error(service, tmp_path):
    service.delay = 1.5
    gc = make(service, "nominatim", tmp_path, timeout=0.3)
    with pytest.raises(ResolveError, match="nominatim failed"):
        gc.geocode("Enerhodar")


def test_server_error_raises_resolve_error(service, tmp_path):
    service.status = 503
    with pytest.raises(ResolveError):
        make(service, "photon", tmp_path).geocode("Enerhodar")


def test_resolver_uses_online_only_for_unknown_names_and_survives_failures(
    service, tmp_path, gazetteer
):
    online = make(service, "nominatim", tmp_path)
    resolver = Resolver(gazetteer, [GazetteerGeocoder(gazetteer), online])
    text = "Shelling near Zaporizhzhia NPP and Kyiv."
    art = Article("a", None, "t", None, "s", "en", text)
    npp = text.index("Zaporizhzhia NPP")
    spans = [
        Span(npp, npp + 16, "Zaporizhzhia NPP", "name", "FAC"),
        Span(text.index("Kyiv"), text.index("Kyiv") + 4, "Kyiv", "name", "GPE"),
    ]
    assert not gazetteer.lookup("Zaporizhzhia NPP")
    ms = resolver.resolve(art, spans)
    assert ms[0].place.country_code == "UA" and ms[0].place.kind == "city"
    assert ms[1].place.geonameid == 703448
    assert [q["q"][0] for _, q, _ in service.requests] == ["Zaporizhzhia NPP"]

    service.status = 500
    resolver2 = Resolver(
        gazetteer, [GazetteerGeocoder(gazetteer), make(service, "photon", tmp_path / "p")]
    )
    text2 = "Fighting near Zzyzxgrad and Kyiv."
    art2 = Article("b", None, "t", None, "s", "en", text2)
    spans2 = [Span(14, 23, "Zzyzxgrad", "name", "GPE"), Span(28, 32, "Kyiv", "name", "GPE")]
    zz, kyiv = resolver2.resolve(art2, spans2)
    assert zz.place is None and "geocoder failed" in zz.reason
    assert kyiv.place.country_code == "UA"
    assert resolver2.drain_warnings() and resolver2.warnings == []


def test_to_raw_kinds():
    assert (
        to_raw(
            "nominatim",
            {
                "class": "boundary",
                "type": "administrative",
                "addresstype": "state",
                "name": "X",
                "address": {"country_code": "de"},
            },
        )["kind"]
        == "admin1"
    )
    assert (
        to_raw("photon", {"properties": {"osm_key": "natural", "osm_value": "water", "name": "Y"}})[
            "kind"
        ]
        == "water"
    )
