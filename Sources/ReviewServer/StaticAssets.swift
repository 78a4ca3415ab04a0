import Foundation
import Hummingbird

/// The files the review pages load besides themselves, served from the binary: Leaflet (``LeafletAssets``, BSD-2-Clause,
/// `docs/licences/leaflet.txt`) under `/static/leaflet/`, and the map page's script `/static/map.js`. No session is
/// needed (they hold no data); the page's content security policy allows scripts from this origin only.
enum StaticAssets {
    /// Path (without the leading slash) → content type and bytes.
    static let files: [String: (type: String, bytes: [UInt8])] = {
        var out: [String: (type: String, bytes: [UInt8])] = [:]
        for (name, file) in LeafletAssets.files {
            // Generated from the package's files; a decoding failure would be a broken generator, caught by the tests.
            out["static/leaflet/" + name] = (file.type, [UInt8](Data(base64Encoded: file.base64) ?? Data()))
        }
        out["static/map.js"] = ("text/javascript; charset=utf-8", Array(mapScript.utf8))
        out["static/triage.js"] = ("text/javascript; charset=utf-8", Array(triageScript.utf8))
        out["static/frame.js"] = ("text/javascript; charset=utf-8", Array(frameScript.utf8))
        return out
    }()

    /// The response for one file.
    static func response(_ path: String) -> Response? {
        guard let file = files[path] else { return nil }
        return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=3600"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// The map page's script: a Leaflet map of `#leaflet`'s `data-geojson` (defects as circles coloured by severity,
    /// each a link to its ticket; frame footprints; the survey track), over `data-tiles` when the operator set a tile
    /// URL. Tooltips are set as text, never as HTML.
    static let mapScript = #"""
    // Pavewatch review map (served by pavewatch serve as /static/map.js).
    (function () {
      var el = document.getElementById('leaflet');
      if (!el || !window.L) { return; }
      var map = L.map(el);
      window.pavewatchMap = map;
      function text(s) { var span = document.createElement('span'); span.textContent = s; return span; }
      // Leaflet writes attributions as HTML: give it the text escaped.
      function escaped(s) { return text(s).innerHTML; }
      var tiles = el.getAttribute('data-tiles');
      if (tiles) {
        L.tileLayer(tiles, {maxZoom: 22, maxNativeZoom: 19, attribution: escaped(el.getAttribute('data-attribution') || '')}).addTo(map);
      }
      fetch(el.getAttribute('data-geojson'), {credentials: 'same-origin'})
        .then(function (r) { if (!r.ok) { throw new Error('map data: HTTP ' + r.status); } return r.json(); })
        .then(function (fc) {
          function kind(k) { return fc.features.filter(function (f) { return f.properties.kind === k; }); }
          var frames = L.geoJSON(kind('frame'), {interactive: false,
            style: function () { return {color: '#2563eb', weight: 1, fillOpacity: 0.05}; }});
          var track = L.geoJSON(kind('track'), {interactive: false,
            style: function () { return {color: '#2563eb', weight: 2, dashArray: '6 4'}; }});
          var defects = L.geoJSON(kind('defect'), {
            pointToLayer: function (f, ll) {
              return L.circleMarker(ll, {radius: 8, color: '#111', weight: 1, fillColor: f.properties.colour,
                                          fillOpacity: 0.9, className: 'defect defect-' + f.properties.id});
            },
            onEachFeature: function (f, layer) {
              layer.bindTooltip(text(f.properties.title));
              layer.on('click', function () { window.location.href = f.properties.url; });
            }
          });
          frames.addTo(map); track.addTo(map); defects.addTo(map);
          L.control.layers(null, {'Defects': defects, 'Frame footprints': frames, 'Survey track': track},
                           {collapsed: false}).addTo(map);
          var all = L.featureGroup([frames, track, defects]);
          if (all.getLayers().length > 0 && all.getBounds().isValid()) {
            map.fitBounds(all.getBounds().pad(0.1), {maxZoom: 20});
          } else {
            map.setView([0, 0], 2);
          }
          el.setAttribute('data-ready', String(defects.getLayers().length));
        })
        .catch(function (e) { el.setAttribute('data-error', String(e)); el.appendChild(text(String(e))); });
    })();
    """#

    /// The list page's keyboard triage: `j` / `k` (or the arrows) select a row, `x` picks it for a bulk action,
    /// `c` / `r` / `d` / `f` confirm, reject, dispatch or mark fixed the picked rows (or the selected one) through
    /// `POST /api/v1/tickets/{id}/status` (the table's `data-csrf` token in the `X-CSRF-Token` header; the bulk buttons
    /// do the same), `u` undoes the last batch where the life cycle allows it, `Enter` opens the defect; no page
    /// reload. The status cells change in place and `#triage-status` says what happened.
    static let triageScript = #"""
    // Pavewatch keyboard triage (served by pavewatch serve as /static/triage.js).
    (function () {
      var table = document.getElementById('tickets');
      if (!table) { return; }
      var csrf = table.getAttribute('data-csrf');
      var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-ticket]'));
      var status = document.getElementById('triage-status');
      var current = -1, history = [];
      var keys = {c: 'confirmed', r: 'rejected', d: 'dispatched', f: 'fixed'};
      function say(s) { if (status) { status.textContent = s; } }
      function select(i) {
        if (rows.length === 0) { return; }
        i = Math.max(0, Math.min(rows.length - 1, i));
        if (current >= 0) { rows[current].classList.remove('selected'); rows[current].removeAttribute('aria-selected'); }
        current = i;
        rows[i].classList.add('selected');
        rows[i].setAttribute('aria-selected', 'true');
        rows[i].scrollIntoView({block: 'nearest'});
        table.setAttribute('data-selected', rows[i].getAttribute('data-ticket'));
      }
      function picked() {
        return rows.filter(function (r) { var b = r.querySelector('input.pick'); return b && b.checked; });
      }
      function move(row, target) {
        var id = row.getAttribute('data-ticket'), cell = row.querySelector('.status'), before = cell.textContent;
        return fetch('/api/v1/tickets/' + id + '/status', {
          method: 'POST', credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
          body: JSON.stringify({status: target})
        }).then(function (r) {
          return r.json().then(function (body) {
            if (!r.ok) { return {row: row, error: '#' + id + ': ' + body.error}; }
            cell.textContent = body.status;
            return {row: row, before: before, after: body.status};
          });
        }).catch(function (e) { return {row: row, error: '#' + id + ': ' + e}; });
      }
      // Moves every picked row (or the selected one) and records the batch for undo.
      function apply(target, undoing, batch) {
        var targets = batch || (picked().length > 0 ? picked().map(function (r) { return {row: r, to: target}; })
                                                    : (current >= 0 ? [{row: rows[current], to: target}] : []));
        if (targets.length === 0) { say('Select a row first (j / k).'); return; }
        Promise.all(targets.map(function (t) { return move(t.row, t.to); })).then(function (results) {
          var done = results.filter(function (r) { return !r.error; });
          var failed = results.filter(function (r) { return r.error; }).map(function (r) { return r.error; });
          if (!undoing && done.length > 0) {
            history.push(done.map(function (r) { return {row: r.row, to: r.before}; }));
          }
          var ids = done.map(function (r) { return '#' + r.row.getAttribute('data-ticket'); }).join(', ');
          say((done.length ? ids + (done.length === 1 ? ' is' : ' are') + ' now ' + done[0].after + (undoing ? ' (undone)' : '') : '')
              + (failed.length ? (done.length ? '; ' : '') + failed.join('; ') : ''));
          picked().forEach(function (r) { r.querySelector('input.pick').checked = false; });
        });
      }
      document.addEventListener('keydown', function (e) {
        var tag = e.target && e.target.tagName;
        if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || e.ctrlKey || e.metaKey || e.altKey) { return; }
        if (e.key === 'j' || e.key === 'ArrowDown') { select(current + 1); e.preventDefault(); }
        else if (e.key === 'k' || e.key === 'ArrowUp') { select(current - 1); e.preventDefault(); }
        else if (e.key === 'x' && current >= 0) {
          var box = rows[current].querySelector('input.pick');
          if (box) { box.checked = !box.checked; say(picked().length + ' picked'); }
        }
        else if (e.key === 'Enter' && current >= 0) { window.location.href = '/tickets/' + rows[current].getAttribute('data-ticket'); }
        else if (keys[e.key] && csrf) { apply(keys[e.key], false); e.preventDefault(); }
        else if (e.key === 'u' && csrf) {
          var last = history.pop();
          if (last) { apply(null, true, last); } else { say('Nothing to undo.'); }
        }
      });
      Array.prototype.forEach.call(document.querySelectorAll('button[data-bulk]'), function (b) {
        b.addEventListener('click', function () { apply(b.getAttribute('data-bulk'), false); });
      });
    })();
    """#

    /// The frame viewer's script: the frame as an image on Leaflet's plain pixel grid (`L.CRS.Simple`; y down is
    /// latitude −y), every finding's outline as a polygon in its ticket's colour (the current one thicker), a click
    /// opening that defect; zoom and pan are Leaflet's.
    static let frameScript = #"""
    // Pavewatch frame viewer (served by pavewatch serve as /static/frame.js).
    (function () {
      var el = document.getElementById('frame-viewer');
      if (!el || !window.L) { return; }
      var w = Number(el.getAttribute('data-width')), h = Number(el.getAttribute('data-height'));
      var map = L.map(el, {crs: L.CRS.Simple, minZoom: -6, maxZoom: 4, zoomSnap: 0.25});
      window.pavewatchFrame = map;
      var bounds = [[-h, 0], [0, w]];
      L.imageOverlay(el.getAttribute('data-image'), bounds).addTo(map);
      var outlines = JSON.parse(el.getAttribute('data-outlines') || '[]'), focus = null;
      outlines.forEach(function (o) {
        var pts = o.points.map(function (p) { return [-p[1], p[0]]; });
        var layer = L.polygon(pts, {color: o.colour, weight: o.current ? 4 : 2, fillOpacity: 0.1,
                                    className: 'outline outline-' + o.ticket + (o.current ? ' current' : '')});
        var tip = document.createElement('span'); tip.textContent = o.title;
        layer.bindTooltip(tip);
        layer.on('click', function () { window.location.href = '/tickets/' + o.ticket; });
        layer.addTo(map);
        if (o.current) { focus = layer; }
      });
      map.fitBounds(bounds);
      if (focus) { map.fitBounds(focus.getBounds().pad(2), {maxZoom: 1}); }
      el.setAttribute('data-ready', String(outlines.length));
    })();
    """#
}
