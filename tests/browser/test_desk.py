"""The office desk page in headless Chromium, against the real slot service on PostgreSQL
(a copy of the fixed-date template, Monday 7 December 2026 07:00): check-in with one click,
from the day list and from a search, the list updating by itself, the printable day sheet;
a closure showing the affected bookings, then confirmed; a capacity change refused below what
is booked, then accepted. The screenshots go to build/screenshots/, and to docs/images/desk/
(docs/desk.md) when missing there or with IVR_REFRESH_DOC_IMAGES=1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser.support import chromium_page, doc_screenshot
from tests.ivr.console.desk_harness import (
    DESK_ADMIN,
    DESK_ADMIN_PASSWORD,
    DESK_PASSWORD,
    DESK_USER,
    OFFICE,
    DeskStack,
    book,
    desk_stack,
)
from tests.ivr.console.harness import served

pytestmark = pytest.mark.browser
Desk = tuple[DeskStack, Any, str]


@pytest.fixture
async def desk(postgres_server: str, slots_template: str) -> AsyncIterator[Desk]:
    async with desk_stack(postgres_server, slots_template) as stack, \
            served(stack.console) as url, chromium_page() as page:
        yield stack, page, url


async def open_desk(page: Any, url: str, *, day: str, user: str, password: str) -> None:
    await page.goto(f"{url}/desk?office={OFFICE}&day={day}")
    await page.fill("#username", user)
    await page.fill("#password", password)
    await page.click("#login-button")
    await page.wait_for_selector("#desk:not([hidden])")


def row(page: Any, reference: str) -> Any:
    return page.locator(f'#day-bookings tr.booking[data-reference="{reference}"]')


async def wait_state(page: Any, reference: str, state: str) -> None:
    await page.wait_for_selector(f'#day-bookings tr.{state}[data-reference="{reference}"]')


async def test_check_in_search_live_update_and_day_sheet(desk: Desk) -> None:
    stack, page, url = desk
    first = await book(stack, after="2026-12-07T08:59:00+01:00", caller="+420777123456",
                       passport="12345678", language="uk")
    second = await book(stack, after="2026-12-07T09:59:00+01:00", caller="+420601222333",
                        passport="87654321", language="vi", visit_type="ltr-new")
    await open_desk(page, url, day="2026-12-07", user=DESK_USER, password=DESK_PASSWORD)
    await row(page, second["reference"]).wait_for()
    assert not await page.locator('#tabs .tab[data-tab="closures-view"]').is_visible()
    text = await row(page, first["reference"]).inner_text()
    assert "+*********456" in text and "uk" in text and "phone" in text and "expected" in text
    assert "777123456" not in await page.inner_text("#day-bookings")
    await doc_screenshot(page, "desk-day")

    await row(page, first["reference"]).locator("button.arrived").click()
    await wait_state(page, first["reference"], "attended")
    assert "arrived 07:00" in await row(page, first["reference"]).locator("td.state").inner_text()
    figures = page.locator('#day-figures tr[data-channel="phone"]')
    assert await figures.locator("td.arrived").inner_text() == "1"

    await page.fill("#search-reference", second["reference"])
    await page.click("#search-button")
    found = page.locator("#search-result")
    await found.locator(f'tr[data-reference="{second["reference"]}"]').wait_for()
    await found.locator("button.arrived").click()
    await wait_state(page, second["reference"], "attended")
    await doc_screenshot(page, "desk-checked-in")
    await page.fill("#search-reference", "12345670")
    await page.click("#search-button")
    await page.wait_for_selector("#search-result .error")

    # the outbound attempts' place (desk_attempts.js fills it): there, and told of each
    # reload of the day
    assert await page.locator("#desk-attempts").count() == 1
    await page.evaluate("window.loadedDays = []; document.addEventListener('desk:day-loaded',"
                        " (event) => window.loadedDays.push(event.detail.day))")
    # a booking made by phone meanwhile appears without a click (the page reloads the day)
    late = await book(stack, after="2026-12-07T10:59:00+01:00", caller="+420602444555",
                      passport="11223344", language="cs")
    await row(page, late["reference"]).wait_for(timeout=5000)
    assert "2026-12-07" in await page.evaluate("window.loadedDays")
    await row(page, first["reference"]).locator("button.undo").click()
    await wait_state(page, first["reference"], "confirmed")

    await page.emulate_media(media="print")
    assert not await page.locator("header").is_visible()
    assert not await row(page, late["reference"]).locator("button.arrived").is_visible()
    assert await row(page, late["reference"]).is_visible()
    await doc_screenshot(page, "desk-day-sheet-print")

    async with stack.slot_service("desk") as api:
        checked = (await api.get(f"/desk/bookings/{second['reference']}")).json()
    assert checked["status"] == "attended"


async def test_closure_shows_the_affected_bookings_then_cancels_them(desk: Desk) -> None:
    stack, page, url = desk
    hit = await book(stack, after="2026-12-08T07:59:00+01:00", caller="+420777123456",
                     passport="12345678", language="ru")
    spared = await book(stack, after="2026-12-08T09:59:00+01:00", caller="+420601222333",
                        passport="87654321", language="en")
    await open_desk(page, url, day="2026-12-08", user=DESK_ADMIN, password=DESK_ADMIN_PASSWORD)
    await row(page, spared["reference"]).wait_for()
    await page.click('#tabs .tab[data-tab="closures-view"]')
    await page.locator("#closure-list li.none").wait_for()  # no closure yet, said as such
    await page.fill("#closure-start", "08:00")
    await page.fill("#closure-end", "09:00")
    await page.fill("#closure-reason", "Power cut in the building")
    await page.click("#closure-preview")
    await page.wait_for_selector("#closure-plan:not([hidden])")
    affected = page.locator("#closure-affected li.affected")
    assert await affected.count() == 1
    assert await affected.first.get_attribute("data-reference") == hit["reference"]
    assert "1 booking will be cancelled" in await page.inner_text("#closure-plan-title")
    await doc_screenshot(page, "desk-closure-preview")

    async with stack.slot_service("ivr") as ivr:  # nothing changed by the preview
        still = await ivr.get(f"/bookings/{hit['reference']}",
                              params={"caller_number": "+420777123456"})
    assert still.json()["status"] == "confirmed"

    await page.click("#closure-confirm")
    await page.wait_for_selector("#closure-result:not([hidden])")
    assert hit["reference"] in await page.inner_text("#closure-result")
    await page.locator("#closure-list li.closure").first.wait_for()
    assert "08:00–09:00" in await page.inner_text("#closure-list")
    assert await page.locator("#closure-list li.none").count() == 0
    await doc_screenshot(page, "desk-closure-done")

    async with stack.slot_service("admin") as api:
        closures = (await api.get("/admin/closures", params={"office": OFFICE})).json()
        assert [(c["date"], c["start"], c["end"]) for c in closures] == [
            ("2026-12-08", "08:00", "09:00")]
        cancelled = (await api.get(f"/admin/closures/{closures[0]['closure_id']}/bookings")).json()
    assert [(b["reference"], b["status"]) for b in cancelled] == [(hit["reference"], "cancelled")]

    await page.click('#tabs .tab[data-tab="day-view"]')
    await wait_state(page, hit["reference"], "cancelled")
    assert "Closed 08:00–09:00" in await page.inner_text("#day-closures")
    assert "expected" in await row(page, spared["reference"]).inner_text()


async def test_capacity_change_refused_below_booked_then_accepted(desk: Desk) -> None:
    stack, page, url = desk
    booked = await book(stack, after="2026-12-08T07:59:00+01:00", caller="+420777123456",
                        passport="12345678")
    await open_desk(page, url, day="2026-12-08", user=DESK_ADMIN, password=DESK_ADMIN_PASSWORD)
    await page.click('#tabs .tab[data-tab="capacity-view"]')
    await page.locator("tr.template").first.wait_for()
    await page.select_option("#capacity-visit-type", "ltr-extension")
    template = page.locator(
        'tr.template[data-visit-type="ltr-extension"][data-weekday="1"][data-start="08:00"]')
    await template.wait_for()
    for channel in ("phone", "operator", "counter"):
        await template.locator(f"input.seats-{channel}").fill("0")
    await template.locator("button.save").click()
    await page.wait_for_selector("tr.template.refused")
    message = await template.locator("td.message").inner_text()
    assert "Refused" in message and "1 slot(s)" in message and "1 taken" in message
    await doc_screenshot(page, "desk-capacity-refused")

    await template.locator("input.seats-phone").fill("2")
    await template.locator("button.save").click()
    await page.wait_for_selector("tr.template.saved")
    assert "slot(s) changed" in await template.locator("td.message").inner_text()
    await page.click("#materialise-button")
    await page.wait_for_selector("#materialise-result:has-text('new slot')")
    await doc_screenshot(page, "desk-capacity-saved")

    async with stack.slot_service("ivr") as ivr:
        slot = (await ivr.get("/availability", params={
            "office": OFFICE, "visit_type": "ltr-extension",
            "after": "2026-12-08T07:59:00+01:00", "limit": 1})).json()["slots"][0]
    assert slot["slot_id"] == booked["slot_id"] and slot["free_seats"] == 1  # 2 seats, 1 booked
