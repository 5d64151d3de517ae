/*
 * Search in a static copy of the portal (portal/export.py, portal/search.html), without a server.
 *
 * It reads search-index.json (the same entries the server searches) and matches as the server
 * does (publishing/selectors.py search):
 * - the query is normalised as core.text.normalize does: NFKC, except the characters listed in
 *   the index's "preserved" (circled numbers, JIS symbols such as …), kept as typed;
 * - up to 8 terms separated by spaces; an entry matches when every term is found, ignoring case,
 *   in its heading or in its text (each term within one of them, as FTS5 and ILIKE do);
 * - the filters (year, department, section, grade) as the server's form sends them;
 * - newest year first, at most 100 results; a snippet around the first match, terms marked.
 *
 * Results are built as DOM nodes (textContent), never as HTML from the index.
 */
(function () {
  "use strict";

  var root = document.getElementById("static-search");
  if (!root) return;
  var LIMIT = 100;
  var RADIUS = 60;
  var MAX_TERMS = 8;

  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").trim().slice(0, 200);
  var filters = {
    year: /^[0-9]{4}$/.test(params.get("year") || "") ? Number(params.get("year")) : null,
    department: params.get("department") || "",
    section: params.get("section") || "",
    grade: params.get("grade") || ""
  };

  // The form shows what was asked, as the server's page does.
  var form = document.querySelector("form.search-form");
  if (form) {
    ["q", "year", "department", "section", "grade"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && params.has(name)) field.value = name === "q" ? query : params.get(name);
    });
  }
  if (!query) return;

  function normalizer(preserved) {
    var keep = new Set(Array.from(preserved || ""));
    return function (text) {
      // NFKC on the runs between preserved characters, as core.text.normalize.
      var out = "";
      var run = "";
      Array.from(text).forEach(function (ch) {
        if (keep.has(ch)) {
          out += run.normalize("NFKC") + ch;
          run = "";
        } else {
          run += ch;
        }
      });
      return out + run.normalize("NFKC");
    };
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function matches(entry, terms) {
    var heading = entry.heading.toLowerCase();
    var body = entry.body.toLowerCase();
    return terms.every(function (term) {
      var t = term.toLowerCase();
      return heading.indexOf(t) !== -1 || body.indexOf(t) !== -1;
    });
  }

  function passes(entry) {
    if (filters.year && entry.fiscal_year !== filters.year) return false;
    if (filters.department && entry.department !== filters.department) return false;
    if (filters.section && entry.sections.indexOf(filters.section) === -1) return false;
    if (filters.grade && entry.grades.indexOf(filters.grade) === -1) return false;
    return true;
  }

  function snippet(text, terms, into) {
    var sorted = terms.slice().sort(function (a, b) { return b.length - a.length; });
    var pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "gi");
    var first = pattern.exec(text);
    var start = first ? Math.max(0, first.index - RADIUS) : 0;
    var end = Math.min(text.length, (first ? first.index + first[0].length : 0) + RADIUS * 2);
    var piece = text.slice(start, end).replace(/\n/g, " ");
    if (start > 0) into.appendChild(document.createTextNode("…"));
    var last = 0;
    pattern.lastIndex = 0;
    var match;
    while ((match = pattern.exec(piece)) !== null) {
      if (match[0] === "") { pattern.lastIndex++; continue; }
      into.appendChild(document.createTextNode(piece.slice(last, match.index)));
      var mark = document.createElement("mark");
      mark.textContent = match[0];
      into.appendChild(mark);
      last = match.index + match[0].length;
    }
    into.appendChild(document.createTextNode(piece.slice(last)));
    if (end < text.length) into.appendChild(document.createTextNode("…"));
  }

  function show(index) {
    var normalize = normalizer(index.preserved);
    var terms = normalize(query).split(/\s+/).filter(Boolean).slice(0, MAX_TERMS);
    var hits = index.entries.filter(function (e) { return passes(e) && matches(e, terms); }).slice(0, LIMIT);
    var heading = root.querySelector("h2");
    // The count line comes translated from the page, with its number in place (1 or 2): ours goes there.
    var line = hits.length === 1 ? root.dataset.one : root.dataset.many;
    heading.textContent = line.replace(/\d+/, String(hits.length)).replace("{q}", query);
    heading.hidden = false;
    var list = root.querySelector("ol.hits");
    hits.forEach(function (entry) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root.dataset.reports + entry.publication + "/index.html#" + encodeURIComponent(entry.anchor);
      link.textContent = entry.heading;
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " " + entry.year_label + " · " + entry.title + (entry.sections ? " · " + entry.sections : "");
      var text = document.createElement("p");
      snippet(entry.body, terms, text);
      item.appendChild(link);
      item.appendChild(meta);
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  fetch(root.dataset.index)
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(show)
    .catch(function () {
      var heading = root.querySelector("h2");
      heading.textContent = root.dataset.failed;
      heading.hidden = false;
    });
})();
