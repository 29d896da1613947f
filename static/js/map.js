/* The public map of a programme's places and groups (Leaflet + markercluster).
 *
 * Everything comes from data-* attributes of #map (the CSP allows no inline script):
 *   data-geojson-url        the GeoJSON of the results, with the page's filters in its query string
 *   data-tile-url           the tile server ("" = no tiles: markers on a plain background)
 *   data-tile-attribution   its attribution, shown as text
 *   data-icon-url, data-icon-retina-url, data-shadow-url   Leaflet's marker images (hashed names)
 *   data-error-message, data-group-label   translated texts
 * Markers never depend on tiles: a tile server that cannot be reached only leaves the background
 * empty. Text from the data is put in the page with textContent only, never as HTML.
 * When it has drawn the markers the script sets data-markers="<count>" on #map (tests wait on it).
 */
(function () {
  "use strict";

  var element = document.querySelector("#map[data-geojson-url]");
  if (!element || typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var data = element.dataset;

  // Leaflet guesses the images' folder from its CSS; with hashed static names it cannot, so the
  // page gives the exact addresses and the folder part is left empty.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: data.iconUrl,
    iconRetinaUrl: data.iconRetinaUrl,
    shadowUrl: data.shadowUrl
  });

  var wrapper = element.closest("[hidden]");
  if (wrapper) {
    wrapper.hidden = false; // shown only when the script runs: without it the list says it all
  }

  // maxZoom on the map itself: the cluster group needs it even when there is no tile layer.
  var map = L.map(element, { scrollWheelZoom: false, maxZoom: 19 }).setView([42.5, 12.5], 5);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, {
      maxZoom: 19,
      attribution: escapeHtml(data.tileAttribution || "")
    }).addTo(map);
  }

  function escapeHtml(text) {
    // Leaflet writes attributions as HTML; ours is configuration text, so it is escaped.
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function line(parent, text, className) {
    if (!text) {
      return;
    }
    var paragraph = document.createElement("p");
    paragraph.className = className || "";
    paragraph.textContent = text;
    parent.appendChild(paragraph);
  }

  function popupFor(properties) {
    var box = document.createElement("div");
    var title = document.createElement("a");
    title.className = "trama-map-popup-title";
    title.href = properties.url;
    title.textContent = properties.name;
    box.appendChild(title);
    var isPlace = properties.type === "place";
    line(box, isPlace ? properties.kind : data.groupLabel, "trama-map-popup-kind");
    var where = isPlace ? [properties.address, properties.municipality] : [properties.neighbourhood, properties.municipality];
    line(box, where.filter(Boolean).join(", "));
    line(box, (isPlace ? properties.services : properties.themes || []).join(", "), "trama-map-popup-terms");
    return box;
  }

  function draw(collection) {
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    var count = 0;
    (collection.features || []).forEach(function (feature) {
      if (!feature.geometry || feature.geometry.type !== "Point") {
        return;
      }
      var lon = feature.geometry.coordinates[0];
      var lat = feature.geometry.coordinates[1];
      var name = feature.properties.name;
      var marker = L.marker([lat, lon], { title: name, alt: name, keyboard: true });
      marker.bindPopup(popupFor(feature.properties));
      cluster.addLayer(marker);
      count += 1;
    });
    map.addLayer(cluster);
    if (count > 0) {
      map.fitBounds(cluster.getBounds(), { padding: [40, 40], maxZoom: 15 });
    }
    element.dataset.markers = String(count);
  }

  function fail(error) {
    window.console.error("Trama map:", error);
    var status = document.createElement("p");
    status.className = "trama-map-status alert alert-warning";
    status.setAttribute("role", "status");
    status.textContent = data.errorMessage || "";
    element.parentNode.insertBefore(status, element.nextSibling);
    element.dataset.markers = "error";
  }

  fetch(data.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch(fail);
})();
