// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// (written by Django's json_script), with Chart.js. No inline script: the page's CSP allows none.
(function () {
  "use strict";
  var palette = ["#2f6f4f", "#d08c2f", "#4a6fa5", "#a34a5a", "#6b5ea8", "#3f8f8f"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    var spec = JSON.parse(source.textContent);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = set.borderDash ? "#8a8a8a" : palette[i % palette.length];
      return Object.assign(
        { borderColor: colour, backgroundColor: spec.type === "bar" && !set.type ? colour : colour + "33", tension: 0.25 },
        set
      );
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: {
            beginAtZero: spec.yMin === undefined,
            min: spec.yMin,
            max: spec.yMax,
            title: { display: !!spec.unit, text: spec.unit },
          },
        },
        plugins: { legend: { display: datasets.length > 1 } },
      },
    });
    canvas.dataset.drawn = "true";
  }

  function ready() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
