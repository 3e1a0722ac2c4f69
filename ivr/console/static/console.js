// Operator console page: login, live state over server-sent events, screen pop with booking.
"use strict";

let source = null;
let offices = [];
let poppedCall = null;
let lastState = null;
let manualBooking = false;  // the form without a screen pop (a caller reached us otherwise)

function showError(message) { $("console-error").textContent = message || ""; }

function minutes(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function officeName(code) {
  const office = offices.find((o) => o.code === code);
  return office ? (office.names.en || code) : (code || "—");
}

function visitName(officeCode, code) {
  const office = offices.find((o) => o.code === officeCode);
  const visit = office && office.visit_types.find((v) => v.code === code);
  return visit ? (visit.names.en || code) : (code || "—");
}

function renderQueues(state) {
  const root = $("queues");
  root.replaceChildren();
  const skew = Date.now() / 1000 - state.server_time;
  for (const [language, callers] of Object.entries(state.queues)) {
    const rows = callers.map((c) => el("tr", { class: `caller ${c.status}`, dataset: { uniqueid: c.uniqueid, joined: c.joined_at + skew } },
      el("td", {}, c.caller_number || c.caller_name || "?"),
      el("td", { class: "wait" }, minutes(c.waiting_seconds)),
      el("td", {}, officeName(c.office)),
      el("td", {}, visitName(c.office, c.visit_type)),
      el("td", {}, c.fallout_reason || "—"),
      el("td", {}, c.status)));
    root.append(el("div", { class: "queue", dataset: { language } },
      el("h3", {}, `${language} (${callers.length})`),
      el("table", {}, el("tr", {}, el("th", {}, "Caller"), el("th", {}, "Waits"), el("th", {}, "Office"),
        el("th", {}, "Visit"), el("th", {}, "Reason"), el("th", {}, "")), ...rows)));
  }
}

function tickWaits() {
  for (const row of document.querySelectorAll("tr.caller")) {
    row.querySelector(".wait").textContent = minutes(Date.now() / 1000 - Number(row.dataset.joined));
  }
}

function fillSelect(select, options, value) {
  select.replaceChildren(...options.map(([v, label]) => el("option", { value: v }, label)));
  if (value !== undefined) select.value = value;
}

function fillVisitTypes(value) {
  const office = offices.find((o) => o.code === $("bk-office").value);
  fillSelect($("bk-visit-type"), office ? office.visit_types.map((v) => [v.code, v.names.en || v.code]) : [], value);
}

function renderPop(state) {
  const call = state.my_call;
  $("screen-pop").hidden = !call && !manualBooking;
  $("pop-title").hidden = !call;
  $("pop-details").hidden = !call;
  if (!call) { poppedCall = null; return; }
  manualBooking = false;
  $("pop-caller").textContent = `${call.caller_name || ""} ${call.caller_number}`.trim();
  $("pop-language").textContent = call.language || "—";
  $("pop-office").textContent = officeName(call.office);
  $("pop-visit-type").textContent = visitName(call.office, call.visit_type);
  $("pop-reason").textContent = call.fallout_reason || "—";
  $("pop-waited").textContent = minutes(call.waiting_seconds);
  if (poppedCall === call.uniqueid) return;
  poppedCall = call.uniqueid;  // a new caller: pre-fill the form once
  $("bk-caller-number").value = call.caller_number;
  $("bk-language").value = call.language || "cs";
  if (call.office) $("bk-office").value = call.office;
  fillVisitTypes(call.visit_type || undefined);
  $("bk-passport").value = "";
  $("bk-birth-date").value = "";
  $("booking-result").hidden = true;
  $("slot-list").replaceChildren();
  if (call.office && call.visit_type) findSlots();
}

async function findSlots() {
  showError("");
  const params = new URLSearchParams({ office: $("bk-office").value, visit_type: $("bk-visit-type").value });
  try {
    const slots = await api("GET", `/api/slots?${params}`);
    $("slot-list").replaceChildren(...slots.map((s) => el("li", { class: "slot", dataset: { slotId: s.slot_id } },
      `${new Date(s.starts_at).toLocaleString("cs-CZ", { timeZone: "Europe/Prague" })} · ${officeName(s.office)} · ${s.free_seats} free `,
      bookButton(s))));
    if (!slots.length) $("slot-list").append(el("li", {}, "No free slot."));
  } catch (error) { showError(`Slots: ${error.message}`); }
}

function bookButton(slot) {
  const button = el("button", { type: "button", class: "book" }, "Book");
  button.addEventListener("click", async () => {
    if (!$("booking-form").reportValidity()) return;
    showError("");
    button.disabled = true;
    try {
      const booking = await api("POST", "/api/bookings", {
        slot_id: slot.slot_id,
        caller_number: $("bk-caller-number").value,
        language: $("bk-language").value,
        passport_digits: $("bk-passport").value,
        birth_date: $("bk-birth-date").value,
      });
      $("booking-reference").textContent = booking.reference;
      $("booking-when").textContent = ` (${new Date(booking.starts_at).toLocaleString("cs-CZ", { timeZone: "Europe/Prague" })}, ${officeName(booking.office)})`;
      $("booking-result").hidden = false;
    } catch (error) {
      showError(`Booking refused: ${error.errorId || ""} ${error.message}`);
      button.disabled = false;
    }
  });
  return button;
}

function renderCallbacks(state) {
  const item = (c, withButton) => {
    const li = el("li", { class: `callback ${c.status}`, dataset: { callbackId: c.callback_id } },
      `${c.caller_number} · ${c.language} · ${officeName(c.office)} · ${visitName(c.office, c.visit_type)} · ${c.status} ${c.outcome || ""} `);
    if (withButton) {
      const button = el("button", { type: "button" }, "Call back");
      button.addEventListener("click", async () => {
        button.disabled = true;
        try { await api("POST", `/api/callbacks/${c.callback_id}/start`); }
        catch (error) { showError(`Callback: ${error.message}`); button.disabled = false; }
      });
      li.append(button);
    }
    return li;
  };
  $("callbacks").replaceChildren(...state.callbacks.map((c) => item(c, true)));
  $("recent-callbacks").replaceChildren(...state.recent_callbacks.map((c) => item(c, false)));
}

function renderFigures(state) {
  const f = state.figures;
  const rows = Object.entries(f.per_language).map(([language, p]) => el("tr", {},
    el("td", {}, language), el("td", {}, String(p.calls)), el("td", {}, String(p.booked_by_phone)),
    el("td", {}, String(p.booked_by_operator)),
    el("td", {}, Object.entries(p.fallout_reasons).map(([r, n]) => `${r}: ${n}`).join(", ") || "—")));
  $("figures").replaceChildren(
    el("p", { id: "figures-summary" },
      `Calls ${f.calls} · booked by phone ${f.bookings_by_channel.phone} · by operator ${f.bookings_by_channel.operator} · ` +
      `booked without an operator ${(100 * f.share_booked_without_operator).toFixed(0)} % · abandoned ${f.abandoned}`),
    el("p", {}, `Fall-out reasons: ${Object.entries(f.fallout_reasons).map(([r, n]) => `${r}: ${n}`).join(", ") || "none"}`),
    el("table", {}, el("tr", {}, el("th", {}, "Language"), el("th", {}, "Calls"), el("th", {}, "Phone"),
      el("th", {}, "Operator"), el("th", {}, "Fall-outs")), ...rows));
}

function render(state) {
  lastState = state;
  const status = $("ami-status");
  status.textContent = state.ami_connected ? "Asterisk connected" : "Asterisk disconnected";
  status.className = `status ${state.ami_connected ? "up" : "down"}`;
  $("operator-queues").textContent = state.operator.queues.join(", ") || "in no queue";
  $("pause-button").textContent = state.operator.paused ? "Resume" : "Pause";
  renderQueues(state);
  renderPop(state);
  renderCallbacks(state);
  renderFigures(state);
}

function listen() {
  if (source) source.close();
  source = new EventSource("/api/events");
  source.addEventListener("state", (event) => render(JSON.parse(event.data)));
  source.onerror = () => { $("ami-status").textContent = "reconnecting…"; };
}

async function enterConsole(me) {
  $("login").hidden = true;
  $("console").hidden = false;
  $("operator-name").textContent = `${me.display_name || me.username} (${me.interface})`;
  try {
    offices = await api("GET", "/api/offices");
    fillSelect($("bk-office"), offices.map((o) => [o.code, o.names.en || o.code]));
    fillVisitTypes();
  } catch (error) { showError(`Offices: ${error.message}`); }
  listen();
}

function showLogin() {
  if (source) { source.close(); source = null; }
  $("console").hidden = true;
  $("login").hidden = false;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    await api("POST", "/api/login", { username: $("username").value, password: $("password").value });
    await enterConsole(await api("GET", "/api/me"));
  } catch (error) { $("login-error").textContent = error.message; }
});
$("logout-button").addEventListener("click", async () => { await api("POST", "/api/logout"); showLogin(); });
$("pause-button").addEventListener("click", async () => {
  showError("");
  const paused = !(lastState && lastState.operator.paused);
  try { await api("POST", "/api/pause", { paused, reason: paused ? "console" : "" }); }
  catch (error) { showError(`Pause: ${error.message}`); }
});
$("bk-office").addEventListener("change", () => fillVisitTypes());
$("find-slots").addEventListener("click", findSlots);
$("manual-booking").addEventListener("click", () => {
  manualBooking = !manualBooking;
  $("booking-result").hidden = true;
  $("slot-list").replaceChildren();
  if (lastState) renderPop(lastState);
});
setInterval(tickWaits, 1000);

api("GET", "/api/me").then(enterConsole, showLogin);
