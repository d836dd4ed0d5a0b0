"""The index page's only script: sort and filter the table of cards (plain DOM, no library).

Without it the page still shows every card; the filter form stays hidden. The filter starts
from the address's ``#health=dead`` (so an issue can link straight to the dead cards), and
each change is announced by the ``role=status`` line.
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("cards");
  var form = document.getElementById("filters");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var health = document.getElementById("health-filter");
  var search = document.getElementById("search");
  var shown = document.getElementById("shown");
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
  // Read once: the text searched and the healths filtered, per row.
  var texts = new Map();
  rows.forEach(function (row) {
    var healths = " " + (row.getAttribute("data-health") || "") + " ";
    var title = row.cells[2].getAttribute("title") || "";
    texts.set(row, {healths: healths, words: (row.textContent + " " + title).toLowerCase()});
  });

  function matches(row, wanted, words) {
    var known = texts.get(row);
    if (wanted && known.healths.indexOf(" " + wanted + " ") < 0) { return false; }
    return !words || known.words.indexOf(words) >= 0;
  }

  function apply() {
    var wanted = health.value;
    var words = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row) {
      var keep = matches(row, wanted, words);
      if (row.hidden === keep) { row.hidden = !keep; }  // touch only rows that change
      if (keep) { count += 1; }
    });
    shown.textContent = count + " of " + rows.length + " cards shown";
  }

  function sortBy(header, column) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      if (cell.hasAttribute("aria-sort")) { cell.setAttribute("aria-sort", "none"); }
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = rows.map(function (row, index) {
      var cell = row.cells[column];
      var key = cell.getAttribute("data-sort");
      return {key: key === null ? cell.textContent.trim() : key, index: index, row: row};
    });
    keyed.sort(function (a, b) {
      var order = collator.compare(a.key, b.key);
      return (ascending ? order : -order) || a.index - b.index;
    });
    rows = keyed.map(function (item) { body.appendChild(item.row); return item.row; });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
    var button = header.querySelector("button");
    if (button) {
      button.addEventListener("click", function () { sortBy(header, column); });
    }
  });
  health.addEventListener("change", apply);
  search.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  var start = /^#health=([a-z]+)$/.exec(window.location.hash);
  if (start) {
    Array.prototype.forEach.call(health.options, function (option) {
      if (option.value === start[1]) { health.value = start[1]; }
    });
  }
  form.hidden = false;
  apply();
})();
"""
