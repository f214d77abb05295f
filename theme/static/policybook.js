// policybook's page behaviour. Everything here is an enhancement: without JavaScript every page
// still shows its content, the matrix is complete, and the sidebar links to the home page.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var current = body.getAttribute("data-page") || "";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The menu button, search box and theme button work only with JavaScript, so this script adds
  // them rather than every page carrying hidden copies. A theme whose pages already hold an
  // element with the id keeps its own (shown); otherwise `make` builds one, or returns null where
  // the page has no place for it.
  function tool(id, make) {
    var e = document.getElementById(id);
    if (e) { e.hidden = false; return e; }
    return make();
  }
  // Adds `e` to the header's tool area, before `before` when that is there: the order is
  // versions menu (from the page), search, theme button.
  function inTools(e, before) {
    var tools = document.querySelector(".pb-header .pb-tools");
    if (!tools) return null;
    tools.insertBefore(e, before && before.parentNode === tools ? before : null);
    return e;
  }

  // --- Sidebar: the whole handbook from navigation.js, current page marked. -------------------
  // Documents are grouped by kind, then by folder, in collapsible groups: a handbook of 2,000
  // documents is not one flat list. Small handbooks open every kind; the current page's kind and
  // folder are always open.
  (function sidebar() {
    var nav = window.policybookNav;
    var side = document.getElementById("pb-sidebar");
    if (!nav || !side) return;
    var total = nav.reduce(function (n, g) { return n + g.items.length; }, 0);
    var OPEN_ALL_UP_TO = 60;
    var fragment = document.createDocumentFragment();
    function link(item) {
      var li = el("li");
      var a = el("a", { href: root + item.u }, item.t);
      if (item.u === current) a.setAttribute("aria-current", "page");
      li.appendChild(a);
      return li;
    }
    function group(cls, label, count, open) {
      var d = el("details", { class: cls });
      d.open = open;
      var summary = el("summary", {}, label);
      summary.appendChild(el("span", { class: "pb-nav-count" }, String(count)));
      d.appendChild(summary);
      return d;
    }
    nav.forEach(function (g) {
      var holdsCurrent = g.items.some(function (item) { return item.u === current; });
      var kind = group("pb-nav-kind", g.label, g.items.length, total <= OPEN_ALL_UP_TO || holdsCurrent);
      // Items come in reading order, a folder's documents together: each run of one folder
      // becomes a group, in its place among the top-level documents.
      var top = el("ul");
      var runs = [];
      g.items.forEach(function (item) {
        var last = runs[runs.length - 1];
        if (!last || !item.f || last.name !== item.f) runs.push(last = { name: item.f, items: [] });
        last.items.push(item);
      });
      runs.forEach(function (run) {
        if (!run.name) { run.items.forEach(function (item) { top.appendChild(link(item)); }); return; }
        var here = run.items.some(function (item) { return item.u === current; });
        var li = el("li", { class: "pb-folder" });
        var d = group("pb-nav-folder", run.name, run.items.length, here || g.items.length <= 15);
        var ul = el("ul");
        run.items.forEach(function (item) { ul.appendChild(link(item)); });
        d.appendChild(ul);
        li.appendChild(d);
        top.appendChild(li);
      });
      kind.appendChild(top);
      fragment.appendChild(kind);
    });
    side.textContent = "";
    side.appendChild(fragment);
    var active = side.querySelector('[aria-current="page"]');
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
  })();

  // --- Menu button: the sidebar on narrow screens. ---------------------------------------------
  (function menu() {
    var side = document.getElementById("pb-sidebar");
    var button = tool("pb-menu-toggle", function () {
      var header = document.querySelector(".pb-header");
      if (!side || !header) return null;
      var b = el("button", { type: "button", class: "pb-menu-toggle", id: "pb-menu-toggle",
        "aria-controls": "pb-sidebar", "aria-expanded": "false" }, "Menu");
      header.insertBefore(b, header.firstChild);
      return b;
    });
    if (!button || !side) return;
    button.addEventListener("click", function () {
      var open = body.classList.toggle("pb-sidebar-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  })();

  // --- Light and dark themes: follows the system until the reader picks one, then remembers. ---
  (function theme() {
    var button = tool("pb-theme-toggle", function () {
      return inTools(el("button", { type: "button", class: "pb-theme-toggle", id: "pb-theme-toggle" }));
    });
    if (!button) return;
    var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    function effective() {
      var chosen = document.documentElement.getAttribute("data-theme");
      if (chosen) return chosen;
      return media && media.matches ? "dark" : "light";
    }
    function label() {
      var dark = effective() === "dark";
      button.textContent = dark ? "Light theme" : "Dark theme";
      button.setAttribute("aria-pressed", dark ? "true" : "false");
    }
    label();
    button.addEventListener("click", function () {
      var next = effective() === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try { localStorage.setItem("policybook-theme", next); } catch (e) { /* private mode */ }
      label();
    });
    if (media && media.addEventListener) media.addEventListener("change", label);
  })();

  // --- Search: index loaded on first use, results as you type, keyboard navigation. -----------
  (function search() {
    var box = tool("pb-search", function () {
      var b = el("div", { class: "pb-search", role: "search", id: "pb-search" });
      b.appendChild(el("label", { class: "pb-visually-hidden", for: "pb-search-input" }, "Search the handbook"));
      b.appendChild(el("input", { id: "pb-search-input", type: "text", enterkeyhint: "search",
        placeholder: "Search (press /)", autocomplete: "off", spellcheck: "false", role: "combobox",
        "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "pb-search-results" }));
      var results = el("div", { id: "pb-search-results", class: "pb-search-results", role: "listbox",
        "aria-label": "Search results" });
      results.hidden = true;
      b.appendChild(results);
      return inTools(b, document.getElementById("pb-theme-toggle"));
    });
    var input = document.getElementById("pb-search-input");
    var list = document.getElementById("pb-search-results");
    if (!box || !input || !list) return;
    var index = null;
    var loading = false;
    var results = [];
    var active = -1;

    // What to do once the index is there: the latest request wins (typing while it loads must
    // still show results when it arrives).
    var pending = null;
    function load(then) {
      if (index) return then();
      pending = then;
      if (loading) return;
      loading = true;
      if (window.policybookSearchIndex) return ready();
      var s = el("script", { src: root + "search-index.js" });
      s.onload = ready;
      s.onerror = failed;
      document.head.appendChild(s);
    }

    function ready() {
      unpack(window.policybookSearchIndex).then(function (raw) {
        prepare(raw);
        var next = pending; pending = null;
        if (next) next();
      }, failed);
    }

    function failed() {
      loading = false; pending = null;
      show([{ message: "The search index could not be loaded." }]);
    }

    // The build writes the index's JSON deflated, as base64 (a third of its size): inflated here
    // without fetch, so that it works from file:// too.
    function unpack(packed) {
      if (typeof packed !== "string") return Promise.resolve(packed || { docs: [], controls: [] });
      try {
        var bin = atob(packed), bytes = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        var json = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
        return new Response(json).text().then(JSON.parse);
      } catch (e) {
        return Promise.reject(e);
      }
    }

    function prepare(raw) {
      index = {
        docs: raw.docs.map(function (d) {
          return {
            title: d[0], url: d[1], kind: d[2], owner: d[3], controls: d[4],
            hay: (d[0] + " " + d[3] + " " + d[4]).toLowerCase(),
            sections: d[5].map(function (s) {
              return { heading: s[0], anchor: s[1], text: s[2],
                       hay: (s[0] + " " + s[2] + " " + s[3]).toLowerCase(), head: s[2].toLowerCase() };
            })
          };
        }),
        controls: raw.controls.map(function (c) {
          return { id: c[0], title: c[1], url: c[2], summary: c[3], hay: (c[0] + " " + c[1]).toLowerCase() };
        })
      };
    }

    function terms(q) {
      return q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    }

    function query(q) {
      var ts = terms(q);
      if (!ts.length) return [];
      var out = [];
      index.controls.forEach(function (c) {
        var id = c.id.toLowerCase();
        var score = 0;
        ts.forEach(function (t) {
          if (score < 0) return;
          if (id === t) score += 100;
          else if (id.indexOf(t) === 0) score += 40;
          else if (c.hay.indexOf(t) >= 0) score += 5;
          else score = -1;
        });
        if (score > 0) out.push({ score: score + 1, kind: "control", title: c.id + " " + c.title, url: c.url, snippet: c.summary, ts: ts });
      });
      index.docs.forEach(function (d) {
        var score = 0;
        var best = null;
        var bestScore = -1;
        for (var i = 0; i < ts.length; i++) {
          var t = ts[i];
          var found = false;
          if (d.title.toLowerCase().indexOf(t) >= 0) { score += 20; found = true; }
          if ((" " + d.controls.toLowerCase() + " ").indexOf(" " + t + " ") >= 0) { score += 30; found = true; }
          else if (d.hay.indexOf(t) >= 0) { score += 3; found = true; }
          for (var j = 0; j < d.sections.length; j++) {
            var s = d.sections[j];
            if (s.hay.indexOf(t) >= 0) {
              found = true;
              var sScore = (s.heading.toLowerCase().indexOf(t) >= 0 ? 5 : 1) + (s.head.indexOf(t) >= 0 ? 1 : 0);
              score += sScore;
              if (sScore > bestScore) { bestScore = sScore; best = s; }
            }
          }
          if (!found) return;
        }
        var url = d.url + (best && best.anchor ? "#" + best.anchor : "");
        var title = d.title + (best && best.heading ? " › " + best.heading : "");
        out.push({ score: score, kind: d.kind, title: title, url: url, owner: d.owner,
                   snippet: best ? snippet(best, ts) : "", ts: ts });
      });
      out.sort(function (a, b) { return b.score - a.score || (a.title < b.title ? -1 : 1); });
      return out.slice(0, 20);
    }

    // A window of the section's opening text around the first term it contains; a term found
    // only further down the section is shown after it.
    function snippet(section, ts) {
      var text = section.text;
      var lower = section.head;
      var at = -1;
      ts.forEach(function (t) { var i = lower.indexOf(t); if (i >= 0 && (at < 0 || i < at)) at = i; });
      if (at < 0) {
        var rest = ts.filter(function (t) { return section.hay.indexOf(t) >= 0 && section.heading.toLowerCase().indexOf(t) < 0; });
        return text.slice(0, 140) + (rest.length ? " … " + rest.join(" … ") + " …" : "");
      }
      var start = Math.max(0, at - 60);
      var end = Math.min(text.length, at + 100);
      return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
    }

    // Appends `text` to `parent` with every query term wrapped in <mark>, without innerHTML.
    function highlight(parent, text, ts) {
      var lower = text.toLowerCase();
      var pos = 0;
      while (pos < text.length) {
        var next = -1, len = 0;
        ts.forEach(function (t) {
          var i = lower.indexOf(t, pos);
          if (i >= 0 && (next < 0 || i < next)) { next = i; len = t.length; }
        });
        if (next < 0) { parent.appendChild(document.createTextNode(text.slice(pos))); break; }
        if (next > pos) parent.appendChild(document.createTextNode(text.slice(pos, next)));
        parent.appendChild(el("mark", {}, text.slice(next, next + len)));
        pos = next + len;
      }
    }

    function show(items) {
      results = items;
      active = -1;
      list.textContent = "";
      if (!items.length) {
        list.appendChild(el("div", { class: "pb-search-empty" }, input.value ? "No results" : ""));
      }
      items.forEach(function (r, i) {
        if (r.message) { list.appendChild(el("div", { class: "pb-search-empty" }, r.message)); return; }
        var option = el("a", { id: "pb-result-" + i, role: "option", href: root + r.url, class: "pb-result", "aria-selected": "false" });
        var title = el("span", { class: "pb-result-title" });
        highlight(title, r.title, r.ts);
        option.appendChild(title);
        option.appendChild(el("span", { class: "pb-result-kind" }, r.kind + (r.owner ? " · " + r.owner : "")));
        if (r.snippet) {
          var snip = el("span", { class: "pb-result-snippet" });
          highlight(snip, r.snippet, r.ts);
          option.appendChild(snip);
        }
        list.appendChild(option);
      });
      var open = input.value.trim().length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
    }

    function select(i) {
      var options = list.querySelectorAll(".pb-result");
      if (!options.length) return;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = (i + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      if (options[active].scrollIntoView) options[active].scrollIntoView({ block: "nearest" });
    }

    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { load(function () { show(query(input.value)); }); }, 60);
    });
    input.addEventListener("focus", function () { load(function () {}); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
      else if (e.key === "Enter") {
        var options = list.querySelectorAll(".pb-result");
        var target = options[active >= 0 ? active : 0];
        if (target) { e.preventDefault(); window.location.href = target.href; }
      } else if (e.key === "Escape") { input.value = ""; show([]); }
    });
    document.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      if (e.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT" && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        input.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (!box.contains(e.target)) { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    });
  })();

  // --- Table filters: a form naming its table filters rows by status and text. ----------------
  (function tableFilters() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-filter-table]"), function (form) {
      var table = document.getElementById(form.getAttribute("data-filter-table"));
      if (!table) return;
      form.hidden = false;
      var status = form.querySelector("[data-filter-status]");
      var text = form.querySelector("[data-filter-text]");
      var count = form.querySelector("[data-filter-count]");
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      function apply() {
        var s = status ? status.value : "";
        var t = text ? text.value.trim().toLowerCase() : "";
        var shown = 0;
        rows.forEach(function (row) {
          var ok = (!s || row.getAttribute("data-status") === s) &&
            (!t || row.textContent.toLowerCase().indexOf(t) >= 0);
          row.hidden = !ok;
          if (ok) shown++;
        });
        if (count) count.textContent = shown + " of " + rows.length;
      }
      form.addEventListener("input", apply);
      form.addEventListener("submit", function (e) { e.preventDefault(); });
      apply();
    });
  })();

  // --- Matrix filters: view (criteria or controls), category, series, status, text, gaps. ------
  (function matrixFilters() {
    var form = document.getElementById("pb-matrix-filters");
    if (!form) return;
    form.hidden = false;
    var category = document.getElementById("pb-filter-category");
    var series = document.getElementById("pb-filter-series");
    var status = document.getElementById("pb-filter-status");
    var state = document.getElementById("pb-filter-state");
    var text = document.getElementById("pb-filter-text");
    var gaps = document.getElementById("pb-filter-gaps");
    var count = document.getElementById("pb-filter-count");
    var views = Array.prototype.slice.call(form.querySelectorAll("input[name=pb-view]"));
    var sections = {
      criteria: document.getElementById("pb-view-criteria"),
      controls: document.getElementById("pb-view-controls")
    };
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.pb-matrix-row"));
    var controlRows = Array.prototype.slice.call(document.querySelectorAll("tr.pb-control-row"));
    var headers = Array.prototype.slice.call(document.querySelectorAll("tr.pb-matrix-series"));
    // A row's data-series/data-category may hold several values (a control maps many criteria).
    function has(row, name, value) {
      return !value || (" " + (row.getAttribute(name) || "") + " ").indexOf(" " + value + " ") >= 0;
    }
    function view() {
      var checked = views.filter(function (v) { return v.checked; })[0];
      return checked ? checked.value : "criteria";
    }
    function apply() {
      var v = view();
      var q = text.value.trim().toLowerCase();
      var matches = function (row) {
        return has(row, "data-category", category.value) && has(row, "data-series", series.value) &&
          (!q || row.textContent.toLowerCase().indexOf(q) >= 0);
      };
      Object.keys(sections).forEach(function (k) { if (sections[k]) sections[k].hidden = k !== v; });
      Array.prototype.forEach.call(form.querySelectorAll("[data-view]"), function (el) {
        el.hidden = el.getAttribute("data-view") !== v;
      });
      var shown = 0;
      if (v === "controls") {
        controlRows.forEach(function (row) {
          var ok = matches(row) && (!state || !state.value || row.getAttribute("data-state") === state.value);
          row.hidden = !ok;
          if (ok) shown++;
        });
        count.textContent = shown + " of " + controlRows.length + " controls";
        return;
      }
      var seriesShown = {};
      rows.forEach(function (row) {
        var ok = matches(row) && (!status.value || row.getAttribute("data-status") === status.value) &&
          (!gaps.checked || row.getAttribute("data-gap") === "1");
        row.hidden = !ok;
        if (ok) { shown++; seriesShown[row.getAttribute("data-series")] = true; }
      });
      headers.forEach(function (h) { h.hidden = !seriesShown[h.getAttribute("data-series")]; });
      count.textContent = shown + " of " + rows.length + " criteria";
    }
    [category, series, status, state, gaps].concat(views).forEach(function (c) {
      if (c) c.addEventListener("change", apply);
    });
    text.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  })();

  // --- Sortable tables: click (or Enter on) a column header; cells may carry data-sort. --------
  (function sortable() {
    function key(row, i) {
      var cell = row.cells[i];
      if (!cell) return "";
      var v = cell.getAttribute("data-sort");
      return v !== null ? v : cell.textContent.trim().toLowerCase();
    }
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
      var headers = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(headers, function (th, i) {
        var label = th.textContent;
        var button = el("button", { type: "button", class: "pb-sort" }, label);
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var tbody = table.tBodies[0];
          var rows = Array.prototype.slice.call(tbody.rows);
          rows.sort(function (a, b) {
            var x = key(a, i), y = key(b, i);
            var nx = Number(x), ny = Number(y);
            var c = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
            return ascending ? c : -c;
          });
          rows.forEach(function (r) { tbody.appendChild(r); });
        });
      });
    });
  })();
})();
