// Office desk page: login, the day's bookings (reloaded every few seconds), one-click check-in,
// search by reference, printable day sheet; for administrators closures, capacity, no-shows.
"use strict";

let me = null;
let offices = [];
let visitTypes = {};
let timer = null;
let plannedClosure = null;  // the period whose preview is shown, confirmed as it was previewed
const STATE_NAMES = { confirmed: "expected", attended: "arrived", "no-show": "no-show", cancelled: "cancelled" };
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function showError(message) { $("desk-error").textContent = message || ""; }
function zone() { return (me && me.timezone) || "Europe/Prague"; }
function clock(iso) {
  return new Date(iso).toLocaleTimeString("cs-CZ", { timeZone: zone(), hour: "2-digit", minute: "2-digit" });
}
function todayInZone() { return new Date().toLocaleDateString("sv-SE", { timeZone: zone() }); }
function officeName(code) {
  const office = offices.find((o) => o.code === code);
  return office ? (office.names.en || code) : code;
}
function visitName(code) { return visitTypes[code] || code; }
function office() { return $("office").value; }
function day() { return $("day").value; }

function remember() {
  const params = new URLSearchParams({ office: office(), day: day() });
  history.replaceState(null, "", `/desk?${params}`);
}

// --- the day ------------------------------------------------------------------------------

function checkInButtons(booking, after) {
  const cell = el("td", { class: "check-in no-print" });
  if (booking.status === "cancelled") return cell;
  const make = (label, cls, status) => {
    const button = el("button", { type: "button", class: cls }, label);
    button.addEventListener("click", async () => {
      showError("");
      button.disabled = true;
      try {
        const changed = await api("POST", `/api/desk/bookings/${booking.reference}/check-in`, { status });
        after(changed);
      } catch (error) {
        showError(`Check-in of ${booking.reference} refused: ${error.errorId || ""} ${error.message}`);
        button.disabled = false;
      }
    });
    return button;
  };
  if (booking.status === "confirmed") {
    cell.append(make("Arrived", "arrived", "attended"), " ", make("No-show", "no-show", "no-show"));
  } else {
    cell.append(make("Undo", "undo", "confirmed"));
  }
  return cell;
}

function bookingRow(b) {
  return el("tr", { class: `booking ${b.status}`, dataset: { reference: b.reference } },
    el("td", { class: "time" }, clock(b.starts_at)),
    el("td", { class: "reference" }, b.reference),
    el("td", {}, visitName(b.visit_type)),
    el("td", { class: "caller" }, b.caller),
    el("td", { class: "identity" }, b.identity),
    el("td", {}, b.language),
    el("td", {}, b.channel),
    el("td", { class: "state" }, STATE_NAMES[b.status] || b.status,
      b.attendance_at ? ` ${clock(b.attendance_at)}` : ""),
    checkInButtons(b, () => loadDay()));
}

function renderFigures(data) {
  const head = el("tr", {}, el("th", {}, "Channel"), el("th", {}, "Booked"), el("th", {}, "Expected"),
    el("th", {}, "Arrived"), el("th", {}, "No-show"), el("th", {}, "Cancelled"));
  const row = (name, f) => el("tr", { dataset: { channel: name } }, el("td", {}, name), el("td", {}, String(f.booked)),
    el("td", {}, String(f.expected)), el("td", { class: "arrived" }, String(f.arrived)),
    el("td", { class: "no-show" }, String(f.no_show)), el("td", {}, String(f.cancelled)));
  $("day-figures").replaceChildren(el("table", {}, head,
    ...Object.entries(data.figures).map(([name, f]) => row(name, f)), row("all", data.totals)));
}

function closureText(c) {
  const when = c.start ? `${c.start}–${c.end}` : "all day";
  return `Closed ${when}: ${c.reason}`;
}

async function loadDay() {
  if (!office() || !day()) return;
  try {
    const data = await api("GET", `/api/desk/offices/${encodeURIComponent(office())}/day?day=${day()}`);
    $("day-title").textContent = `${officeName(data.office)} · ${new Date(`${data.date}T12:00:00`).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" })}`;
    $("day-closures").textContent = data.closures.filter((c) => !c.reopened_at).map(closureText).join(" · ");
    renderFigures(data);
    $("day-bookings").tBodies[0].replaceChildren(...data.bookings.map(bookingRow));
    $("day-empty").hidden = data.bookings.length > 0;
    // for whatever fills #desk-attempts (the outbound call attempts of the day)
    document.dispatchEvent(new CustomEvent("desk:day-loaded", { detail: { office: data.office, day: data.date, bookings: data.bookings } }));
    $("refresh-status").textContent = `updated ${new Date().toLocaleTimeString("cs-CZ", { timeZone: zone() })}`;
    $("refresh-status").className = "status up";
  } catch (error) {
    if (error.status === 401) { showLogin(); return; }
    $("refresh-status").textContent = `not updated: ${error.message}`;
    $("refresh-status").className = "status stale";
  }
}

