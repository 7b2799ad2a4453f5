// The explorable network: Cytoscape.js over the graph the page embeds. Expanding an entity
// fetches its links from /network/{id}; colours say who lists whom.
(function () {
  "use strict";
  var holder = document.getElementById("graph");
  var source = document.getElementById("graph-data");
  if (!holder || !source || typeof cytoscape === "undefined") return;
  document.documentElement.classList.add("js");
  var data = JSON.parse(source.textContent);
  // Okabe-Ito colours: apart for colour-blind readers.
  var LISTED = "#d55e00", ELSEWHERE = "#e69f00", UNLISTED = "#56b4e9";
  var titles = JSON.parse((document.getElementById("dataset-titles") || {}).textContent || "{}");
  var colourBy = document.getElementById("colour-by");
  var info = document.getElementById("node-info");

  function elements(graph) {
    var items = [];
    graph.nodes.forEach(function (n) {
      items.push({ group: "nodes", data: {
        id: n.id, caption: n.caption, label: n.caption.length > 32 ? n.caption.slice(0, 30) + "…" : n.caption,
        schema: n.schema, listed: n.listed, href: n.entries.length ? "/entity/" + encodeURIComponent(n.entries[0]) : ""
      } });
    });
    graph.edges.forEach(function (e) {
      items.push({ group: "edges", data: {
        id: e.id + "|" + e.source + "|" + e.target, source: e.source, target: e.target,
        label: e.share === null ? e.label : e.label + " " + e.share + "%", kind: e.kind
      } });
    });
    return items;
  }

  function colour(node) {
    var listed = node.data("listed") || [];
    var by = colourBy ? colourBy.value : "";
    if (!listed.length) return UNLISTED;
    if (!by || listed.indexOf(by) >= 0) return LISTED;
    return ELSEWHERE;
  }

  var cy = cytoscape({
    container: holder,
    elements: elements(data),
    minZoom: 0.1,
    maxZoom: 1.6,
    style: [
      { selector: "node", style: {
        "background-color": colour, label: "data(label)", "font-family": "DejaVu Sans, Noto Sans, sans-serif",
        "font-size": 10, "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "wrap", "text-max-width": 120,
        width: 22, height: 22, "border-width": 1, "border-color": "#333"
      } },
      { selector: 'node[schema = "Person"]', style: { shape: "ellipse" } },
      { selector: 'node[schema != "Person"]', style: { shape: "round-rectangle" } },
      { selector: "node#" + CSS.escape(data.root), style: { "border-width": 4, width: 30, height: 30 } },
      { selector: "node:selected", style: { "border-color": "#000", "border-width": 4 } },
      { selector: "edge", style: {
        width: 1.5, "line-color": "#888", "target-arrow-color": "#888", "target-arrow-shape": "triangle",
        "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#333", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.8
      } },
      { selector: 'edge[kind = "Ownership"]', style: { width: 3 } }
    ],
    layout: { name: "cose", animate: false, randomize: false }
  });
  holder.dataset.ready = "true";

  function legend() {
    var list = document.getElementById("legend");
    if (!list) return;
    var by = colourBy && colourBy.value ? colourBy.options[colourBy.selectedIndex].text : "";
    var rows = by
      ? [[LISTED, by], [ELSEWHERE, "listed elsewhere, not here"], [UNLISTED, "on no list"]]
      : [[LISTED, "listed"], [UNLISTED, "on no list"]];
    list.innerHTML = "";
    rows.forEach(function (row) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = row[0];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + row[1]));
      list.appendChild(item);
    });
  }

  function show(node) {
    info.innerHTML = "";
    var title = document.createElement("h2");
    title.textContent = node.data("caption");
    info.appendChild(title);
    var listed = node.data("listed");
    var line = document.createElement("p");
    line.textContent = node.data("schema") + " · " + (listed.length ? "listed by " + listed.join(", ").toUpperCase() : "on no list");
    info.appendChild(line);
    if (node.data("href")) {
      var link = document.createElement("a");
      link.href = node.data("href");
      link.textContent = "Open the entity page";
      info.appendChild(link);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Expand";
    button.addEventListener("click", function () { expand(node.id()); });
    info.appendChild(document.createTextNode(" "));
    info.appendChild(button);
  }

  function expand(id) {
    holder.dataset.ready = "false";
    return fetch("/network/" + encodeURIComponent(id) + "?depth=1&limit=200")
      .then(function (response) { return response.json(); })
      .then(function (graph) {
        var fresh = elements(graph).filter(function (item) { return cy.getElementById(item.data.id).empty(); });
        cy.add(fresh);
        tabulate(graph, fresh);
        cy.layout({ name: "cose", animate: false, randomize: false }).run();
        var node = cy.getElementById(id);
        cy.elements().unselect();
        node.select();
        show(node);
        holder.dataset.nodes = String(cy.nodes().length);
        holder.dataset.ready = "true";
      });
  }

  function cell(row, content) {
    var td = document.createElement("td");
    if (typeof content === "string") td.textContent = content; else td.appendChild(content);
    row.appendChild(td);
    return td;
  }

  // The tables stay a full account of the graph, for keyboards and screen readers.
  function tabulate(graph, fresh) {
    var added = {};
    fresh.forEach(function (item) { added[item.data.id] = true; });
    var captions = {};
    cy.nodes().forEach(function (node) { captions[node.id()] = node.data("caption"); });
    var nodes = document.getElementById("nodes-body");
    var edges = document.getElementById("edges-body");
    graph.nodes.forEach(function (n) {
      if (!added[n.id] || !nodes) return;
      var row = document.createElement("tr");
      var name;
      if (n.entries.length) {
        name = document.createElement("a");
        name.href = "/entity/" + encodeURIComponent(n.entries[0]);
        name.textContent = n.caption;
      } else {
        name = document.createTextNode(n.caption + " (named in the reasons for listing)");
      }
      cell(row, name);
      cell(row, n.schema);
      cell(row, n.listed.length ? n.listed.join(", ").toUpperCase() : "no list");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "expand";
      button.dataset.node = n.id;
      button.textContent = "Expand";
      var hidden = document.createElement("span");
      hidden.className = "vh";
      hidden.textContent = " " + n.caption;
      button.appendChild(hidden);
      button.addEventListener("click", function () { expand(n.id); });
      cell(row, button);
      nodes.appendChild(row);
    });
    graph.edges.forEach(function (e) {
      if (!added[e.id + "|" + e.source + "|" + e.target] || !edges) return;
      var row = document.createElement("tr");
      cell(row, captions[e.source] || e.source);
      cell(row, e.share === null ? e.label : e.label + " " + e.share + "%");
      cell(row, captions[e.target] || e.target);
      cell(row, e.datasets.map(function (d) { return titles[d] || d; }).join(", "));
      edges.appendChild(row);
    });
    var count = document.getElementById("graph-count");
    if (count) count.textContent = cy.nodes().length + " entities and " + cy.edges().length + " links";
  }

  cy.on("tap", "node", function (event) { show(event.target); });
  cy.on("dbltap", "node", function (event) { expand(event.target.id()); });
  Array.prototype.forEach.call(document.querySelectorAll("button.expand"), function (button) {
    button.addEventListener("click", function () { expand(button.dataset.node); });
  });
  if (colourBy) colourBy.addEventListener("change", function () { cy.style().update(); legend(); });
  document.getElementById("export-png").addEventListener("click", function () {
    var link = document.createElement("a");
    link.href = cy.png({ full: true, bg: "#ffffff", scale: 2 });
    link.download = "network-" + data.root + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
  holder.dataset.nodes = String(cy.nodes().length);
  legend();
})();
