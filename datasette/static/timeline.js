// mofcom-kb status-period chart: plain SVG from the JSON embedded beside each .kb-chart (no libraries, no network).
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var LABELS = { in_force: "有效 in force", suspended: "暂停实施 suspended", published_not_effective: "已公布未生效 not yet effective",
                 repealed: "已废止 repealed", expired: "已失效 expired" };

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function ms(iso) { return Date.parse(iso + "T00:00:00Z"); }

  // One time range for every chart on the page: all periods and change points, and today.
  function timeRange(data) {
    // A range picked on the server (?from=YYYY&to=YYYY, or the years with activity by default) wins.
    if (data.range && data.range.from && data.range.to) return [ms(data.range.from), ms(data.range.to)];
    var today = ms(data.today), lo = Infinity, hi = today;
    (data.lanes || []).forEach(function (lane) {
      lane.periods.forEach(function (p) {
        if (p.start_date) lo = Math.min(lo, ms(p.start_date));
        if (p.end_date) hi = Math.max(hi, ms(p.end_date));
      });
    });
    (data.codes_over_time || []).forEach(function (p) { lo = Math.min(lo, ms(p.date)); hi = Math.max(hi, ms(p.date)); });
    if (!isFinite(lo)) lo = today - 365 * DAY;
    return [lo - 30 * DAY, hi + 90 * DAY];  // breathing room; open-ended periods run to the right edge
  }

  function draw(container, data) {
    var lanes = data.lanes || [];
    if (!lanes.length) {
      container.textContent = "没有效力时段数据 No status periods to show.";
      container.setAttribute("data-rendered", "empty");
      return;
    }
    var today = ms(data.today), range = timeRange(data), lo = range[0], hi = range[1];
    var labelW = 190, laneH = 24, top = 28, width = Math.max(container.clientWidth || 900, 640);
    var plotW = width - labelW - 16, height = top + lanes.length * laneH + 8;
    function x(t) { return labelW + (Math.min(hi, Math.max(lo, t)) - lo) / (hi - lo) * plotW; }

    var svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
                          "aria-label": "Timeline of document status periods" });
    var axis = el("g", { "class": "axis" });
    var y0 = new Date(lo).getUTCFullYear(), y1 = new Date(hi).getUTCFullYear();
    var step = Math.max(1, Math.ceil((y1 - y0 + 1) / 12));
    for (var y = y0; y <= y1 + 1; y += step) {
      var t = Date.UTC(y, 0, 1);
      if (t < lo || t > hi || x(t) > width - 34) continue;  // a label at the right edge would be cut
      axis.appendChild(el("line", { x1: x(t), x2: x(t), y1: top - 6, y2: height }));
      axis.appendChild(el("text", { x: x(t) + 3, y: top - 10 }, String(y)));
    }
    svg.appendChild(axis);

    lanes.forEach(function (lane, i) {
      var yy = top + i * laneH;
      var g = el("g", { "class": "lane", "data-document": lane.document_id });
      var link = el("a", { href: lane.href });
      var label = el("text", { "class": "lane-label", x: 4, y: yy + laneH * 0.68 }, lane.label);
      label.appendChild(el("title", {}, lane.title));
      link.appendChild(label);
      g.appendChild(link);
      lane.periods.forEach(function (p) {
        var a = p.start_date ? ms(p.start_date) : lo;
        var b = p.end_date ? ms(p.end_date) : hi;
        if (b <= lo || a >= hi) return;  // outside the years shown
        var r = el("rect", { "class": "period status-" + p.status, x: x(a), y: yy + 3,
                             width: Math.max(2, x(b) - x(a)), height: laneH - 6, rx: 3 });
        r.appendChild(el("title", {}, lane.label + ": " + (LABELS[p.status] || p.status) + " " +
                         (p.start_date || "…") + " 至 " + (p.last_day || "…") +
                         (p.cause_text_en ? " (" + p.cause_text_en + ")" : "")));
        g.appendChild(r);
      });
      svg.appendChild(g);
    });
    svg.appendChild(el("line", { "class": "today", x1: x(today), x2: x(today), y1: top - 6, y2: height }));
    container.innerHTML = "";
    container.appendChild(svg);
    container.setAttribute("data-rendered", String(lanes.length));
  }

  // Distinct control codes in force / suspended over time, as two step lines on a shared axis.
  function drawCounts(container, data) {
    var series = data.codes_over_time || [];
    if (!series.length) { container.remove(); return; }
    var today = ms(data.today), range = timeRange(data), lo = range[0], hi = range[1];
    var max = Math.max.apply(null, series.map(function (p) { return Math.max(p.in_force, p.suspended); })) || 1;
    var labelW = 190, top = 24, plotH = 120, width = Math.max(container.clientWidth || 900, 640);
    var plotW = width - labelW - 16, height = top + plotH + 24;
    function x(t) { return labelW + (Math.min(hi, Math.max(lo, t)) - lo) / (hi - lo) * plotW; }
    function y(n) { return top + plotH - n / max * plotH; }
    var svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
                          "aria-label": "Control codes in force and suspended over time" });
    var axis = el("g", { "class": "axis" });
    var y0 = new Date(lo).getUTCFullYear(), step = Math.max(1, Math.ceil((new Date(hi).getUTCFullYear() - y0 + 1) / 12));
    for (var yr = y0; yr <= new Date(hi).getUTCFullYear() + 1; yr += step) {
      var t = Date.UTC(yr, 0, 1);
      if (t < lo || t > hi || x(t) > width - 34) continue;  // a label at the right edge would be cut
      axis.appendChild(el("line", { x1: x(t), x2: x(t), y1: top, y2: top + plotH }));
      axis.appendChild(el("text", { x: x(t) + 3, y: top + plotH + 16 }, String(yr)));
    }
    [0, max].forEach(function (n) {
      axis.appendChild(el("text", { x: labelW - 8, y: y(n) + 4, "text-anchor": "end" }, String(n)));
    });
    svg.appendChild(axis);
    svg.appendChild(el("text", { "class": "lane-label", x: 4, y: top + 14 }, "管制编码数 control codes"));
    svg.appendChild(el("text", { "class": "lane-label status-in_force-text", x: 4, y: top + 32 }, "— 有效 in force"));
    svg.appendChild(el("text", { "class": "lane-label status-suspended-text", x: 4, y: top + 50 }, "— 暂停 suspended"));
    [["in_force", "status-in_force"], ["suspended", "status-suspended"]].forEach(function (k) {
      var d = "M" + x(lo) + "," + y(0);
      series.forEach(function (p) { d += " H" + x(ms(p.date)) + " V" + y(p[k[0]]); });
      d += " H" + x(hi);
      var path = el("path", { d: d, "class": "count-line " + k[1] });
      path.appendChild(el("title", {}, LABELS[k[0]]));
      svg.appendChild(path);
    });
    series.forEach(function (p) {
      var dot = el("circle", { cx: x(ms(p.date)), cy: y(p.in_force), r: 2.5, "class": "count-point" });
      dot.appendChild(el("title", {}, p.date + ": " + p.in_force + " in force, " + p.suspended + " suspended"));
      svg.appendChild(dot);
    });
    svg.appendChild(el("line", { "class": "today", x1: x(today), x2: x(today), y1: top, y2: top + plotH }));
    container.innerHTML = "";
    container.appendChild(svg);
    container.setAttribute("data-rendered", String(series.length));
  }

  document.querySelectorAll(".kb-chart[data-chart]").forEach(function (container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    try {
      var counts = document.getElementById(container.getAttribute("data-counts"));
      if (counts) drawCounts(counts, JSON.parse(source.textContent));
      draw(container, JSON.parse(source.textContent));
    } catch (err) {
      container.textContent = "Chart error: " + err;
      container.setAttribute("data-rendered", "error");
    }
  });
})();

// The code-history form on /-/timeline: go to /-/code/<code> (no inline handler: the CSP forbids inline script).
(function () {
  "use strict";
  var form = document.getElementById("kb-code-form");
  if (!form) return;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    location.href = form.getAttribute("data-code-href") + encodeURIComponent(form.elements.code.value.trim());
  });
})();
