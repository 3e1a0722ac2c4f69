// The desk page's outbound call attempts (docs/outbound.md): every reminder and closure notice
// call for the bookings of the day shown, with its outcome, reloaded with the day.
"use strict";

const ATTEMPT_KINDS = { reminder: "reminder", "closure-notice": "closure notice" };
const OUTCOME_NAMES = {
  kept: "kept", cancelled: "cancelled", rebooked: "re-booked", "opted-out": "do not call",
  operator: "asked for an operator", "hung-up": "hung up", busy: "busy",
  "no-answer": "no answer", "answering-machine": "answering machine", failed: "failed",
};

function attemptRow(a, clockOf) {
  const outcome = a.outcome === null ? "calling…" : (OUTCOME_NAMES[a.outcome] || a.outcome);
  return el("tr", { class: `attempt ${a.outcome || "calling"}`, dataset: { reference: a.booking_reference } },
    el("td", { class: "reference" }, a.booking_reference),
    el("td", {}, ATTEMPT_KINDS[a.kind] || a.kind),
    el("td", { class: "attempt-number" }, String(a.attempt)),
    el("td", {}, clockOf(a.started_at)),
    el("td", { class: "outcome" }, outcome),
    el("td", { class: "new-reference" }, a.new_booking_reference || ""));
}

async function loadAttempts(office, day) {
  const box = $("desk-attempts");
  let data;
  try {
    const params = new URLSearchParams({ office, day });
    data = await api("GET", `/api/desk/outbound/attempts?${params}`);
  } catch (error) {
    box.replaceChildren(el("h3", {}, "Outbound calls"),
      el("p", { class: "error" }, `Outbound calls not loaded: ${error.message}`));
    return;
  }
  const zoneName = (typeof me !== "undefined" && me && me.timezone) || "Europe/Prague";
  const clockOf = (iso) => new Date(iso).toLocaleString("cs-CZ", { timeZone: zoneName, day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit" });
  const head = el("tr", {}, el("th", {}, "Reference"), el("th", {}, "Call"), el("th", {}, "Attempt"),
    el("th", {}, "Started"), el("th", {}, "Outcome"), el("th", {}, "New booking"));
  const table = el("table", { id: "attempts-table" }, el("thead", {}, head),
    el("tbody", {}, ...data.attempts.map((a) => attemptRow(a, clockOf))));
  const empty = el("p", { id: "attempts-empty" }, "No outbound calls for this day's bookings.");
  box.replaceChildren(el("h3", {}, "Outbound calls"), data.attempts.length ? table : empty);
}

document.addEventListener("desk:day-loaded", (event) => {
  loadAttempts(event.detail.office, event.detail.day);
});