function renderSearch(b) {
  const box = $("search-result");
  const table = el("table", {}, el("tbody", {}, bookingRow(b)));
  // a booking found by reference is checked in right here, and the day reloads after
  table.querySelector("td.check-in").replaceWith(checkInButtons(b, (changed) => { renderSearch(changed); loadDay(); }));
  box.replaceChildren(el("h3", {}, `${b.reference} · ${officeName(b.office)} · ${new Date(b.starts_at).toLocaleDateString("cs-CZ", { timeZone: zone() })} ${clock(b.starts_at)}`), table);
  box.hidden = false;
}

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError("");
  const reference = $("search-reference").value.trim();
  try { renderSearch(await api("GET", `/api/desk/bookings/${reference}`)); }
  catch (error) {
    $("search-result").replaceChildren(el("p", { class: "error" }, `${reference}: ${error.errorId === "booking-not-found" ? "no such booking" : error.message}`));
    $("search-result").hidden = false;
  }
});

// --- closures (administrators) ------------------------------------------------------------

function period() {
  const start = $("closure-start").value, end = $("closure-end").value;
  return { office: office(), date: day(), ...(start || end ? { start, end } : {}) };
}

async function loadClosures() {
  if (!me || !me.admin) return;
  try {
    const data = await api("GET", `/api/desk/offices/${encodeURIComponent(office())}/day?day=${day()}`);
    $("closure-list").replaceChildren(...data.closures.map((c) => {
      const li = el("li", { class: "closure", dataset: { closureId: c.closure_id } }, closureText(c),
        c.reopened_at ? " (reopened)" : "");
      if (!c.reopened_at) {
        const button = el("button", { type: "button", class: "reopen" }, "Reopen");
        button.addEventListener("click", async () => {
          try { await api("DELETE", `/api/desk/closures/${c.closure_id}`); loadClosures(); loadDay(); }
          catch (error) { showError(`Reopen: ${error.message}`); }
        });
        li.append(" ", button);
      }
      return li;
    }));
    if (!data.closures.length) $("closure-list").append(el("li", {class: "none"}, "None."));
  } catch (error) { showError(`Closures: ${error.message}`); }
}

$("closure-preview").addEventListener("click", async () => {
  showError("");
  $("closure-result").hidden = true;
  if (!$("closure-form").reportValidity()) return;
  plannedClosure = { ...period(), reason: $("closure-reason").value };
  try {
    const plan = await api("POST", "/api/desk/closures/preview", period());
    const n = plan.bookings_to_cancel.length;
    $("closure-plan-title").textContent =
      `${n} booking${n === 1 ? "" : "s"} will be cancelled and ${plan.slots_to_close} slots closed; the callers are notified.`;
    $("closure-affected").replaceChildren(...plan.bookings_to_cancel.map((b) => el("li", { class: "affected", dataset: { reference: b.reference } },
      `${clock(b.starts_at)} · ${b.reference} · ${visitName(b.visit_type)} · ${b.language} · ${b.channel}`)));
    $("closure-confirm").textContent = n ? `Confirm: close and cancel ${n} booking${n === 1 ? "" : "s"}` : "Confirm: close";
    $("closure-plan").hidden = false;
  } catch (error) { showError(`Closure refused: ${error.errorId || ""} ${error.message}`); }
});

$("closure-confirm").addEventListener("click", async () => {
  showError("");
  const button = $("closure-confirm");
  button.disabled = true;
  try {
    const closed = await api("POST", "/api/desk/closures", plannedClosure);
    $("closure-plan").hidden = true;
    $("closure-result").textContent =
      `Closed (${closed.start ? `${closed.start}–${closed.end}` : "all day"}): ${closed.bookings_cancelled.length} booking(s) cancelled: ` +
      (closed.bookings_cancelled.map((b) => b.reference).join(", ") || "none");
    $("closure-result").hidden = false;
    loadClosures();
    loadDay();
  } catch (error) { showError(`Closure refused: ${error.errorId || ""} ${error.message}`); }
  button.disabled = false;
});
$("closure-cancel").addEventListener("click", () => { $("closure-plan").hidden = true; });

// --- capacity (administrators) -----------------------------------------------------------

function templateRow(t) {
  const seat = (channel) => el("input", { type: "number", min: "0", max: "1000", class: `seats-${channel}`, value: String(t.seats[channel]) });
  const inputs = { phone: seat("phone"), operator: seat("operator"), counter: seat("counter") };
  const message = el("td", { class: "message" });
  const save = el("button", { type: "button", class: "save" }, "Save");
  const row = el("tr", { class: "template", dataset: { templateId: t.template_id, visitType: t.visit_type, weekday: String(t.weekday), start: t.start } },
    el("td", {}, visitName(t.visit_type)), el("td", {}, WEEKDAYS[t.weekday]), el("td", {}, t.start), el("td", {}, t.end),
    el("td", {}, inputs.phone), el("td", {}, inputs.operator), el("td", {}, inputs.counter), el("td", {}, save), message);
  save.addEventListener("click", async () => {
    showError("");
    save.disabled = true;
    const seats = Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, Number(input.value)]));
    try {
      const change = await api("PUT", `/api/desk/capacity/${t.template_id}`, { seats });
      row.className = "template saved";
      message.className = "message";
      message.textContent = `Saved: ${change.slots_changed} slot(s) changed.`;
    } catch (error) {
      row.className = "template refused";
      message.className = "message refusal";
      const slots = (error.details.slots || []).map((s) => `${new Date(s.starts_at).toLocaleString("cs-CZ", { timeZone: zone() })} (${s.taken} taken)`);
      message.textContent = error.errorId === "capacity-below-booked"
        ? `Refused: ${error.details.slot_count} slot(s) have more seats taken than ${error.details.seats}: ${slots.join(", ")}`
        : `Refused: ${error.errorId || ""} ${error.message}`;
    }
    save.disabled = false;
  });
  return row;
}

