#!/usr/bin/env bash
# Re-create static/ (Leaflet, Leaflet.markercluster and the offline country basemap) from the
# npm registry, then split the outlines at the antimeridian and write the label files
# (scripts/build_basemap.py; needs requirements-dev.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cd "$work"
npm pack leaflet@1.9.4 leaflet.markercluster@1.5.3 world-atlas@2.0.2 topojson-client@3.1.0 >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
mkdir -p "$root/static/vendor/leaflet" "$root/static/vendor/leaflet.markercluster" "$root/static/basemap"
cp leaflet-1.9.4/package/dist/leaflet.{js,css} leaflet-1.9.4/package/LICENSE "$root/static/vendor/leaflet/"
cp -r leaflet-1.9.4/package/dist/images "$root/static/vendor/leaflet/"
mc=leaflet.markercluster-1.5.3/package
cp "$mc"/dist/leaflet.markercluster.js "$mc"/dist/MarkerCluster.css "$mc"/MIT-LICENCE.txt \
  "$root/static/vendor/leaflet.markercluster/"
cp world-atlas-2.0.2/package/LICENSE "$root/static/basemap/LICENSE-world-atlas"
node -e "
const tc = require('./topojson-client-3.1.0/package/dist/topojson-client.js');
const topo = require('./world-atlas-2.0.2/package/countries-50m.json');
const gj = tc.feature(topo, topo.objects.countries);
const round = (a) => Array.isArray(a[0]) ? a.map(round) : [Math.round(a[0] * 1000) / 1000, Math.round(a[1] * 1000) / 1000];
gj.features.forEach((f) => { f.geometry.coordinates = round(f.geometry.coordinates); f.properties = {name: f.properties.name}; });
require('fs').writeFileSync('$root/static/basemap/countries-50m.geojson', JSON.stringify(gj));
"
cd "$root"
python scripts/build_basemap.py
echo "static/ refreshed"
