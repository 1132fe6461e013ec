// The night patrol's map: Leaflet over the configured tile server, the checkpoints as
// large dots and the scans as small ones (red: far from their checkpoint). The plain plan
// beside it stays, for when the tiles cannot be reached.
(function () {
  "use strict";
  var box = document.getElementById("map");
  var data = document.getElementById("map-points");
  if (!box || !data || !window.L) return;
  var points = JSON.parse(data.textContent);
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tiles, { maxZoom: 20, attribution: box.dataset.attribution }).addTo(map);
  var colours = { checkpoint: "#0f766e", scan: "#2563eb", far: "#dc2626" };
  var bounds = [];
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lng], {
      radius: p.kind === "checkpoint" ? 8 : 4,
      color: colours[p.kind],
      fillOpacity: 0.8,
    })
      .bindTooltip(p.label)
      .addTo(map);
    bounds.push([p.lat, p.lng]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 19 });
})();
