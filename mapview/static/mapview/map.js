/* The member map: Leaflet from our own static files, an offline outline base map unless tiles are configured,
   clustered pins with a popup per organisation, and a filter form that reloads /map.geojson without a page load.
   The server-rendered list beside the map carries the same information for keyboard and screen-reader users. */
(function () {
  "use strict";

  var GERMANY = [[47.2, 5.8], [55.1, 15.1]];
  var BKG = "© GeoBasis-DE / BKG (2017)";
  var STATE_NAMES = {
    BW: "Baden-Württemberg", BY: "Bayern", BE: "Berlin", BB: "Brandenburg", HB: "Bremen", HH: "Hamburg",
    HE: "Hessen", MV: "Mecklenburg-Vorpommern", NI: "Niedersachsen", NW: "Nordrhein-Westfalen",
    RP: "Rheinland-Pfalz", SL: "Saarland", SN: "Sachsen", ST: "Sachsen-Anhalt", SH: "Schleswig-Holstein",
    TH: "Thüringen"
  };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }  // text, never HTML: names come from members and remote servers
    return node;
  }

  function baseLayer(map, box) {
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
      return;
    }
    // Offline: the Bundesländer outlines shipped with the node, no tile server asked
    box.classList.add("member-map--offline");
    map.attributionControl.addAttribution(BKG);
    fetch(box.dataset.boundaries).then(function (r) { return r.json(); }).then(function (outlines) {
      L.geoJSON(outlines, {
        interactive: false,
        className: "state-outline",
        style: { color: "#5b6470", weight: 1, fillColor: "#eef1f4", fillOpacity: 1 }
      }).addTo(map).bringToBack();
      box.dataset.baseReady = "1";
    });
  }

  function pin(latlng, title) {
    return L.marker(latlng, {
      title: title, keyboard: true, riseOnHover: true,
      icon: L.divIcon({ className: "member-pin", iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8] })
    });
  }

  function popup(properties) {
    var box = el("div", { "class": "member-popup" });
    if (properties.avatar) { box.appendChild(el("img", { src: properties.avatar, alt: "", width: "40", height: "40" })); }
    var link = el("a", { href: properties.url }, properties.name);
    box.appendChild(el("strong")).appendChild(link);
    if (properties.city) { box.appendChild(el("div", {}, properties.city)); }
    if (properties.fields && properties.fields.length) { box.appendChild(el("div", { "class": "fields" }, properties.fields.join(" · "))); }
    return box;
  }

  function clusterLayer() {
    // leaflet.markercluster (PyPI xstatic) groups close pins; without it every pin stands alone. Its default radius
    // (80 px) keeps a zoomed-in map of 5,000 members under ~300 marker elements (bench/map.py --browser).
    return L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 80 }) : L.layerGroup();
  }

  function showFeatures(map, layer, collection, fit) {
    layer.clearLayers();
    var pins = collection.features.map(function (feature) {
      var c = feature.geometry.coordinates;
      // the popup is built when it opens: thousands of unused popups would only slow the first draw
      return pin([c[1], c[0]], feature.properties.name).bindPopup(function () { return popup(feature.properties); });
    });
    if (layer.addLayers) { layer.addLayers(pins); } else { pins.forEach(function (p) { layer.addLayer(p); }); }
    if (fit && pins.length) { map.fitBounds(L.featureGroup(pins).getBounds(), { maxZoom: 10, padding: [20, 20] }); }
    map.getContainer().dataset.pins = String(pins.length);
  }

  function updateSummary(collection) {
    var count = document.getElementById("map-count");
    if (count) {
      var n = collection.features.length;
      count.textContent = n + (n === 1 ? " Organisation auf der Karte" : " Organisationen auf der Karte");
    }
    Object.keys(collection.stateCounts || {}).forEach(function (code) {
      var item = document.querySelector('#state-counts [data-state="' + code + '"] .state-count');
      if (item) { item.textContent = String(collection.stateCounts[code]); }
    });
    var list = document.getElementById("member-list");
    if (!list) { return; }
    var heading = list.querySelector("h2");
    list.textContent = "";
    list.appendChild(heading);
    var groups = {};
    collection.features.forEach(function (f) { (groups[f.properties.state] = groups[f.properties.state] || []).push(f.properties); });
    var codes = Object.keys(STATE_NAMES).filter(function (code) { return groups[code]; });
    if (groups[""]) { codes.push(""); }
    if (!codes.length) { list.appendChild(el("p", { "class": "empty" }, "Keine Organisation mit Standort passt zu diesen Filtern.")); }
    codes.forEach(function (code) {
      list.appendChild(el("h3", {}, (STATE_NAMES[code] || "Ohne Bundesland") + " (" + groups[code].length + ")"));
      var ul = list.appendChild(el("ul"));
      groups[code].forEach(function (p) {
        var li = ul.appendChild(el("li"));
        li.appendChild(el("a", { href: p.url }, p.name));
        if (p.city) { li.appendChild(document.createTextNode(", " + p.city)); }
      });
    });
  }

  function load(box, map, layer, query, fit, summary) {
    box.setAttribute("aria-busy", "true");
    return fetch(box.dataset.geojson + (query ? "?" + query : ""), { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.json(); })
      .then(function (collection) {
        showFeatures(map, layer, collection, fit);
        if (summary) { updateSummary(collection); }
        box.removeAttribute("aria-busy");
      })
      .catch(function (error) {
        box.removeAttribute("aria-busy");
        if (window.console) { console.error("member map: " + error); }  // the list below still holds every member
      });
  }

  function directoryQuery() {
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    return params.toString();
  }

  function start(box) {
    box.hidden = false;
    var map = L.map(box, { minZoom: 5, maxZoom: 16, maxBounds: [[44, 0], [58, 21]] });
    map.fitBounds(GERMANY);
    baseLayer(map, box);
    if (box.dataset.mode === "pin") {
      // a click places the pin and fills the form's coordinates (the form works without it, too)
      var marker = null;
      var place = function (latlng) {
        if (marker) { marker.setLatLng(latlng); } else { marker = pin(latlng, box.dataset.label || "").addTo(map); }
        document.getElementById("id_latitude").value = latlng.lat.toFixed(5);
        document.getElementById("id_longitude").value = latlng.lng.toFixed(5);
        box.dataset.pins = "1";
      };
      if (box.dataset.lat) { place(L.latLng(parseFloat(box.dataset.lat), parseFloat(box.dataset.lon))); }
      map.on("click", function (event) { place(event.latlng); });
      return;
    }
    if (box.dataset.mode === "profile") {
      var here = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
      pin(here, box.dataset.label).addTo(map);
      map.setView(here, 9);
      box.dataset.pins = "1";
      return;
    }
    var layer = clusterLayer().addTo(map);
    if (box.dataset.mode === "directory") {
      load(box, map, layer, directoryQuery(), true);
      return;
    }
    var form = document.getElementById("map-filters");
    var query = function () { return new URLSearchParams(new FormData(form)).toString(); };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      history.replaceState(null, "", "?" + query());
      load(box, map, layer, query(), true, true);
    });
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { form.requestSubmit(); });
    });
    // the page came with the list and counts for these filters: only the pins are new
    load(box, map, layer, query(), false, false);
  }

  function init() {
    if (!window.L) { return; }  // Leaflet missing: the list stays the map
    document.documentElement.classList.add("map-js");
    document.querySelectorAll(".member-map").forEach(start);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
