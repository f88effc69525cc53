// Small behaviours that htmx does not cover. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tree-toggle]");
  if (!button) return;
  const open = button.dataset.treeToggle === "open";
  document.querySelectorAll("#tree details").forEach((d) => { d.open = open; });
});

// Grade sheet (assessment/results): Enter moves down to the same column of the next row,
// Shift+Enter up; Tab moves along the row as usual. Leaving a cell fires its "change", which
// htmx posts. Enter must not submit the sheet's fallback form.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) return;
  const input = event.target.closest && event.target.closest("[data-grid] input[data-col]");
  if (!input) return;
  event.preventDefault();
  const grid = input.closest("[data-grid]");
  const column = Array.from(grid.querySelectorAll("input[data-col]"))
    .filter((el) => el.dataset.col === input.dataset.col && !el.disabled);
  const next = column[column.indexOf(input) + (event.shiftKey ? -1 : 1)];
  if (next) {
    next.focus();
    next.select();
  } else {
    // The last row: commit the value (blur fires "change") and stay in the cell.
    input.blur();
    input.focus();
  }
});

// Annual plans: a "choose all" box ticks every checkbox of the same name in its table.
document.addEventListener("change", (event) => {
  const all = event.target.closest && event.target.closest("[data-check-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`)
    .forEach((box) => { box.checked = all.checked; });
});
