/* CMCoord HNS pages: small enhancements over server-rendered HTML. Every page works without
   this file; with it, place names fill in their coordinates, maps are drawn from local layers
   (no tile server), deadlines count down and zone outlines can be drawn by clicking. */
/* global L, document, window, Event, fetch, setInterval */
(function () {
  'use strict';

  var layersCache = {};

  function ready(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  function number(value) {
    var n = parseFloat(String(value || '').replace(',', '.'));
    return isFinite(n) ? n : null;
  }

  // ---- Place pickers: the chosen suggestion's coordinates go into the lat/lon fields.
  function coordinateInputs(input) {
    var box = input.closest('[data-place]');
    return box
      ? { lat: box.querySelector('[data-coord=lat]'), lon: box.querySelector('[data-coord=lon]') }
      : null;
  }

  function matchPlace(input) {
    var coords = coordinateInputs(input);
    var list = input.list;
    if (!coords || !list) return;
    var wanted = input.value.trim().toLowerCase();
    var hit = null;
    Array.prototype.forEach.call(list.options, function (option) {
      if (!hit && option.value.toLowerCase() === wanted) hit = option;
    });
    if (hit) {
      coords.lat.value = hit.getAttribute('data-lat');
      coords.lon.value = hit.getAttribute('data-lon');
      coords.lat.setAttribute('data-auto', '1');
      coords.lat.dispatchEvent(new Event('change', { bubbles: true }));
    } else if (coords.lat.getAttribute('data-auto') === '1') {
      // The name changed away from the place we filled in: its coordinates no longer apply.
      coords.lat.value = '';
      coords.lon.value = '';
      coords.lat.removeAttribute('data-auto');
      coords.lat.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  function enhancePlaces() {
    document.addEventListener('input', function (event) {
      var target = event.target;
      if (target.matches && target.matches('[data-place] input[list]')) matchPlace(target);
      if (target.matches && target.matches('[data-coord]')) target.removeAttribute('data-auto');
    });
    // Suggestions arrive after typing (htmx): match again once they are in.
    document.addEventListener('htmx:afterSwap', function (event) {
      var list = event.detail && event.detail.target;
      if (!list || list.tagName !== 'DATALIST') return;
      var input = document.querySelector('input[list="' + list.id + '"]');
      if (input) matchPlace(input);
    });
  }

  // ---- Lead time: warn before submitting a routine departure that is too close.
  function enhanceLeadTime() {
    var form = document.querySelector('form[data-lead-hours]');
    var warning = document.getElementById('lead-warning');
    if (!form || !warning) return;
    var hours = number(form.getAttribute('data-lead-hours'));
    var offset = number(form.getAttribute('data-zone-offset')) || 0;
    function check() {
      var at = form.elements['departure.at'];
      var priority = form.elements.priority;
      if (!at || !at.value || !priority) return (warning.hidden = true);
      var departure = Date.parse(at.value + ':00Z') - offset * 60000;
      warning.hidden = !(priority.value === 'routine' && departure - Date.now() < hours * 3600000);
    }
    form.addEventListener('change', check);
    check();
  }

  // ---- Countdowns of escalation deadlines.
  function duration(ms) {
    var minutes = Math.round(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var h = Math.floor((minutes % 1440) / 60);
    var m = minutes % 60;
    if (days > 0) return days + ' d ' + h + ' h';
    if (h > 0) return h + ' h ' + (m < 10 ? '0' : '') + m + ' min';
    return m + ' min';
  }

  function tick() {
    document.querySelectorAll('[data-deadline]').forEach(function (el) {
      var left = Date.parse(el.getAttribute('data-deadline')) - Date.now();
      var template = el.getAttribute(left >= 0 ? 'data-future' : 'data-past');
      el.textContent = template.replace('{t}', duration(left));
      el.classList.toggle('late', left < 0);
    });
  }

  // ---- Maps on local layers only.
  var COLOURS = { no_go: '#b00020', caution: '#d97706' };

  function loadLayers(url) {
    layersCache[url] =
      layersCache[url] ||
      fetch(url, { credentials: 'same-origin' }).then(function (response) {
        return response.json();
      });
    return layersCache[url];
  }

  function drawBase(map, layers) {
    L.geoJSON(
      layers.regions.map(function (r) {
        return { type: 'Feature', properties: { name: r.nameFr || r.name }, geometry: r.geometry };
      }),
      {
        style: { color: '#8a8f98', weight: 1, fillColor: '#f4efe2', fillOpacity: 1 },
        onEachFeature: function (feature, layer) {
          layer.bindTooltip(feature.properties.name, { sticky: true });
        },
      },
    ).addTo(map);
    L.geoJSON(layers.outline, { style: { color: '#333', weight: 2, fill: false } }).addTo(map);
    var lang = document.documentElement.lang;
    layers.places.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 3, color: '#555', weight: 1, fillOpacity: 0.8 })
        .bindTooltip(lang === 'fr' ? p.nameFr : p.name)
        .addTo(map);
    });
  }

  function shapeStyle(level) {
    var conflict = level.indexOf('conflict') >= 0;
    var colour = COLOURS[level.split(' ')[0]] || '#555';
    return conflict
      ? { color: colour, weight: 7, opacity: 0.9, dashArray: '6 6', fill: false }
      : { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.25 };
  }

  function drawShapes(map, shapes, bounds) {
    (shapes || []).forEach(function (s) {
      var layer = L.geoJSON(s.geometry, { style: shapeStyle(s.level) }).bindTooltip(s.label);
      layer.addTo(map);
      bounds.extend(layer.getBounds());
    });
  }

  function drawRoute(map, route, bounds, group) {
    var points = (route || []).filter(function (p) {
      return p[0] !== null && p[1] !== null;
    });
    if (points.length === 0) return;
    if (points.length > 1) L.polyline(points, { color: '#0b5cad', weight: 4 }).addTo(group);
    points.forEach(function (p, i) {
      var end = i === 0 || i === points.length - 1;
      L.circleMarker(p, {
        radius: end ? 7 : 5,
        color: '#0b5cad',
        fillColor: '#fff',
        fillOpacity: 1,
        weight: 3,
      }).addTo(group);
    });
    bounds.extend(L.latLngBounds(points));
  }

  function formRoute(form) {
    var prefixes = ['departure'];
    form.querySelectorAll('[data-place^="waypoints."]').forEach(function (box) {
      prefixes.push(box.getAttribute('data-place'));
    });
    prefixes.push('arrival');
    return prefixes.map(function (p) {
      var lat = form.elements[p + '.lat'];
      var lon = form.elements[p + '.lon'];
      return [lat && number(lat.value), lon && number(lon.value)];
    });
  }

  function enableDrawing(map, container) {
    var form = container.closest('.columns').querySelector('form[action="/web/zones"]');
    if (!form) return;
    var geometry = form.elements.geometry;
    var clear = form.querySelector('[data-draw=clear]');
    var points = [];
    var drawn = L.layerGroup().addTo(map);
    function render() {
      drawn.clearLayers();
      if (points.length > 0) L.polygon(points, shapeStyle('no_go')).addTo(drawn);
      points.forEach(function (p) {
        L.circleMarker(p, { radius: 4, color: '#b00020' }).addTo(drawn);
      });
      var lat = number(form.elements['center.lat'].value);
      var lon = number(form.elements['center.lon'].value);
      var radius = number(form.elements.radiusKm.value);
      if (points.length === 0 && lat !== null && lon !== null && radius) {
        L.circle([lat, lon], { radius: radius * 1000, color: '#b00020', fillOpacity: 0.2 }).addTo(
          drawn,
        );
      }
      var ring = points.map(function (p) {
        return [Math.round(p.lng * 1e5) / 1e5, Math.round(p.lat * 1e5) / 1e5];
      });
      geometry.value =
        ring.length >= 3
          ? JSON.stringify({ type: 'Polygon', coordinates: [ring.concat([ring[0]])] })
          : '';
      clear.hidden = points.length === 0;
    }
    map.on('click', function (event) {
      points.push(event.latlng);
      render();
    });
    clear.addEventListener('click', function () {
      points = [];
      render();
    });
    form.addEventListener('input', render);
  }

  function drawMap(container) {
    if (typeof L === 'undefined') return;
    var map = L.map(container, { zoomSnap: 0.25, attributionControl: true });
    container.hnsMap = map; // lets the browser tests click at a given place
    map.attributionControl.setPrefix('Leaflet').addAttribution('Natural Earth');
    map.fitBounds([
      [10.1, -12.3],
      [25.05, 4.3],
    ]);
    var source = container.getAttribute('data-source');
    var data = source ? JSON.parse(document.getElementById(source).textContent) : {};
    var mode = container.getAttribute('data-map');
    loadLayers(container.getAttribute('data-layers')).then(function (layers) {
      drawBase(map, layers);
      var bounds = L.latLngBounds([]);
      drawShapes(map, data.zones, bounds);
      drawShapes(map, data.conflicts, bounds);
      var routeGroup = L.layerGroup().addTo(map);
      drawRoute(map, data.route, bounds, routeGroup);
      // No animation: slow phones, and a map that stays where it is once drawn.
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.3), { maxZoom: 9, animate: false });
      // A phone turned sideways: keep the same area in view.
      var view = bounds.isValid() ? bounds.pad(0.3) : map.getBounds();
      window.addEventListener('resize', function () {
        map.invalidateSize();
        map.fitBounds(view, { maxZoom: 9, animate: false });
      });
      if (mode === 'form') {
        var form = container.closest('form');
        form.addEventListener('change', function () {
          routeGroup.clearLayers();
          var b = L.latLngBounds([]);
          drawRoute(map, formRoute(form), b, routeGroup);
          if (b.isValid()) map.fitBounds(b.pad(0.3), { maxZoom: 9 });
        });
        form.dispatchEvent(new Event('change'));
      }
      if (mode === 'draw') enableDrawing(map, container);
      container.setAttribute('data-ready', 'true');
    });
  }

  ready(function () {
    // A form sent back with problems: start from their list (each links to its field).
    var problems = document.getElementById('form-errors');
    if (problems) problems.focus();
    enhancePlaces();
    enhanceLeadTime();
    tick();
    setInterval(tick, 15000);
    document.querySelectorAll('[data-map]').forEach(drawMap);
  });
})();
