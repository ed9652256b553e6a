// Tally's web console: a client of the query API (/api/v1) and /health/ready, nothing more.
// No build step, no framework: pages are built with DOM calls (never innerHTML, so label values
// from events cannot inject markup), charts are drawn by uPlot, and every chart has a table of the
// plotted values beside it for screen readers (visually hidden).
(function () {
  'use strict';

  var POLL_MS = 5000;
  var RANGES = [['5m', '5 minutes'], ['15m', '15 minutes'], ['1h', '1 hour'], ['6h', '6 hours'],
    ['24h', '24 hours'], ['7d', '7 days']];
  var AGGS = {
    counter: [['sum', 'total added'], ['count', 'events'], ['rate', 'per second']],
    histogram: [['count', 'observations'], ['rate', 'observations per second'],
      ['avg', 'average'], ['sum', 'sum']],
    gauge: [['last', 'last value'], ['max', 'highest value']],
    ratio: [['value', 'ratio']]
  };
  var QUANTILES = ['p50', 'p90', 'p99'];
  var COLORS = ['#0b5cad', '#c4410c', '#2a7d2e', '#8e3ca8', '#a07800', '#00838f', '#b0245e',
    '#5d4037', '#455a64', '#6a7f00'];

  var main = document.getElementById('main');
  var catalog = null;
  var view = null;
  var timer = null;
  var busy = false;
  var renders = 0;

  // ---- small helpers ----

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'text') el.textContent = v;
        else if (k === 'className') el.className = v;
        else if (k.indexOf('on') === 0) el.addEventListener(k.substring(2), v);
        else el.setAttribute(k, v === true ? '' : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
    else el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v === null || v === undefined) return;
      (Array.isArray(v) ? v : [v]).forEach(function (one) {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(one));
      });
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  function api(path, params) {
    return fetch('/api/v1/' + path + query(params || {}), {
      headers: { Accept: 'application/json' }, credentials: 'same-origin'
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var e = new Error(body.error || ('HTTP ' + r.status));
          e.status = r.status;
          throw e;
        }
        return body;
      });
    });
  }

  function labelText(labels) {
    var keys = Object.keys(labels || {}).sort();
    if (!keys.length) return 'all series';
    return keys.map(function (k) { return k + '=' + labels[k]; }).join(', ');
  }

  // A time parameter as the API takes it; epoch milliseconds shown as RFC 3339.
  function timeText(t) {
    return /^\d+$/.test(t) ? new Date(Number(t)).toISOString().replace('.000Z', 'Z') : t;
  }

  function exact(v) {
    return v === null || v === undefined ? '–' : String(v);
  }

  function table(caption, head, rows, hidden) {
    var t = h('table', { className: hidden ? 'sr-only' : null },
      h('caption', { text: caption }),
      h('thead', null, h('tr', null, head.map(function (c, i) {
        return h('th', { scope: 'col', className: i > 0 && c.num ? 'num' : null, text: c.text || c });
      }))),
      h('tbody', null, rows.map(function (row) {
        return h('tr', null, row.map(function (cell, i) {
          return i === 0 ? h('th', { scope: 'row', text: cell })
            : h('td', { className: head[i] && head[i].num ? 'num' : null, text: cell });
        }));
      })));
    return hidden ? t : h('div', { className: 'scroll' }, t);
  }

  function showError(e) {
    var box = document.getElementById('error');
    if (!e) {
      box.hidden = true;
      clear(box);
      return;
    }
    clear(box).appendChild(document.createTextNode('The query API answered: ' + e.message +
      ' (asking again every ' + POLL_MS / 1000 + ' s)'));
    box.hidden = false;
  }

  // ---- readiness banner: /health/ready's JSON reason ----

  function checkReady() {
    return fetch('/health/ready', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var banner = document.getElementById('banner');
          if (r.ok) {
            banner.hidden = true;
            clear(banner);
          } else {
            clear(banner).appendChild(h('strong', { text: 'This instance is not ready: ' }));
            banner.appendChild(document.createTextNode(body.reason || ('HTTP ' + r.status)));
            banner.hidden = false;
          }
        });
      })
      .catch(function () {});
  }

  // ---- routing ----

  function parseHash() {
    var hash = location.hash.replace(/^#\/?/, '');
    var q = hash.indexOf('?');
    var path = q < 0 ? hash : hash.substring(0, q);
    var params = new URLSearchParams(q < 0 ? '' : hash.substring(q + 1));
    var parts = path.split('/').map(decodeURIComponent);
    if (parts[0] === 'metric' && parts[1]) return { page: 'metric', name: parts[1], params: params };
    if (parts[0] === 'pipeline') return { page: 'pipeline', params: params };
    return { page: 'metrics', params: params };
  }

  function setHashParams(params) {
    var path = location.hash.replace(/^#/, '').split('?')[0];
    var s = params.toString();
    history.replaceState(null, '', '#' + path + (s ? '?' + s : ''));
  }

  function route() {
    var r = parseHash();
    document.querySelectorAll('[data-nav]').forEach(function (a) {
      var current = a.getAttribute('data-nav') === (r.page === 'metric' ? 'metrics' : r.page);
      if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    if (view && view.destroy) view.destroy();
    clear(main);
    showError(null);
    view = r.page === 'metric' ? metricPage(r.name, r.params)
      : r.page === 'pipeline' ? pipelinePage() : metricsPage(r.params);
    refresh(true);
  }

  function refresh(first) {
    if (busy && !first) return;
    busy = true;
    var current = view;
    Promise.all([checkReady(), current.update()])
      .then(function () {
        if (current !== view) return;
        showError(null);
        renders++;
        main.setAttribute('data-renders', String(renders));
        document.getElementById('updated').textContent =
          'Updated ' + new Date().toLocaleTimeString();
      })
      .catch(function (e) {
        if (current === view) showError(e);
      })
      .then(function () { busy = false; });
  }

  function loadCatalog() {
    if (catalog) return Promise.resolve(catalog);
    return api('metrics').then(function (body) {
      catalog = body.metrics;
      return catalog;
    });
  }

  // ---- Metrics: the catalog, searchable ----

  function metricsPage(params) {
    var search = h('input', { type: 'search', id: 'search', value: params.get('q') || '',
      'aria-controls': 'catalog' });
    var count = h('p', { className: 'help', 'aria-live': 'polite' });
    var holder = h('div', { id: 'catalog' });
    append(main, [
      h('h1', { text: 'Metrics' }),
      h('p', { className: 'help', text: 'What Tally counts: the catalog, Tally\'s own counters ' +
        'and the ratios. Open a metric for its windows, totals and live series.' }),
      h('div', { className: 'controls', role: 'search' },
        h('div', null, h('label', { 'for': 'search', text: 'Search name, help or label' }), search)),
      count, holder]);
    function render() {
      var text = search.value.trim().toLowerCase();
      var p = new URLSearchParams();
      if (text) p.set('q', search.value.trim());
      setHashParams(p);
      var shown = (catalog || []).filter(function (m) {
        return !text || (m.name + ' ' + m.help + ' ' + m.labels.join(' ') + ' ' + m.type)
          .toLowerCase().indexOf(text) >= 0;
      });
      count.textContent = shown.length + ' of ' + (catalog || []).length + ' metrics';
      var t = h('table', { id: 'catalog-table' },
        h('caption', { className: 'sr-only', text: 'Metric catalog' }),
        h('thead', null, h('tr', null, ['Name', 'Type', 'Unit', 'Labels', 'Help'].map(function (c) {
          return h('th', { scope: 'col', text: c });
        }))),
        h('tbody', null, shown.map(function (m) {
          return h('tr', null,
            h('th', { scope: 'row' }, h('a', { href: '#/metric/' + encodeURIComponent(m.name) },
              h('code', { text: m.name }))),
            h('td', { text: m.type }), h('td', { text: m.unit || '–' }),
            h('td', { text: m.labels.join(', ') || '–' }), h('td', { text: m.help }));
        })));
      clear(holder).appendChild(h('div', { className: 'scroll' }, t));
    }
    search.addEventListener('input', render);
    return {
      update: function () { return loadCatalog().then(function () { if (!holder.firstChild) render(); }); }
    };
  }

  // ---- A metric's page ----

  function metricPage(name, params) {
    var metric = null;
    var charts = [];
    var seriesValues = null;
    var head = h('div');
    var controls = h('form', { className: 'controls', 'aria-label': 'Chart settings',
      onsubmit: function (e) { e.preventDefault(); } });
    var chartsBox = h('section', { 'aria-label': 'Per-window charts' });
    var side = h('aside', { 'aria-label': 'Totals and live series' });
    append(main, [head, controls, h('div', { className: 'layout' }, chartsBox, side)]);

    function state() {
      var p = parseHash().params;
      var windows = metric.windows;
      var s = {
        range: p.get('range') || '15m',
        from: p.get('from'),
        to: p.get('to'),
        resolution: windows.indexOf(p.get('resolution')) >= 0 ? p.get('resolution') : windows[0],
        agg: p.get('agg') || (AGGS[metric.type] || [['']])[0][0],
        match: p.getAll('match'),
        by: p.has('by') ? p.get('by').split(',').filter(Boolean) : null
      };
      return s;
    }

    function save(s) {
      var p = new URLSearchParams();
      if (s.from) p.set('from', s.from); else p.set('range', s.range);
      if (s.to) p.set('to', s.to);
      p.set('resolution', s.resolution);
      p.set('agg', s.agg);
      s.match.forEach(function (m) { p.append('match', m); });
      if (s.by) p.set('by', s.by.join(','));
      setHashParams(p);
      refresh(true);
    }

    function select(id, label, options, value, onchange) {
      var sel = h('select', { id: id, onchange: onchange });
      options.forEach(function (o) {
        sel.appendChild(h('option', { value: o[0], text: o[1], selected: o[0] === value }));
      });
      return h('div', null, h('label', { 'for': id, text: label }), sel);
    }

    function buildControls(s) {
      clear(controls);
      if (!metric.windows.length) return;
      var rangeOptions = RANGES.slice();
      if (s.from) rangeOptions.unshift(['custom', 'from ' + timeText(s.from) + (s.to ? ' to ' + timeText(s.to) : '')]);
      append(controls, [
        select('range', 'Range', rangeOptions, s.from ? 'custom' : s.range, function (e) {
          if (e.target.value === 'custom') return;
          s.range = e.target.value; s.from = null; s.to = null; save(s);
        }),
        select('resolution', 'Resolution', metric.windows.map(function (w) { return [w, w]; }),
          s.resolution, function (e) { s.resolution = e.target.value; save(s); }),
        select('agg', metric.type === 'histogram' ? 'Value chart' : 'Value',
          (AGGS[metric.type] || []).map(function (a) { return [a[0], a[0] + ' (' + a[1] + ')']; }),
          s.agg, function (e) { s.agg = e.target.value; save(s); })
      ]);
      metric.labels.forEach(function (l) {
        var current = null;
        s.match.forEach(function (m) { if (m.indexOf(l + '=') === 0) current = m.substring(l.length + 1); });
        var values = (seriesValues && seriesValues[l]) || [];
        if (current !== null && values.indexOf(current) < 0) values = values.concat([current]);
        var options = [['', 'any']].concat(values.map(function (v) { return [v, v]; }));
        append(controls, select('filter-' + l, 'Filter: ' + l, options, current || '', function (e) {
          s.match = s.match.filter(function (m) { return m.indexOf(l + '=') !== 0; });
          if (e.target.value) s.match.push(l + '=' + e.target.value);
          save(s);
        }));
      });
      if (metric.labels.length) {
        var grouped = s.by === null ? metric.labels : s.by;
        var fs = h('fieldset', null, h('legend', { text: 'Group by' }));
        metric.labels.forEach(function (l) {
          var id = 'by-' + l;
          append(fs, [h('input', { type: 'checkbox', id: id, checked: grouped.indexOf(l) >= 0,
            onchange: function () {
              var by = metric.labels.filter(function (x) { return document.getElementById('by-' + x).checked; });
              s.by = by.length === metric.labels.length ? null : by;
              save(s);
            } }), h('label', { 'for': id, text: l })]);
        });
        controls.appendChild(fs);
      }
    }

    function baseParams(s) {
      var p = { metric: name, resolution: s.resolution, match: s.match };
      if (s.from) { p.from = s.from; if (s.to) p.to = s.to; } else p.from = '-' + s.range;
      if (s.by) p.by = s.by.join(',');
      return p;
    }

    function destroyCharts() {
      charts.forEach(function (c) { c.destroy(); });
      charts = [];
    }

    function chartBox(id, title, answers, kind) {
      // answers: list of {name, answer}; one uPlot series per (answer, series).
      var xs = null;
      var cols = [];
      answers.forEach(function (a) {
        a.answer.series.forEach(function (s) {
          if (!xs) xs = s.points.map(function (p) { return p.start; });
          cols.push({
            name: labelText(s.labels) + (a.name ? ' ' + a.name : ''),
            values: s.points.map(function (p) { return p.value; })
          });
        });
      });
      var box = h('div', { className: 'chart', id: 'chart-' + id, 'data-chart': id },
        h('h3', { id: 'chart-' + id + '-title', text: title }));
      if (!xs) {
        box.appendChild(h('p', { className: 'empty', text: 'No series match.' }));
        return box;
      }
      var plot = h('div', { role: 'img', 'aria-labelledby': 'chart-' + id + '-title',
        'aria-describedby': 'chart-' + id + '-table' });
      box.appendChild(plot);
      var rows = xs.map(function (start, i) {
        return [start].concat(cols.map(function (c) { return exact(c.values[i]); }));
      });
      var t = table(title + ': one row per window', ['Window start'].concat(cols.map(function (c) {
        return { text: c.name, num: true };
      })), rows, true);
      t.id = 'chart-' + id + '-table';
      t.setAttribute('data-table', id);
      box.appendChild(t);
      var data = [xs.map(function (x) { return Date.parse(x) / 1000; })].concat(cols.map(function (c) {
        return c.values.map(function (v) { return typeof v === 'number' ? v : null; });
      }));
      var opts = {
        width: Math.max(240, chartsBox.clientWidth - 20), height: 220,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        series: [{}].concat(cols.map(function (c, i) {
          return { label: c.name, stroke: COLORS[i % COLORS.length], width: 2,
            points: { show: xs.length < 80 }, spanGaps: false };
        })),
        axes: [{}, { size: 70 }]
      };
      // Bars for one series; several would be drawn over each other, so they get lines.
      if (kind === 'bars' && cols.length === 1) {
        opts.series.forEach(function (se, i) {
          if (i > 0) se.paths = uPlot.paths.bars({ size: [0.8, 60], align: 0 });
          if (i > 0) se.fill = COLORS[(i - 1) % COLORS.length] + '66';
        });
      }
      var u = new uPlot(opts, data, plot);
      // What the chart holds, for tests and tools: its windows and series.
      plot.setAttribute('data-windows', String(u.data[0].length));
      plot.setAttribute('data-series', String(u.series.length - 1));
      charts.push(u);
      return box;
    }

    function heatmapBox(answer) {
      var s = answer.series[0];
      var box = h('div', { className: 'chart', id: 'chart-heatmap', 'data-chart': 'heatmap' },
        h('h3', { id: 'chart-heatmap-title', text: 'Latency heatmap (observations per bucket)' }));
      if (!s) {
        box.appendChild(h('p', { className: 'empty', text: 'No series match.' }));
        return box;
      }
      var bounds = null;
      s.points.forEach(function (p) { if (p.value && !bounds) bounds = Object.keys(p.value); });
      if (!bounds) {
        box.appendChild(h('p', { className: 'empty', text: 'No observations in this range.' }));
        return box;
      }
      // Cumulative counts per bucket → counts in each bucket.
      var cells = s.points.map(function (p) {
        var prev = 0;
        return bounds.map(function (b) {
          var c = p.value ? p.value[b] : 0;
          var n = c - prev;
          prev = c;
          return n;
        });
      });
      var max = 0;
      cells.forEach(function (row) { row.forEach(function (n) { if (n > max) max = n; }); });
      var xs = s.points.map(function (p) { return Date.parse(p.start) / 1000; });
      var step = xs.length > 1 ? xs[1] - xs[0] : 10;
      var plot = h('div', { role: 'img', 'aria-labelledby': 'chart-heatmap-title',
        'aria-describedby': 'chart-heatmap-table' });
      box.appendChild(plot);
      var t = table('Latency heatmap: observations per bucket, one row per window',
        ['Window start'].concat(bounds.map(function (b) { return { text: 'le ' + b, num: true }; })),
        s.points.map(function (p, i) { return [p.start].concat(cells[i].map(String)); }), true);
      t.id = 'chart-heatmap-table';
      box.appendChild(t);
      var opts = {
        width: Math.max(240, chartsBox.clientWidth - 20), height: 240,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true, range: [xs[0], xs[xs.length - 1] + step] },
          y: { auto: false, range: [0, bounds.length] } },
        series: [{}, { label: 'buckets', stroke: 'transparent' }],
        axes: [{}, { size: 70, splits: function () { return bounds.map(function (_, i) { return i + 0.5; }); },
          values: function (u, splits) {
            var every = Math.ceil(bounds.length / 10);
            return splits.map(function (v, i) { return i % every === 0 ? '≤ ' + bounds[i] : ''; });
          } }],
        hooks: { draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          cells.forEach(function (row, i) {
            var x0 = u.valToPos(xs[i], 'x', true);
            var x1 = u.valToPos(xs[i] + step, 'x', true);
            row.forEach(function (n, j) {
              if (!n) return;
              var y0 = u.valToPos(j + 1, 'y', true);
              var y1 = u.valToPos(j, 'y', true);
              var a = 0.15 + 0.85 * n / max;
              ctx.fillStyle = 'rgba(11, 92, 173, ' + a.toFixed(3) + ')';
              ctx.fillRect(x0, y0, Math.max(1, x1 - x0 - 1), Math.max(1, y1 - y0 - 1));
            });
          });
          ctx.restore();
        }] }
      };
      charts.push(new uPlot(opts, [xs, xs.map(function () { return null; })], plot));
      return box;
    }

    function totalsBox(answer) {
      var box = h('section', { 'aria-labelledby': 'totals-title' }, h('h2', { id: 'totals-title', text: 'Totals' }));
      if (metric.type === 'histogram') {
        append(box, table('Cumulative totals', ['Series', { text: 'count', num: true },
          { text: 'sum', num: true }, { text: 'p50', num: true }, { text: 'p90', num: true },
          { text: 'p99', num: true }], answer.series.map(function (s) {
          var q = s.quantiles || {};
          return [labelText(s.labels), exact(s.count), exact(s.sum), exact(q['0.5']), exact(q['0.9']),
            exact(q['0.99'])];
        })));
      } else {
        append(box, table(metric.type === 'gauge' ? 'Current values' : 'Cumulative totals',
          ['Series', { text: 'value', num: true }], answer.series.map(function (s) {
            return [labelText(s.labels), exact(s.value)];
          })));
      }
      return box;
    }

    function seriesBox(answer) {
      var shown = answer.series.slice(0, 200);
      return h('section', { 'aria-labelledby': 'series-title' },
        h('h2', { id: 'series-title', text: 'Live series (' + answer.series.length + ')' }),
        shown.length ? h('ul', { id: 'live-series' }, shown.map(function (s) {
          return h('li', null, h('code', { text: labelText(s.labels) }));
        })) : h('p', { className: 'empty', text: 'No live series.' }),
        answer.series.length > shown.length ? h('p', { className: 'help',
          text: 'The first ' + shown.length + ' are listed.' }) : null);
    }

    function update() {
      return loadCatalog().then(function (all) {
        metric = all.filter(function (m) { return m.name === name; })[0];
        if (!metric) {
          clear(head).appendChild(h('h1', { text: 'No metric named ' + name }));
          return;
        }
        var s = state();
        var seriesParams = { metric: name, match: s.match };
        var windowed = metric.windows.length > 0;
        var base = baseParams(s);
        var jobs = [
          metric.type === 'ratio' ? Promise.resolve(null)
            : api('series', { metric: name }),
          metric.type === 'ratio' ? Promise.resolve(null)
            : api('series', seriesParams),
          metric.type === 'ratio' ? Promise.resolve(null)
            : api('totals', { metric: name, match: s.match, by: base.by }),
          windowed ? api('query', Object.assign({}, base, { agg: s.agg })) : Promise.resolve(null)
        ];
        if (windowed && metric.type === 'histogram') {
          QUANTILES.forEach(function (q) { jobs.push(api('query', Object.assign({}, base, { agg: q }))); });
          jobs.push(api('query', Object.assign({}, base, { agg: 'buckets', by: '' })));
        }
        return Promise.all(jobs).then(function (r) {
          seriesValues = {};
          if (r[0]) {
            metric.labels.forEach(function (l) {
              var set = {};
              r[0].series.forEach(function (x) { if (x.labels[l] !== undefined) set[x.labels[l]] = true; });
              seriesValues[l] = Object.keys(set).sort();
            });
          }
          clear(head);
          append(head, [h('h1', null, h('code', { text: metric.name })),
            h('p', { className: 'help', text: metric.help }),
            h('p', { className: 'help', text: metric.type + (metric.unit ? ', in ' + metric.unit : '') +
              (metric.labels.length ? '; labels: ' + metric.labels.join(', ') : '') })]);
          if (!controls.contains(document.activeElement)) buildControls(s);
          destroyCharts();
          clear(chartsBox);
          if (windowed) {
            var agg = (AGGS[metric.type] || []).filter(function (a) { return a[0] === s.agg; })[0];
            var title = (agg ? agg[1] : s.agg) + ' per ' + s.resolution + ' window';
            chartsBox.appendChild(chartBox('values', title.charAt(0).toUpperCase() + title.substring(1),
              [{ name: '', answer: r[3] }], metric.type === 'counter' && s.agg !== 'rate' ? 'bars' : 'lines'));
            if (metric.type === 'histogram') {
              chartsBox.appendChild(chartBox('quantiles', 'p50, p90 and p99 per ' + s.resolution + ' window',
                QUANTILES.map(function (q, i) { return { name: q, answer: r[4 + i] }; }), 'lines'));
              chartsBox.appendChild(heatmapBox(r[7]));
            }
          } else {
            chartsBox.appendChild(h('p', { className: 'help', text: 'Tally\'s own counters are ' +
              'not kept per window: only their totals.' }));
          }
          clear(side);
          if (r[2]) side.appendChild(totalsBox(r[2]));
          if (r[1]) side.appendChild(seriesBox(r[1]));
        });
      });
    }

    function resize() {
      charts.forEach(function (c) { c.setSize({ width: Math.max(240, chartsBox.clientWidth - 20), height: c.height }); });
    }
    window.addEventListener('resize', resize);
    return {
      update: update,
      destroy: function () { destroyCharts(); window.removeEventListener('resize', resize); }
    };
  }

  // ---- Pipeline: what came in, what was rejected, who holds what ----

  var FIGURES = [
    { metric: 'tally_events_consumed_total', by: 'topic', title: 'Events consumed', per: 'topic' },
    { metric: 'tally_events_rejected_total', by: 'reason', title: 'Rejected', per: 'reason', dlq: true },
    { metric: 'tally_late_events_total', by: 'metric', title: 'Late (in totals, not in their window)', per: 'metric' },
    { metric: 'tally_events_duplicate_total', by: 'topic', title: 'Duplicates (counted once)', per: 'topic' },
    { metric: 'tally_series_overflow_total', by: 'metric', title: 'Overflow (series cap reached)', per: 'metric' },
    { metric: 'tally_events_unmapped_total', by: 'type,name', title: 'Unmapped (no metric takes them)', per: 'type, name' }
  ];

  function pipelinePage() {
    var figures = h('div', { className: 'figures' });
    var instances = h('div');
    append(main, [h('h1', { text: 'Pipeline' }),
      h('p', { className: 'help', text: 'Exact counts since the application started, from Tally\'s ' +
        'own counters, and the instances that share the work.' }),
      h('section', { 'aria-labelledby': 'events-title' }, h('h2', { id: 'events-title', text: 'Events' }), figures),
      h('section', { 'aria-labelledby': 'instances-title' }, h('h2', { id: 'instances-title', text: 'Instances' }), instances)]);

    function figure(f, answer, dlqTopic) {
      var total = 0;
      answer.series.forEach(function (s) { total += s.value; });
      var id = 'figure-' + f.metric;
      return h('section', { className: 'figure', id: id, 'aria-labelledby': id + '-title' },
        h('h3', { id: id + '-title', text: f.title }),
        h('p', { className: 'big', 'data-total': String(total), text: String(total) }),
        f.dlq ? h('p', { className: 'help' }, 'Written to the dead-letter topic ', h('code', { text: dlqTopic }), '.') : null,
        answer.series.length ? table(f.title + ' per ' + f.per, [f.per, { text: 'count', num: true }],
          answer.series.map(function (s) { return [labelText(s.labels).replace(/^[a-z]+=/, ''), exact(s.value)]; }))
          : null,
        h('p', { className: 'help' }, h('a', { href: '#/metric/' + f.metric, text: f.metric })));
    }

    function lagText(lag) {
      if (!lag) return 'unknown';
      var topics = Object.keys(lag).sort();
      if (!topics.length) return 'no partitions assigned';
      var sum = 0;
      topics.forEach(function (t) { sum += lag[t]; });
      return sum + ' (' + topics.map(function (t) { return t + ': ' + lag[t]; }).join(', ') + ')';
    }

    function update() {
      // The instances render even when the figures cannot be read (an instance not yet running).
      var figuresRead = Promise.all(FIGURES.map(function (f) {
        return api('totals', { metric: f.metric, by: f.by });
      }));
      return api('instances').then(function (inst) {
        renderInstances(inst);
        return figuresRead.then(function (r) {
          clear(figures);
          FIGURES.forEach(function (f, i) { figures.appendChild(figure(f, r[i], inst.dlqTopic)); });
        }, function (e) {
          clear(figures);
          throw e;
        });
      });
    }

    function renderInstances(inst) {
      clear(instances);
      append(instances, table('Instances of the application', ['Instance', 'State',
        'Active partitions', 'Standby partitions', 'Consumer lag (records)'],
        inst.instances.map(function (i) {
          return [i.server === inst.self ? (i.server || 'this instance') + ' (answering)' : (i.server || 'unnamed'),
            i.state, i.active.partitions.join(', ') || 'none', i.standby.partitions.join(', ') || 'none',
            lagText(i.consumerLag)];
        })));
    }
    return { update: update };
  }

  // ---- start ----

  window.addEventListener('hashchange', route);
  route();
  timer = setInterval(function () {
    if (document.visibilityState !== 'hidden') refresh(false);
  }, POLL_MS);
}());