async function loadCapacity() {
  if (!me || !me.admin) return;
  try {
    const templates = await api("GET", `/api/desk/capacity?office=${encodeURIComponent(office())}`);
    const wanted = $("capacity-visit-type").value;
    $("capacity-table").tBodies[0].replaceChildren(
      ...templates.filter((t) => !wanted || t.visit_type === wanted).map(templateRow));
  } catch (error) { showError(`Capacity: ${error.message}`); }
}

$("materialise-button").addEventListener("click", async () => {
  showError("");
  $("materialise-result").textContent = "materialising…";
  try {
    const done = await api("POST", "/api/desk/materialise");
    $("materialise-result").textContent = `${done.created_slots} new slot(s).`;
  } catch (error) { $("materialise-result").textContent = ""; showError(`Materialise: ${error.message}`); }
});

// --- no-shows (administrators) -----------------------------------------------------------

async function loadNoShows() {
  if (!me || !me.admin) return;
  const rows = (list) => list.map((r) => el("tr", {}, el("td", {}, r.key), el("td", {}, String(r.visits)),
    el("td", {}, String(r.no_shows)), el("td", {}, `${Math.round(100 * r.rate)} %`)));
  try {
    const rates = await api("GET", "/api/desk/no-show-rates");
    $("no-shows-period").textContent = `Visits marked from ${rates.since} to ${rates.until}, those with a no-show, worst first.`;
    $("no-shows-numbers").tBodies[0].replaceChildren(...rows(rates.by_caller_number));
    $("no-shows-identities").tBodies[0].replaceChildren(...rows(rates.by_identity));
  } catch (error) { showError(`No-shows: ${error.message}`); }
}

// --- page ---------------------------------------------------------------------------------

const LOADERS = { "day-view": loadDay, "closures-view": loadClosures, "capacity-view": loadCapacity, "no-shows-view": loadNoShows };

function showTab(id) {
  for (const tab of document.querySelectorAll("#tabs .tab")) tab.setAttribute("aria-pressed", String(tab.dataset.tab === id));
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== id;
  LOADERS[id]();
}

function currentTab() { return document.querySelector('#tabs .tab[aria-pressed="true"]').dataset.tab; }

async function enterDesk(user) {
  me = user;
  $("login").hidden = true;
  $("desk").hidden = false;
  $("desk-user").textContent = `${me.display_name}${me.admin ? " (admin)" : ""}`;
  for (const node of document.querySelectorAll(".admin-only")) node.hidden = !me.admin;
  try {
    offices = (await api("GET", "/api/desk/offices")).filter((o) => o.active);
    visitTypes = Object.fromEntries((await api("GET", "/api/desk/visit-types")).map((v) => [v.code, v.names.en || v.code]));
    $("capacity-visit-type").append(...Object.entries(visitTypes).map(([code, name]) => el("option", { value: code }, name)));
  } catch (error) { showError(`Offices: ${error.message}`); }
  const params = new URLSearchParams(location.search);
  $("office").replaceChildren(...offices.map((o) => el("option", { value: o.code }, o.names.en || o.code)));
  if (params.get("office")) $("office").value = params.get("office");
  $("day").value = params.get("day") || todayInZone();
  remember();
  showTab("day-view");
  if (timer) clearInterval(timer);
  timer = setInterval(() => { if (currentTab() === "day-view") loadDay(); }, 1000 * me.refresh_seconds);
}

function showLogin() {
  if (timer) { clearInterval(timer); timer = null; }
  $("desk").hidden = true;
  $("login").hidden = false;
}

for (const tab of document.querySelectorAll("#tabs .tab")) tab.addEventListener("click", () => showTab(tab.dataset.tab));
for (const id of ["office", "day"]) {
  $(id).addEventListener("change", () => {
    remember();
    $("closure-plan").hidden = true;
    $("search-result").hidden = true;
    showTab(currentTab());
  });
}
$("capacity-visit-type").addEventListener("change", loadCapacity);
$("print-button").addEventListener("click", () => window.print());
$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    await api("POST", "/api/desk/login", { username: $("username").value, password: $("password").value });
    await enterDesk(await api("GET", "/api/desk/me"));
  } catch (error) { $("login-error").textContent = error.message; }
});
$("logout-button").addEventListener("click", async () => { await api("POST", "/api/desk/logout"); showLogin(); });

api("GET", "/api/desk/me").then(enterDesk, showLogin);
