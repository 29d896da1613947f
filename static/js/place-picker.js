/*
 * Trama: choose a place's coordinates by clicking on a map. Progressive enhancement: without
 * JavaScript (or Leaflet) the latitude and longitude fields are typed by hand.
 * The map element carries its settings in data attributes; no inline script (strict CSP).
 */
(function () {
  "use strict";
  var element = document.getElementById("place-picker");
  var latInput = document.querySelector("[data-place-latitude]");
  var lonInput = document.querySelector("[data-place-longitude]");
  if (!element || !latInput || !lonInput || typeof L === "undefined") {
    if (element) { element.hidden = true; }
    return;
  }
  // Hashed static names defeat Leaflet's guess of its images' folder: the page gives the addresses.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: element.getAttribute("data-icon-url"),
    iconRetinaUrl: element.getAttribute("data-icon-retina-url"),
    shadowUrl: element.getAttribute("data-shadow-url")
  });
  var lat = parseFloat(latInput.value);
  var lon = parseFloat(lonInput.value);
  var hasPoint = !isNaN(lat) && !isNaN(lon);
  var map = L.map(element).setView(hasPoint ? [lat, lon] : [45.19, 9.16], hasPoint ? 15 : 10);
  var tileUrl = element.getAttribute("data-tile-url");
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: element.getAttribute("data-tile-attribution") || "", maxZoom: 19 }).addTo(map);
  }
  var marker = hasPoint ? L.marker([lat, lon]).addTo(map) : null;
  map.on("click", function (event) {
    var point = event.latlng;
    latInput.value = point.lat.toFixed(5);
    lonInput.value = point.lng.toFixed(5);
    if (marker) { marker.setLatLng(point); } else { marker = L.marker(point).addTo(map); }
  });
})();
