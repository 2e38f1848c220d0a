// ospo audit report: renders the component table from the JSON data block.
// Data is only ever put into the page with textContent, never as markup.
(function () {
  'use strict';
  var root = document.documentElement;
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(String(e.message));
    root.setAttribute('data-errors', errors.join('\n'));
  });

  var data = JSON.parse(document.getElementById('ospo-data').textContent);
  var comps = data.components;
  var table = document.getElementById('components');
  var tbody = table.tBodies[0];
  var filterInput = document.getElementById('filter');
  var flagSelect = document.getElementById('flag');
  var shownOut = document.getElementById('shown');
  var rows = new Array(comps.length);
  var details = new Array(comps.length);
  var order = [];
  var sortKey = null;
  var sortDir = 1;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function buildRow(i) {
    var c = comps[i];
    var tr = el('tr', null, 'row');
    tr.setAttribute('data-i', String(i));
    var name = el('td');
    var b = el('button', c.name, 'toggle');
    b.type = 'button';
    b.setAttribute('aria-expanded', 'false');
    b.title = 'Show the evidence';
    name.appendChild(b);
    tr.appendChild(name);
    tr.appendChild(el('td', c.version));
    tr.appendChild(el('td', c.ecosystem));
    tr.appendChild(el('td', c.declared));
    tr.appendChild(el('td', c.concluded));
    tr.appendChild(el('td', c.verdict || '\u2014', c.verdict ? 'v-' + c.verdict : 'v-none'));
    tr.appendChild(el('td', c.flags.join(' ')));
    c.search = [c.name, c.version, c.ecosystem, c.declared, c.concluded, c.verdict,
      c.flags.join(' '), c.bom_ref].join('\n').toLowerCase();
    return tr;
  }

  function section(parent, title, items) {
    if (!items.length) return;
    parent.appendChild(el('h4', title));
    var ul = el('ul');
    items.forEach(function (t) { ul.appendChild(el('li', t)); });
    parent.appendChild(ul);
  }

  function buildDetail(i) {
    var c = comps[i];
    var tr = el('tr', null, 'detail');
    var td = el('td');
    td.colSpan = 7;
    var box = el('div', null, 'evidence');
    box.appendChild(el('p', c.bom_ref, 'ref'));
    section(box, 'Why this conclusion', c.why);
    section(box, 'Policy', c.verdicts.map(function (v) {
      return v.status + ' \u2014 ' + v.rule + ': ' + v.message;
    }));
    box.appendChild(el('h4', 'Evidence'));
    if (!c.evidence.length) {
      box.appendChild(el('p', 'No license evidence in files.'));
    } else {
      var t = el('table', null, 'ev');
      var head = el('tr');
      ['File', 'Lines', 'Kind', 'Score', 'License'].forEach(function (h) { head.appendChild(el('th', h)); });
      t.appendChild(head);
      c.evidence.forEach(function (e) {
        var r = el('tr');
        [e.path, e.lines, e.kind, e.score, e.expression].forEach(function (v) { r.appendChild(el('td', v)); });
        t.appendChild(r);
        if (e.excerpt) {
          var x = el('tr');
          var xd = el('td');
          xd.colSpan = 5;
          xd.appendChild(el('pre', e.excerpt, 'excerpt'));
          x.appendChild(xd);
          t.appendChild(x);
        }
      });
      box.appendChild(t);
    }
    td.appendChild(box);
    tr.appendChild(td);
    return tr;
  }

  function toggle(i, open) {
    var row = rows[i];
    var btn = row.querySelector('button.toggle');
    var isOpen = btn.getAttribute('aria-expanded') === 'true';
    if (open === undefined) open = !isOpen;
    if (open === isOpen) return;
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      if (!details[i]) details[i] = buildDetail(i);
      details[i].hidden = row.hidden;
      row.parentNode.insertBefore(details[i], row.nextSibling);
    } else if (details[i] && details[i].parentNode) {
      details[i].parentNode.removeChild(details[i]);
    }
  }

  function applyFilter() {
    var q = filterInput.value.trim().toLowerCase();
    var flag = flagSelect.value;
    var shown = 0;
    for (var i = 0; i < comps.length; i++) {
      var c = comps[i];
      var ok = (!q || c.search.indexOf(q) !== -1) &&
        (!flag || c.flags.indexOf(flag) !== -1 || c.verdict === flag);
      rows[i].hidden = !ok;
      if (details[i]) details[i].hidden = !ok;
      if (ok) shown++;
    }
    shownOut.textContent = shown + ' of ' + comps.length + ' components shown';
  }

  function keyOf(c, key) {
    return key === 'flags' ? c.flags.join(' ') : (c[key] || '');
  }

  function sortBy(key) {
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    var keys = comps.map(function (c) { return keyOf(c, key).toLowerCase(); });
    order.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x < y) return -sortDir;
      if (x > y) return sortDir;
      return a - b;
    });
    var frag = document.createDocumentFragment();
    order.forEach(function (i) {
      frag.appendChild(rows[i]);
      if (details[i] && details[i].parentNode) frag.appendChild(details[i]);
    });
    tbody.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.setAttribute('aria-sort', th.getAttribute('data-key') === key
        ? (sortDir === 1 ? 'ascending' : 'descending') : 'none');
    });
  }

  var frag = document.createDocumentFragment();
  for (var i = 0; i < comps.length; i++) {
    rows[i] = buildRow(i);
    order.push(i);
    frag.appendChild(rows[i]);
  }
  tbody.appendChild(frag);

  tbody.addEventListener('click', function (e) {
    var b = e.target.closest('button.toggle');
    if (b) toggle(Number(b.closest('tr').getAttribute('data-i')));
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var key = th.getAttribute('data-key');
    var b = th.querySelector('button');
    if (key && b) b.addEventListener('click', function () { sortBy(key); });
  });
  filterInput.addEventListener('input', applyFilter);
  flagSelect.addEventListener('change', applyFilter);
  // Printing shows the evidence of every component the filter shows.
  window.addEventListener('beforeprint', function () {
    for (var i = 0; i < comps.length; i++) if (!rows[i].hidden) toggle(i, true);
  });
  applyFilter();
  root.setAttribute('data-render-ms', String(Math.round(performance.now())));
  root.setAttribute('data-ready', '1');
})();
