
(function () {
  var errors = window.reportErrors || [];
  function record(msg) { errors.push(String(msg)); publish(); }
  var result = { ok: false, keys: {}, panels: [], errors: errors };
  window.reportPublish = publish;
  function publish() {
    result.ok = errors.length === 0 && result.checked === true;
    var pre = document.getElementById('self-check');
    if (pre) { pre.textContent = JSON.stringify(result); }
    document.documentElement.setAttribute('data-ok', result.ok ? '1' : '0');
  }
  function check() {
    var data = JSON.parse(document.getElementById('report-data').textContent);
    var seen = document.querySelectorAll('[data-key]');
    for (var i = 0; i < seen.length; i++) {
      var key = seen[i].getAttribute('data-key');
      var shown = Number(seen[i].textContent.replace(/[^0-9]/g, ''));
      var value = Number(seen[i].getAttribute('data-value'));
      if (shown !== value) { record('key ' + key + ' shows ' + shown + ' but is ' + value); }
      if (!(key in data.totals)) { record('key ' + key + ' is not a total'); }
      else if (data.totals[key] !== value) { record('key ' + key + ' is ' + value + ', totals say ' + data.totals[key]); }
      result.keys[key] = value;
    }
    for (var k in data.totals) { if (!(k in result.keys)) { record('total ' + k + ' is not shown'); } }
    var panels = document.querySelectorAll('section[data-panel]');
    for (var j = 0; j < panels.length; j++) { result.panels.push(panels[j].getAttribute('data-panel')); }
    data.panels.forEach(function (p) { if (result.panels.indexOf(p) < 0) { record('panel ' + p + ' missing'); } });
    result.charts = document.querySelectorAll('svg').length;
    result.checked = true;
    publish();
  }
  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') === 'descending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        // An evidence row (tr.ev) travels with the row above it.
        var rows = Array.prototype.filter.call(body.rows, function (r) { return !r.classList.contains('ev'); });
        var evidence = rows.map(function (r) {
          var next = r.nextElementSibling;
          return next && next.classList.contains('ev') ? next : null;
        });
        rows.forEach(function (r, i) { r.evidence = evidence[i]; });
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
          var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
          var nx = Number(x), ny = Number(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); if (r.evidence) { body.appendChild(r.evidence); } });
      });
    });
  }
  function start() {
    try {
      Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
      check();
    } catch (e) { record('self-check: ' + e); }
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
