/**
 * The page script that draws every chart of a report with uPlot (inlined beside it): it reads each
 * chart's JSON from `<script type="application/json" class="gp-chart-data">`, sizes the chart to
 * its figure, and lets the legend show the values under the cursor. Authored here, never built
 * from target data: the JSON it reads is escaped by jsonScript and only ever used as numbers and
 * text content.
 */
export const CHART_SCRIPT = `
(function () {
  'use strict';
  function fmt(v, unit) {
    if (v == null || !isFinite(v)) return '—';
    if (v === 0) return unit ? '0 ' + unit : '0';
    var a = Math.abs(v);
    var s = a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
    return unit ? s + ' ' + unit : s;
  }
  function draw(holder, spec) {
    var log = spec.xScale === 'log';
    var width = Math.max(320, Math.min(720, holder.clientWidth || 640));
    var series = [{
      label: spec.xLabel,
      value: function (u, v) { return v == null ? '—' : log ? fmt(v, 'ms') : fmt(v, 's'); }
    }];
    var data = [spec.x];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: s.width || 1.5,
        dash: s.dash ? [6, 4] : undefined,
        spanGaps: false,
        points: { show: false },
        value: function (u, v) { return fmt(v, spec.unit); }
      });
      data.push(s.values);
    });
    var opts = {
      width: width,
      height: 260,
      scales: { x: log ? { time: false, distr: 3, log: 10 } : { time: false } , y: { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.08 : 1]; } } },
      axes: [
        { label: spec.xLabel, labelSize: 20, size: 40, values: function (u, vals) { return vals.map(function (v) { return v == null ? '' : log ? fmt(v, 'ms') : fmt(v, 's'); }); } },
        { label: spec.yLabel, labelSize: 20, size: 64, values: function (u, vals) { return vals.map(function (v) { return v == null ? '' : fmt(v, ''); }); } }
      ],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      series: series
    };
    holder.textContent = '';
    new uPlot(opts, data, holder);
  }
  function drawAll() {
    var nodes = document.querySelectorAll('script.gp-chart-data');
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var holder = document.getElementById(node.getAttribute('data-for'));
      if (!holder) continue;
      try {
        draw(holder, JSON.parse(node.textContent));
        holder.setAttribute('data-drawn', 'true');
      } catch (e) {
        holder.textContent = 'This chart could not be drawn: ' + e.message;
      }
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
`;
