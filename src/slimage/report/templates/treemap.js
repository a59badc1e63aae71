// slimage's treemap: a squarified treemap (Bruls, Huizing and van Wijk, 2000) drawn as
// plain SVG from the JSON tree slimage embeds (see slimage/report/html_treemap.py).
// No library: the layout is ~40 lines, and the page must load nothing.
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var root = JSON.parse(document.getElementById("treemap-data").textContent);
  var svg = document.getElementById("treemap");
  var crumbs = document.getElementById("crumbs");
  var status = document.getElementById("treemap-status");
  var path = [root]; // the zoom path: root ... current node
  var layer = null; // the layer index (a string) the view is filtered to, or null
  var MAX_DEPTH = 3; // nesting drawn below the current node
  var HEADER = 15; // a directory's label strip

  var UNITS = ["kB", "MB", "GB", "TB", "PB"];
  // The same rounding as slimage.report.units.human_bytes.
  function human(size) {
    if (size < 1000) return Math.trunc(size) + " B";
    var value = size, unit = "";
    for (var i = 0; i < UNITS.length; i++) {
      unit = UNITS[i];
      value /= 1000;
      if (value < 999.5 || i === UNITS.length - 1) break;
    }
    var text = value >= 99.95 ? value.toFixed(0) : value >= 9.995 ? value.toFixed(1) : value.toFixed(2);
    return text + " " + unit;
  }

  function size(node) {
    return layer === null ? node.s : (node.l && node.l[layer]) || 0;
  }

  function visibleChildren(node) {
    return (node.c || []).filter(function (child) { return size(child) > 0; })
      .sort(function (a, b) { return size(b) - size(a); });
  }

  function worst(row, rowSize, side) {
    var max = 0, min = Infinity;
    row.forEach(function (item) { max = Math.max(max, item.area); min = Math.min(min, item.area); });
    var s2 = rowSize * rowSize, w2 = side * side;
    return Math.max((w2 * max) / s2, s2 / (w2 * min));
  }

  // Lay out items (sorted, biggest first) in rect {x, y, w, h}; each gets .rect.
  function squarify(items, rect) {
    var total = items.reduce(function (sum, item) { return sum + item.value; }, 0);
    if (!total || rect.w <= 0 || rect.h <= 0) return;
    var scale = (rect.w * rect.h) / total;
    items.forEach(function (item) { item.area = item.value * scale; });
    var x = rect.x, y = rect.y, w = rect.w, h = rect.h, i = 0;
    while (i < items.length) {
      var side = Math.min(w, h), row = [items[i]], rowSize = items[i].area, j = i + 1;
      while (j < items.length) {
        var next = rowSize + items[j].area;
        if (worst(row.concat([items[j]]), next, side) > worst(row, rowSize, side)) break;
        row.push(items[j]); rowSize = next; j++;
      }
      var thick = rowSize / side, offset = 0;
      row.forEach(function (item) {
        var length = item.area / thick;
        item.rect = w >= h
          ? { x: x, y: y + offset, w: thick, h: length }
          : { x: x + offset, y: y, w: length, h: thick };
        offset += length;
      });
      if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
      i = j;
    }
  }

  function label(parent, text, x, y, width, className) {
    var chars = Math.floor((width - 6) / 6.5);
    if (chars < 3) return;
    var node = document.createElementNS(SVG, "text");
    node.setAttribute("x", x + 3);
    node.setAttribute("y", y + 11);
    if (className) node.setAttribute("class", className);
    node.textContent = text.length > chars ? text.slice(0, chars - 1) + "…" : text;
    parent.appendChild(node);
  }

  function draw(parent, node, rect, depth, top) {
    var value = size(node);
    var kids = depth < MAX_DEPTH ? visibleChildren(node) : [];
    var group = document.createElementNS(SVG, "g");
    var isDir = !!(node.c && node.c.length);
    group.setAttribute("class", "cell" + (top ? " top" : "") + (kids.length ? " dir" : ""));
    group.setAttribute("data-name", node.n);
    group.setAttribute("data-bytes", String(value));
    var box = document.createElementNS(SVG, "rect");
    box.setAttribute("x", rect.x); box.setAttribute("y", rect.y);
    box.setAttribute("width", Math.max(0, rect.w)); box.setAttribute("height", Math.max(0, rect.h));
    box.setAttribute("class", "fam-" + node.f);
    var title = document.createElementNS(SVG, "title");
    title.textContent = node.n + ": " + human(value) + (node.k ? " in " + node.k + " files" : "");
    group.appendChild(title);
    group.appendChild(box);
    if (top) {
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("aria-label", title.textContent + (isDir ? ", press Enter to zoom in" : ""));
      group.addEventListener("click", function () { zoomInto(node); });
      group.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); zoomInto(node); }
      });
    }
    parent.appendChild(group);
    var roomy = rect.w > 24 && rect.h > HEADER + 12;
    if (kids.length && roomy) {
      label(group, node.n + " " + human(value), rect.x, rect.y, rect.w, "dir-label");
      var inner = { x: rect.x + 2, y: rect.y + HEADER, w: rect.w - 4, h: rect.h - HEADER - 2 };
      var items = kids.map(function (kid) { return { node: kid, value: size(kid) }; });
      squarify(items, inner);
      items.forEach(function (item) { if (item.rect) draw(group, item.node, item.rect, depth + 1, false); });
    } else if (rect.h > 14) {
      group.setAttribute("class", group.getAttribute("class").replace(" dir", ""));
      label(group, node.n, rect.x, rect.y, rect.w, null);
    }
  }

  function zoomInto(node) {
    if (!node.c || !node.c.length) return;
    path.push(node);
    render(true);
  }

  function zoomTo(depth) {
    path = path.slice(0, depth + 1);
    render(true);
  }

  function render(focusFirst) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var current = path[path.length - 1];
    var width = svg.clientWidth || 1000, height = svg.clientHeight || 520;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var kids = visibleChildren(current);
    var items = kids.map(function (kid) { return { node: kid, value: size(kid) }; });
    squarify(items, { x: 0, y: 0, w: width, h: height });
    items.forEach(function (item) { if (item.rect) draw(svg, item.node, item.rect, 1, true); });
    // The breadcrumb: one button per ancestor.
    while (crumbs.firstChild) crumbs.removeChild(crumbs.firstChild);
    path.forEach(function (node, depth) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = depth === 0 ? "image" : node.n;
      if (depth === path.length - 1) button.setAttribute("aria-current", "location");
      button.addEventListener("click", function () { zoomTo(depth); });
      crumbs.appendChild(button);
    });
    var total = size(current);
    status.setAttribute("data-bytes", String(total));
    status.textContent = (path.length > 1 ? path.slice(1).map(function (n) { return n.n; }).join("/") : "the whole image")
      + ": " + human(total) + (layer === null ? "" : " written by layer " + (Number(layer) + 1))
      + (kids.length ? "" : " (nothing here)");
    if (focusFirst) {
      var first = svg.querySelector(".cell.top");
      if (first) first.focus(); else crumbs.lastChild.focus();
    }
  }

  function filterLayer(value) {
    layer = value === "" ? null : value;
    document.querySelectorAll("button.layer-filter").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-layer") === (layer === null ? "" : layer)));
    });
    document.querySelectorAll("tr[data-layer]").forEach(function (row) {
      row.classList.toggle("selected", row.getAttribute("data-layer") === layer);
    });
    // Stay zoomed in only while the directory still holds bytes of the layer.
    while (path.length > 1 && size(path[path.length - 1]) === 0) path.pop();
    render(false);
  }

  document.querySelectorAll("button.layer-filter").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.getAttribute("data-layer");
      filterLayer(button.getAttribute("aria-pressed") === "true" && value !== "" ? "" : value);
    });
  });
  svg.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Backspace") && path.length > 1) {
      event.preventDefault();
      zoomTo(path.length - 2);
    }
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { render(false); }, 100);
  });
  render(false);
})();
