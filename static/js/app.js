// Small behaviours that htmx does not cover. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-tree-toggle]");
  if (!button) return;
  const open = button.dataset.treeToggle === "open";
  document.querySelectorAll("#tree details").forEach((d) => { d.open = open; });
});
