/* The dashboard's charts and grid map, drawn with the vendored Apache ECharts (static/vendor/echarts/).
 *
 * Everything comes from the page's one JSON payload, <script type="application/json" id="dashboard-data"> (Django's
 * json_script): labels arrive translated, so this file holds no user-facing text of its own; ECharts' own texts use
 * its built-in ZH or EN locale, chosen by <html lang>.
 *
 * The site's Content-Security-Policy allows no inline style: ECharts sets its element styles through the CSSOM
 * (allowed), and the tooltips are drawn on the canvas (renderMode "richText") rather than as HTML, whose style
 * attributes the policy would refuse.
 */
(function () {
  "use strict";

  var MAP_NAME = "grids";
  var PALETTE = ["#c8161d", "#e6862e", "#3a78c3", "#2e9c6a", "#8a5fc1", "#d4a017", "#5b6b7f", "#e05a8c"];
  var charts = [];

  function readPayload() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function echartsLocale() {
    var lang = (document.documentElement.lang || "zh-hans").toLowerCase();
    return lang.indexOf("zh") === 0 ? "ZH" : "EN";
  }

  function createChart(element) {
    var chart = echarts.init(element, null, {
      renderer: "canvas",
      locale: echartsLocale(),
      devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2) /* crisp when the canvas is printed */
    });
    charts.push(chart);
    return chart;
  }

  function tooltip(extra) {
    var base = { renderMode: "richText", confine: true };
    return Object.assign(base, extra || {});
  }

  /* --- 12-month trend ----------------------------------------------------------------------------------------- */

  function drawTrend(trend) {
    var element = document.getElementById("chart-trend");
    if (!element || !trend || !trend.months) { return; }
    createChart(element).setOption({
      color: PALETTE,
      tooltip: tooltip({ trigger: "axis" }),
      legend: { type: "scroll", top: 0, data: trend.series.map(function (s) { return s.label; }) },
      grid: { left: 8, right: 28, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", boundaryGap: false, data: trend.months },
      yAxis: { type: "value", minInterval: 1 },
      series: trend.series.map(function (s) {
        return { type: "line", name: s.label, data: s.values, smooth: false, symbolSize: 5, connectNulls: false };
      })
    });
  }

  /* --- Small breakdown charts (pie or bar) ---------------------------------------------------------------------- */

  function breakdownElement(container, item) {
    var figure = document.createElement("figure");
    figure.className = "dash-chart";
    var caption = document.createElement("figcaption");
    caption.textContent = item.label;
    var element = document.createElement("div");
    element.className = "chart";
    element.setAttribute("data-chart", item.key);
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", item.label);
    figure.appendChild(caption);
    figure.appendChild(element);
    container.appendChild(figure);
    return element;
  }

  function pieOption(item) {
    return {
      color: PALETTE,
      tooltip: tooltip({ trigger: "item", formatter: "{b}: {c} ({d}%)" }),
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie", name: item.label, radius: ["38%", "70%"], center: ["50%", "45%"],
        label: { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold" },
        data: item.items.map(function (i) { return { name: i.label, value: i.value }; })
      }]
    };
  }

  function barOption(item) {
    return {
      color: PALETTE,
      tooltip: tooltip({ trigger: "axis", axisPointer: { type: "shadow" } }),
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: item.items.map(function (i) { return i.label; }),
               axisLabel: { width: 96, overflow: "truncate" } },
      series: [{ type: "bar", name: item.label, barMaxWidth: 18, label: { show: true, position: "right" },
                 data: item.items.map(function (i) { return i.value; }) }]
    };
  }

  function drawBreakdowns(items) {
    var container = document.getElementById("chart-breakdowns");
    if (!container || !items) { return; }
    items.forEach(function (item) {
      var chart = createChart(breakdownElement(container, item));
      chart.setOption(item.kind === "pie" ? pieOption(item) : barOption(item));
    });
  }

  /* --- Grid map --------------------------------------------------------------------------------------------------- */

  /* Regions are keyed by grid id (names need not be unique across communities); the grid's name is the label. */
  function keyedFeatures(collection) {
    return {
      type: "FeatureCollection",
      features: collection.features.map(function (feature) {
        var properties = Object.assign({}, feature.properties, { key: String(feature.properties.id) });
        return { type: "Feature", geometry: feature.geometry, properties: properties };
      })
    };
  }

  function mapData(features, metric) {
    return features.map(function (feature) {
      var p = feature.properties, value = p.values ? p.values[metric] : null;
      return { name: String(p.id), value: value === undefined ? null : value, gridName: p.name, url: p.url };
    });
  }

  function valueRange(data) {
    var values = data.map(function (d) { return d.value; }).filter(function (v) { return typeof v === "number"; });
    return { min: values.length ? Math.min.apply(null, values) : 0, max: values.length ? Math.max.apply(null, values) : 1 };
  }

  function mapOption(features, metric, metricLabel) {
    var data = mapData(features, metric), range = valueRange(data);
    return {
      tooltip: tooltip({
        trigger: "item",
        formatter: function (params) {
          var value = params.data && typeof params.data.value === "number" ? params.data.value : "-";
          return (params.data ? params.data.gridName : params.name) + "\n" + metricLabel + ": " + value;
        }
      }),
      visualMap: {
        type: "continuous", min: range.min, max: Math.max(range.max, range.min + 1), calculable: false,
        orient: "horizontal", left: "center", bottom: 0, itemWidth: 12, itemHeight: 120,
        text: [String(range.max), String(range.min)], textGap: 6,
        inRange: { color: ["#fdecea", "#f29a8f", "#c8161d"] }
      },
      series: [{
        type: "map", map: MAP_NAME, nameProperty: "key", name: metricLabel, roam: false, selectedMode: false,
        top: 8, bottom: 40, left: 8, right: 8,
        label: { show: true, fontSize: 10, color: "#222", textBorderColor: "#fff", textBorderWidth: 2, formatter: function (p) { return p.data ? p.data.gridName : ""; } },
        labelLayout: { hideOverlap: true },
        itemStyle: { borderColor: "#fff", borderWidth: 1, areaColor: "#eeeeee" },
        emphasis: { label: { show: true, color: "#000" }, itemStyle: { areaColor: "#ffd54f" } },
        data: data
      }]
    };
  }

  function fillMetricSelect(select, map) {
    map.metrics.forEach(function (metric) {
      var option = document.createElement("option");
      option.value = metric.key;
      option.textContent = metric.label;
      option.selected = metric.key === map.default_metric;
      select.appendChild(option);
    });
  }

  function metricLabel(map, key) {
    var found = map.metrics.filter(function (m) { return m.key === key; })[0];
    return found ? found.label : key;
  }

  function drawMap(map) {
    var element = document.getElementById("chart-map"), select = document.getElementById("map-metric");
    if (!element || !map || !map.features || !map.features.features.length) { return; }
    var collection = keyedFeatures(map.features);
    echarts.registerMap(MAP_NAME, collection);
    var chart = createChart(element);
    var current = document.getElementById("map-metric-current");
    function show(metric) {
      chart.setOption(mapOption(collection.features, metric, metricLabel(map, metric)), true);
      if (current) { current.textContent = metricLabel(map, metric); }
    }
    if (select) {
      fillMetricSelect(select, map);
      select.addEventListener("change", function () { show(select.value); });
    }
    show(select ? select.value || map.default_metric : map.default_metric);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.assign(params.data.url); }
    });
  }

  /* --- Layout: resize with the window, and to the sheet's width when printed ------------------------------------- */

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize({ animation: { duration: 0 } }); });
  }

  function watchLayout() {
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(resizeAll, 100);
    });
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      if (print.addEventListener) { print.addEventListener("change", resizeAll); }
    }
  }

  /* The print-only title block (node, month, computed at) goes to the top of the page, whatever the page's layout. */
  function liftPrintTitle() {
    var title = document.getElementById("dash-print-title"), main = document.querySelector("main") || document.body;
    if (title && main && main.firstChild !== title) { main.insertBefore(title, main.firstChild); }
  }

  function start() {
    var payload = readPayload();
    if (!payload || typeof echarts === "undefined") { return; }
    liftPrintTitle();
    drawTrend(payload.trend);
    drawBreakdowns(payload.charts);
    drawMap(payload.map);
    watchLayout();
    document.documentElement.setAttribute("data-charts-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
