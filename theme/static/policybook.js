// Fills the sidebar from navigation.js (one copy of the handbook's contents shared by every page)
// and marks the current page. Without JavaScript the sidebar keeps its link to the home page.
(function () {
  "use strict";
  var nav = window.policybookNav;
  var sidebar = document.getElementById("pb-sidebar");
  if (!nav || !sidebar) return;
  var root = document.body.getAttribute("data-root") || "";
  var current = document.body.getAttribute("data-page") || "";
  var fragment = document.createDocumentFragment();
  nav.forEach(function (group) {
    var heading = document.createElement("h2");
    heading.textContent = group.label;
    fragment.appendChild(heading);
    var list = document.createElement("ul");
    var folder = "";
    group.items.forEach(function (item) {
      if (item.f !== folder) {
        folder = item.f;
        if (folder) {
          var label = document.createElement("li");
          label.className = "pb-folder";
          label.textContent = folder;
          list.appendChild(label);
        }
      }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + item.u;
      a.textContent = item.t;
      if (item.u === current) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      list.appendChild(li);
    });
    fragment.appendChild(list);
  });
  sidebar.textContent = "";
  sidebar.appendChild(fragment);
  var active = sidebar.querySelector('[aria-current="page"]');
  if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
})();

// Sortable tables: click a column header to sort by it (again to reverse). Cells may carry a
// data-sort value (dates, ranks) used instead of their text.
(function () {
  "use strict";
  function key(row, i) {
    var cell = row.cells[i];
    if (!cell) return "";
    var v = cell.getAttribute("data-sort");
    return v !== null ? v : cell.textContent.trim().toLowerCase();
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, i) {
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a, i), y = key(b, i);
          var nx = Number(x), ny = Number(y);
          var c = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });
})();
