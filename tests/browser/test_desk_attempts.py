"""The desk page shows the outbound call attempts of the day's bookings with their outcomes, in
headless Chromium against the real slot service (screenshot docs/images/desk/desk-attempts.png,
docs/outbound.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser.support import DOC_IMAGES, chromium_page, screenshot
from tests.ivr.console.desk_harness import DESK_PASSWORD, DESK_USER, OFFICE, DeskStack, desk_stack
from tests.ivr.console.harness import served
from tests.ivr.console.test_desk_attempts import reminded_busy_then_kept

pytestmark = pytest.mark.browser


@pytest.fixture
async def desk(postgres_server: str, slots_template: str
               ) -> AsyncIterator[tuple[DeskStack, Any, str]]:
    async with desk_stack(postgres_server, slots_template) as stack, \
            served(stack.console) as url, chromium_page() as page:
        yield stack, page, url


async def test_the_attempts_of_the_day_and_their_outcomes(
    desk: tuple[DeskStack, Any, str],
) -> None:
    stack, page, url = desk
    reference = await reminded_busy_then_kept(stack)
    await page.goto(f"{url}/desk?office={OFFICE}&day=2026-12-08")
    await page.fill("#username", DESK_USER)
    await page.fill("#password", DESK_PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#attempts-table tr.attempt.kept")
    rows = page.locator(f'#attempts-table tr.attempt[data-reference="{reference}"]')
    assert await rows.count() == 2
    assert await rows.nth(0).locator("td.outcome").inner_text() == "busy"
    assert await rows.nth(1).locator("td.outcome").inner_text() == "kept"
    assert await rows.nth(1).locator("td.attempt-number").inner_text() == "2"
    await screenshot(page, "desk-attempts", DOC_IMAGES)
