/* Draw the report charts. Each <canvas data-chart="ID"> reads its data from the
   <script type="application/json" id="ID"> that json_script wrote beside it, so no data
   lives in JavaScript and the page needs no inline script (CSP: script-src 'self'). */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var COLOURS = ["#1d3b5a", "#ef6c00", "#2e7d32", "#6a1b9a", "#c62828"];

  function numbers(spec) {
    var all = [];
    spec.datasets.forEach(function (d) {
      d.data.forEach(function (v) { if (v !== null) { all.push(v); } });
    });
    return all;
  }

  function build(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    if (!spec) { return; }
    var horizontal = !!spec.horizontal;
    var datasets = spec.datasets.map(function (d, i) {
      return {
        type: spec.type,
        label: d.label,
        data: d.data,
        backgroundColor: COLOURS[i % COLOURS.length],
        borderColor: COLOURS[i % COLOURS.length],
        borderWidth: spec.type === "line" ? 2 : 0,
        spanGaps: false,
        pointRadius: spec.type === "line" ? 3 : 0
      };
    });
    if (spec.reference && !horizontal) {
      datasets.push({
        type: "line",
        label: spec.reference.label + " (" + spec.reference.value + spec.unit + ")",
        data: spec.labels.map(function () { return spec.reference.value; }),
        borderColor: "#c62828",
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        fill: false
      });
    }
    var values = numbers(spec);
    if (spec.reference) { values.push(spec.reference.value); }
    var valueAxis = { ticks: { callback: function (v) { return v + spec.unit; } } };
    // Rates near 100% would all look the same from zero; start the axis near the data,
    // the table beside the chart gives the exact figures.
    if (spec.unit === "%" && values.length && Math.min.apply(null, values) >= 50) {
      // A multiple of 10 keeps the automatic ticks (1, 2 or 5 apart) aligned with it.
      valueAxis.min = Math.max(0, Math.floor((Math.min.apply(null, values) - 2) / 10) * 10);
      valueAxis.max = 100;
    } else {
      valueAxis.beginAtZero = true;
    }
    var scales = horizontal ? { x: valueAxis } : { y: valueAxis };
    var labels = spec.labels.map(function (l) { return l.length > 26 ? l.slice(0, 25) + "…" : l; });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = horizontal ? ctx.parsed.x : ctx.parsed.y;
                return ctx.dataset.label + ": " + v + spec.unit;
              }
            }
          }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(build);
})();
