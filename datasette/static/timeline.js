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

  function draw(container, data) {
    var lanes = data.lanes || [];
    if (!lanes.length) {
      container.textContent = "没有效力时段数据 No status periods to show.";
      container.setAttribute("data-rendered", "empty");
      return;
    }
    var today = ms(data.today);
    var lo = Infinity, hi = today;
    lanes.forEach(function (lane) {
      lane.periods.forEach(function (p) {
        if (p.start_date) lo = Math.min(lo, ms(p.start_date));
        if (p.end_date) hi = Math.max(hi, ms(p.end_date));
      });
    });
    if (!isFinite(lo)) lo = today - 365 * DAY;
    lo -= 30 * DAY; hi += 90 * DAY;  // breathing room; open-ended periods run to the right edge
    var labelW = 190, laneH = 24, top = 28, width = Math.max(container.clientWidth || 900, 640);
    var plotW = width - labelW - 16, height = top + lanes.length * laneH + 8;
    function x(t) { return labelW + (t - lo) / (hi - lo) * plotW; }

    var svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
                          "aria-label": "Timeline of document status periods" });
    var axis = el("g", { "class": "axis" });
    var y0 = new Date(lo).getUTCFullYear(), y1 = new Date(hi).getUTCFullYear();
    var step = Math.max(1, Math.ceil((y1 - y0 + 1) / 12));
    for (var y = y0; y <= y1 + 1; y += step) {
      var t = Date.UTC(y, 0, 1);
      if (t < lo || t > hi) continue;
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
        var r = el("rect", { "class": "period status-" + p.status, x: x(a), y: yy + 3,
                             width: Math.max(2, x(b) - x(a)), height: laneH - 6, rx: 3 });
        r.appendChild(el("title", {}, lane.label + ": " + (LABELS[p.status] || p.status) + " " +
                         (p.start_date || "…") + " → " + (p.end_date || "…") +
                         (p.caused_by ? " (" + p.caused_by + ")" : "")));
        g.appendChild(r);
      });
      svg.appendChild(g);
    });
    svg.appendChild(el("line", { "class": "today", x1: x(today), x2: x(today), y1: top - 6, y2: height }));
    container.innerHTML = "";
    container.appendChild(svg);
    container.setAttribute("data-rendered", String(lanes.length));
  }

  document.querySelectorAll(".kb-chart[data-chart]").forEach(function (container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    try {
      draw(container, JSON.parse(source.textContent));
    } catch (err) {
      container.textContent = "Chart error: " + err;
      container.setAttribute("data-rendered", "error");
    }
  });
})();
