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
