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

// Organization picker (organizations/widgets/organization_picker.html): the server suggests
// organizations as you type (htmx); choosing one puts its id in the hidden input and tells the
// form it changed. Clearing the box clears the choice.
document.addEventListener("click", (event) => {
  const option = event.target.closest && event.target.closest("[data-org-picker] [data-org-id]");
  if (!option) return;
  const picker = option.closest("[data-org-picker]");
  picker.querySelector(".org-picker-results").replaceChildren();
  if (picker.dataset.orgMultiple) {  // several: add it to the chosen list (once)
    const search = picker.querySelector("[data-org-search]");
    search.value = "";
    const chosen = picker.querySelector("[data-org-chosen]");
    if (chosen.querySelector(`input[value="${option.dataset.orgId}"]`)) return;
    const item = document.createElement("li");
    const input = Object.assign(document.createElement("input"), {
      type: "hidden", name: picker.dataset.orgMultiple, value: option.dataset.orgId,
    });
    const remove = Object.assign(document.createElement("button"), {
      type: "button", className: "link", textContent: "×",
    });
    remove.dataset.orgRemove = "";
    remove.setAttribute("aria-label", option.dataset.orgLabel);
    item.append(input, option.dataset.orgLabel + " ", remove);
    chosen.append(item);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    search.focus();
    return;
  }
  const value = picker.querySelector("[data-org-value]");
  picker.querySelector("[data-org-search]").value = option.dataset.orgLabel;
  value.value = option.dataset.orgId;
  value.dispatchEvent(new Event("change", { bubbles: true }));
});
document.addEventListener("click", (event) => {
  const remove = event.target.closest && event.target.closest("[data-org-picker] [data-org-remove]");
  if (!remove) return;
  const picker = remove.closest("[data-org-picker]");
  remove.closest("li").remove();
  picker.dispatchEvent(new Event("change", { bubbles: true }));
});
document.addEventListener("input", (event) => {
  const search = event.target.closest && event.target.closest("[data-org-search]");
  if (!search || search.value.trim() !== "") return;
  const value = search.closest("[data-org-picker]").querySelector("[data-org-value]");
  if (!value || value.value === "") return;
  value.value = "";
  value.dispatchEvent(new Event("change", { bubbles: true }));
});
// Typing in the picker is not a change of the form's filters: only a choice is.
document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("[data-org-search]")) event.stopPropagation();
}, true);

// The menu's groups are <details>, so they open and close without script. With it, opening one
// closes the others, Escape closes it (focus back on its title), and a click elsewhere closes it.
const openNavGroups = () => document.querySelectorAll(".mainnav details.navgroup[open]");
document.addEventListener("toggle", (event) => {
  const group = event.target;
  if (!group.matches || !group.matches("details.navgroup") || !group.open) return;
  openNavGroups().forEach((other) => { if (other !== group) other.open = false; });
}, true);
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const group = event.target.closest && event.target.closest("details.navgroup[open]");
  if (!group) return;
  group.open = false;
  group.querySelector("summary").focus();
});
document.addEventListener("click", (event) => {
  openNavGroups().forEach((group) => { if (!group.contains(event.target)) group.open = false; });
});
