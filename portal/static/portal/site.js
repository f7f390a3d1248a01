/* The header's menu button on narrow screens. Without this script the menu simply stays open
   (the links wrap under the brand); with it, the button shows and hides the menu. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector("[data-menu-toggle]");
  var menu = header && header.querySelector("[data-menu]");
  if (!toggle || !menu) return;
  header.classList.add("menu-ready");

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }

  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

/* Tables become cards on phones (site.css): each cell is labelled with its column's heading
   unless the template gave it a data-label already. */
(function () {
  "use strict";
  var tables = document.querySelectorAll("main table:not(.keep-table)");
  Array.prototype.forEach.call(tables, function (table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) labels.push(cell.textContent.trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var label = labels[column];
          if (cell.tagName === "TD" && label && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", label);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  });
})();
