// Sheets that save as you go: the roll call and the grade sheet ([data-autosave]).
//
// Each saving unit (a roll-call row, a grade cell: [data-save-url]) remembers the value it was
// last saved with (data-original) and sends it with every save, so the server can tell a tap
// made on a stale page from a fresh one and never silently overwrite someone else's mark.
// Units of one lane (a row: data-lane) send one request at a time, in order, each against the
// value the previous one saved; a tap made while a request is on its way waits, and only the
// latest waiting value is sent. Every unit shows its state: saving, saved, or not saved with
// a Retry button; leaving the page while something is unsaved asks first.
(() => {
  const TIMEOUT_MS = 20000;
  const states = new WeakMap(); // unit -> {desired, version, status}
  const lanes = new Map(); // lane key -> {busy, queue}

  const sheetOf = (el) => el.closest("[data-autosave]");
  const say = (el, key) => (sheetOf(el) && sheetOf(el).dataset[key]) || "";

  function stateOf(unit) {
    let state = states.get(unit);
    if (!state) {
      state = { desired: null, version: 0, status: "" };
      states.set(unit, state);
    }
    return state;
  }

  function laneOf(unit) {
    const key = unit.dataset.lane || unit.id;
    let lane = lanes.get(key);
    if (!lane) {
      lane = { busy: false, queue: [] };
      lanes.set(key, lane);
    }
    return lane;
  }

  function units(sheet) {
    return Array.from(sheet.querySelectorAll("[data-save-url]"));
  }

  // --- What the unit shows ----------------------------------------------------------------

  function show(unit, status, message) {
    const state = stateOf(unit);
    state.status = status;
    unit.dataset.saveStatus = status;
    const box = unit.querySelector("[data-save-state]");
    if (box) {
      box.replaceChildren();
      if (status === "saving") box.textContent = say(unit, "textSaving");
      else if (status === "saved") box.textContent = say(unit, "textSaved");
      else if (status) {
        const text = document.createElement("span");
        text.textContent = message || say(unit, "textFailed");
        box.append(text);
        // A refused score is corrected by typing another; anything else may be retried.
        if (status !== "refused" || !unit.querySelector("input[data-col]")) {
          const retry = document.createElement("button");
          retry.type = "button";
          retry.className = "retry";
          retry.dataset.retry = "";
          retry.textContent = say(unit, "textRetry");
          box.append(" ", retry);
        }
      }
    }
    const input = unit.querySelector("input[data-col]");
    if (input) {
      if (status === "refused" || status === "clash") input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    summarize(sheetOf(unit));
  }

  function pressRow(unit, status) {
    unit.querySelectorAll("button[name=status]").forEach((button) => {
      button.setAttribute("aria-pressed", button.value === status ? "true" : "false");
    });
    unit.classList.remove("is-present", "is-excused", "is-absent");
    if (status) unit.classList.add(`is-${status}`);
  }

  function setOriginal(unit, value) {
    unit.dataset.original = value;
    // The plain form (no script) posts these: keep them in step.
    unit.querySelectorAll("input[name=original], input[data-was]").forEach((input) => {
      input.value = value;
    });
  }

  function applyFragments(fragments) {
    Object.entries(fragments || {}).forEach(([id, html]) => {
      const el = document.getElementById(id);
      if (el) el.outerHTML = html;
    });
  }

  // The tallies count what is saved, read from the page, so a late answer never shows an
  // older count.
  function tally(sheet) {
    if (sheet.dataset.tally === "rollcall") {
      const counts = { present: 0, excused: 0, absent: 0, "": 0 };
      units(sheet).forEach((unit) => { counts[unit.dataset.original || ""] += 1; });
      const box = document.getElementById("rollcall-counts");
      if (!box) return;
      [["present", "present"], ["excused", "excused"], ["absent", "absent"], ["", "unmarked"]]
        .forEach(([key, name]) => {
          const strong = box.querySelector(`.tally-${name} strong`);
          if (strong) strong.textContent = counts[key];
        });
    } else if (sheet.dataset.tally === "grades") {
      const box = document.getElementById("results-summary");
      if (!box) return;
      [["passed", "is-passed", "tally-present"], ["failed", "is-failed", "tally-absent"],
        ["pending", "is-pending", "tally-unmarked"]].forEach(([, cls, name]) => {
        const n = sheet.querySelectorAll(`.verdict.${cls}`).length;
        const part = box.querySelector(`.${name}`);
        if (part) {
          part.querySelector("strong").textContent = n;
          part.hidden = name === "tally-unmarked" && n === 0;
        }
      });
    }
  }

  function summarize(sheet) {
    if (!sheet) return;
    tally(sheet);
    const line = document.querySelector("[data-autosave-status]");
    if (!line) return;
    let saving = 0;
    let unsaved = 0;
    let touched = 0;
    units(sheet).forEach((unit) => {
      const status = stateOf(unit).status;
      if (status) touched += 1;
      if (status === "saving") saving += 1;
      else if (status && status !== "saved") unsaved += 1;
    });
    let text = "";
    if (saving) text = sheet.dataset.textPending.replace("{n}", saving);
    else if (unsaved) text = sheet.dataset.textUnsaved.replace("{n}", unsaved);
    else if (touched) text = sheet.dataset.textAllSaved;
    line.textContent = text;
    line.dataset.saveStatus = saving ? "saving" : unsaved ? "failed" : "saved";
  }

  // --- Sending ------------------------------------------------------------------------------

  function csrf(unit) {
    const field = unit.querySelector("[name=csrfmiddlewaretoken]")
      || document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function reason() {
    const field = document.querySelector("[data-correction-reason]");
    return field ? field.value.trim() : null;
  }

  async function post(url, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      // A signed-out session answers with the login page: that is not a save.
      if (!(response.headers.get("Content-Type") || "").includes("application/json")) return null;
      return await response.json();
    } catch (error) {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  function want(unit, payload) {
    const state = stateOf(unit);
    state.desired = payload;
    state.version += 1;
    if (reason() === "") {
      // A correction without its reason would only be refused: say so at once.
      show(unit, "refused", say(unit, "textNeedReason"));
      document.querySelector("[data-correction-reason]").focus();
      return;
    }
    show(unit, "saving");
    enqueue(unit);
  }

  function enqueue(unit) {
    const lane = laneOf(unit);
    if (!lane.queue.includes(unit)) lane.queue.push(unit);
    pump(lane);
  }

  function pump(lane) {
    if (lane.busy || !lane.queue.length) return;
    const unit = lane.queue.shift();
    lane.busy = true;
    send(unit).finally(() => {
      lane.busy = false;
      pump(lane);
    });
  }

  async function send(unit) {
    const state = stateOf(unit);
    const version = state.version;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf(unit));
    Object.entries(state.desired).forEach(([name, value]) => body.append(name, value));
    body.append("original", unit.dataset.original || "");
    const why = reason();
    if (why !== null) body.append("reason", why);
    const result = await post(unit.dataset.saveUrl, body);
    if (!result) {
      if (state.version !== version) enqueue(unit); // a newer value: try it
      else show(unit, "failed");
      return;
    }
    applyFragments(result.fragments);
    if (result.state === "saved") {
      setOriginal(unit, result.value);
      if (state.version !== version) enqueue(unit);
      else show(unit, "saved");
    } else if (result.state === "clash") {
      // Someone else saved meanwhile. Show it, keep this user's value on screen: Retry sends
      // it against what is stored now, so it then overwrites on purpose.
      setOriginal(unit, result.value);
      show(unit, "clash", result.message);
    } else {
      show(unit, "refused", result.message);
    }
  }

  // --- Roll call ----------------------------------------------------------------------------

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-autosave] button[name=status]");
    if (!button) return;
    event.preventDefault();
    const unit = button.closest("[data-save-url]");
    pressRow(unit, button.value);
    want(unit, { status: button.value });
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-all-present]");
    if (!form) return;
    const sheet = document.querySelector("[data-autosave]");
    if (!sheet) return;
    event.preventDefault();
    // Everyone not marked and not being marked; the exceptions keep their marks.
    const todo = units(sheet).filter((unit) => !unit.dataset.original && !stateOf(unit).desired);
    if (!todo.length) return;
    const why = reason();
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf(form));
    if (why !== null) body.append("reason", why);
    const versions = new Map();
    todo.forEach((unit) => {
      body.append("enrolment", unit.id.replace("enrolment-", ""));
      const state = stateOf(unit);
      state.desired = { status: "present" };
      state.version += 1;
      versions.set(unit, state.version);
      laneOf(unit).busy = true; // a tap meanwhile waits for this answer
      pressRow(unit, "present");
      if (why === "") show(unit, "refused", say(unit, "textNeedReason"));
      else show(unit, "saving");
    });
    const result = why === "" ? { state: "refused" } : await post(form.action, body);
    if (result && result.state === "saved") applyFragments(result.fragments);
    todo.forEach((unit) => {
      const lane = laneOf(unit);
      lane.busy = false;
      const state = stateOf(unit);
      if (result && result.state === "saved") {
        const mark = result.marks[unit.id.replace("enrolment-", "")] || "";
        setOriginal(unit, mark);
        if (state.version !== versions.get(unit)) {
          enqueue(unit);
          return;
        }
        pressRow(unit, mark);
        show(unit, "saved");
      } else if (why === "") {
        // Shown already; Retry sends the single mark once the reason is there.
      } else {
        show(unit, "failed", result && result.message);
      }
      pump(lane);
    });
  });

  // --- Grade sheet --------------------------------------------------------------------------

  document.addEventListener("change", (event) => {
    const input = event.target.closest("[data-autosave] input[data-col]");
    if (!input) return;
    const unit = input.closest("[data-save-url]");
    want(unit, { [input.name]: input.value });
  });

  // --- Retry and leaving --------------------------------------------------------------------

  document.addEventListener("click", (event) => {
    const retry = event.target.closest("[data-autosave] [data-retry]");
    if (!retry) return;
    const unit = retry.closest("[data-save-url]");
    const state = stateOf(unit);
    if (state.desired) want(unit, state.desired);
  });

  // Saving the whole grade sheet (its own form) takes the unsaved cells along: no question.
  let savingAll = false;
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented && event.target.querySelector("[data-autosave]")) savingAll = true;
  });

  window.addEventListener("beforeunload", (event) => {
    const sheet = document.querySelector("[data-autosave]");
    if (!sheet || savingAll) return;
    const unsaved = units(sheet).some((unit) => {
      const status = stateOf(unit).status;
      return status && status !== "saved";
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to ask
    }
  });
})();
