// labwatch incident report: the timeline, drawn with Apache ECharts (inlined above) from the
// report's data (the JSON element #report-data). SVG, so that it prints sharp and its text is in
// the page.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var el = document.getElementById('timeline');
  var narrow = (el.clientWidth || window.innerWidth) < 640;
  var several = data.addresses.length > 1;

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function stamp(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds()) + 'Z';
  }

  // lanes, top to bottom: the MACs, the probes, the sensors
  var lanes = [];
  data.lanes.forEach(function (l) {
    var label = (several ? l.ip + ' · ' : '') + l.mac;
    if (!narrow && l.vendor) { label += '\n' + l.vendor; }
    lanes.push(label);
  });
  var probeLane = {};
  data.probes.forEach(function (p) {
    if (!(p[1] in probeLane)) { probeLane[p[1]] = lanes.length; lanes.push('probe ' + p[1]); }
  });
  var sensorLane = [];
  data.sensors.forEach(function (s) { sensorLane.push(lanes.length); lanes.push('sensor ' + s.name); });

  var symbols = {
    'reply': 'circle', 'request': 'triangle', 'announcement': 'diamond', 'probe': 'rect',
    'router table': 'pin', 'neighbour advertisement': 'circle', 'neighbour solicitation': 'triangle'
  };
  var byClass = {};
  var flips = [];
  data.claims.forEach(function (c) {
    (byClass[c[2]] = byClass[c[2]] || []).push([c[0], c[1], c[3]]);
    if (c[4]) { flips.push([c[0], c[1], c[3]]); }
  });

  var series = [];
  Object.keys(byClass).forEach(function (cls) {
    series.push({
      name: cls, type: 'scatter', xAxisIndex: 0, yAxisIndex: 0, data: byClass[cls],
      symbol: symbols[cls] || 'circle', symbolSize: 8, large: byClass[cls].length > 5000,
      tooltip: { formatter: function (p) {
        return stamp(p.value[0]) + '<br>' + lanes[p.value[1]].replace('\n', ' ') + '<br>' + cls +
          ', seen by ' + p.value[2];
      } }
    });
  });
  series.push({
    name: 'flip', type: 'scatter', xAxisIndex: 0, yAxisIndex: 0, data: flips, symbol: 'emptyCircle',
    symbolSize: 16, itemStyle: { color: '#c62828', borderWidth: 2 }, z: 5,
    tooltip: { formatter: function (p) {
      return stamp(p.value[0]) + '<br>flip: the address went to ' + lanes[p.value[1]].replace('\n', ' ');
    } }
  });

  var ok = [], failed = [];
  data.probes.forEach(function (p) {
    var v = [p[0], probeLane[p[1]], p[3], p[4], p[5]];
    (p[2] ? ok : failed).push(v);
  });
  function probeTip(p) {
    return stamp(p.value[0]) + '<br>' + lanes[p.value[1]] + ': ' +
      (p.value[3] ? 'failed (' + p.value[3] + ')' : 'ok, ' + p.value[2].toFixed(1) + ' ms') +
      (p.value[4] ? '<br>answered by ' + p.value[4] : '');
  }
  if (ok.length) {
    series.push({ name: 'probe ok', type: 'scatter', data: ok, symbol: 'circle', symbolSize: 7,
      itemStyle: { color: '#2e7d32' }, tooltip: { formatter: probeTip } });
  }
  if (failed.length) {
    series.push({ name: 'probe failed', type: 'scatter', data: failed, symbol: 'rect', symbolSize: 9,
      itemStyle: { color: '#c62828' }, tooltip: { formatter: probeTip } });
  }

  var beats = [], gaps = [];
  data.sensors.forEach(function (s, i) {
    s.beats.forEach(function (t) { beats.push([t, sensorLane[i]]); });
    s.gaps.forEach(function (g) {
      gaps.push([{ xAxis: g[0], name: s.name + ' silent', itemStyle: { color: 'rgba(120,120,120,0.18)' } },
                 { xAxis: g[1] }]);
    });
  });

  // the incidents as bands, their records as lines
  var bands = [], marks = [];
  var seen = {};
  data.alerts.forEach(function (a) {
    var key = a.kind + a.subject + a.start;
    if (!seen[key]) {
      seen[key] = true;
      bands.push([{ xAxis: a.start, name: a.kind,
                    label: { offset: [4, 4 + 14 * (bands.length % 3)] } },
                  { xAxis: a.end == null ? data.to : a.end }]);
    }
    marks.push({ xAxis: a.t, name: a.stage + ' ' + a.kind, label: { formatter: a.stage } });
  });
  series.push({
    name: 'heartbeats', type: 'scatter', data: beats, symbol: 'rect', symbolSize: [2, 10],
    itemStyle: { color: '#9aa5b1' }, silent: true,
    markArea: { silent: true, label: { show: !narrow, color: '#5b6672', fontSize: 11 }, data: gaps }
  });
  series.push({
    name: 'alerts', type: 'scatter', data: [],
    markArea: { silent: true, itemStyle: { color: 'rgba(198,40,40,0.10)' },
                label: { show: true, position: 'insideTopLeft', color: '#c62828', fontWeight: 'bold',
                         fontSize: 11 },
                data: bands },
    // (each record's stage on hover: several records in a minute would write over each other)
    markLine: { symbol: 'none', lineStyle: { color: '#c62828', type: 'dashed' },
                label: { show: false, position: 'end', fontSize: 10 },
                emphasis: { label: { show: true } }, data: marks }
  });

  var laneHeight = 34;
  var top = 40;
  var lanesHeight = Math.max(1, lanes.length) * laneHeight;
  var grids = [{ left: narrow ? 110 : 190, right: 24, top: top, height: lanesHeight }];
  var xAxes = [{ type: 'time', gridIndex: 0, min: data.from, max: data.to,
                 axisLabel: { hideOverlap: true } }];
  var yAxes = [{ type: 'category', gridIndex: 0, data: lanes, inverse: true,
                 axisLabel: { fontSize: narrow ? 10 : 12, lineHeight: 14 },
                 splitLine: { show: true, lineStyle: { color: '#eef1f4' } } }];
  var height = top + lanesHeight + 70;

  if (data.hosts.length) {
    var gTop = height;
    grids.push({ left: grids[0].left, right: 24, top: gTop, height: 140 });
    xAxes.push({ type: 'time', gridIndex: 1, min: data.from, max: data.to,
                 axisLabel: { hideOverlap: true } });
    yAxes.push({ type: 'value', gridIndex: 1, name: 'CPU busy %', min: 0, max: 100,
                 nameTextStyle: { fontSize: 11 } });
    yAxes.push({ type: 'value', gridIndex: 1, name: 'load/core', min: 0, position: 'right',
                 nameTextStyle: { fontSize: 11 }, splitLine: { show: false } });
    data.hosts.forEach(function (h) {
      series.push({ name: h.host + ' CPU %', type: 'line', xAxisIndex: 1, yAxisIndex: 1,
                    showSymbol: false, data: h.points.map(function (p) { return [p[0], p[1]]; }) });
      series.push({ name: h.host + ' load/core', type: 'line', xAxisIndex: 1, yAxisIndex: 2,
                    showSymbol: false, lineStyle: { type: 'dotted' },
                    data: h.points.map(function (p) { return [p[0], p[2]]; }) });
    });
    height = gTop + 140 + 70;
  }
  // every scatter series without its own axes draws on the lanes
  series.forEach(function (s) {
    if (s.xAxisIndex === undefined) { s.xAxisIndex = 0; s.yAxisIndex = 0; }
  });
  var xs = xAxes.map(function (_, i) { return i; });

  el.style.height = (height + 40) + 'px';
  var chart = echarts.init(el, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    grid: grids, xAxis: xAxes, yAxis: yAxes, series: series,
    legend: { top: 0, type: 'scroll', data: series.filter(function (s) {
      return s.name !== 'alerts' && s.name !== 'heartbeats';
    }).map(function (s) { return s.name; }) },
    tooltip: { trigger: 'item', confine: true },
    dataZoom: [
      { type: 'inside', xAxisIndex: xs, filterMode: 'none' },
      { type: 'slider', xAxisIndex: xs, filterMode: 'none', bottom: 8, height: 22 }
    ]
  });
  window.addEventListener('resize', function () { chart.resize(); });
  window.addEventListener('beforeprint', function () { chart.resize(); });
  if (document.body.getAttribute('data-rendered') !== 'error') {
    document.body.setAttribute('data-rendered', 'ok');
  }
})();
