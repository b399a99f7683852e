/* labjournal: draws the page's Plotly figures with plotly.js, both served beside the page.
 * Each figure is a <div class="lj-plotly" data-figure="figure-3-0.json">: its JSON is fetched from
 * the site itself and drawn in place; on failure the box keeps its notice. No inline script. */
(function () {
  "use strict";

  function draw(box) {
    if (box.getAttribute("data-lj-state")) return;
    box.setAttribute("data-lj-state", "loading");
    var chart = box.querySelector(".lj-plotly-chart");
    fetch(box.getAttribute("data-figure"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (figure) {
        var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
        config.showLink = false; // "Edit in Chart Studio" would send the figure to another host
        config.plotlyServerURL = "";
        config.topojsonURL = "";
        return window.Plotly.newPlot(chart, figure.data || [], figure.layout || {}, config);
      })
      .then(function () {
        box.setAttribute("data-lj-state", "drawn");
      })
      .catch(function (error) {
        box.setAttribute("data-lj-state", "failed");
        var waiting = box.querySelector(".lj-plotly-waiting");
        if (waiting) waiting.textContent = "This Plotly chart could not be drawn (" + error.message + "); the figure is in the executed notebook.";
      });
  }

  function drawAll() {
    if (!window.Plotly) return;
    document.querySelectorAll(".lj-plotly[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
