"""The operator console in a real browser, against a fake AMI peer and the real slot service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser.support import book_first_slot, chromium_page, screenshot
from tests.ivr.console.harness import (
    OPERATOR,
    PASSWORD,
    ConsoleStack,
    console_stack,
    push_operator_answers,
    push_waiting_caller,
    served,
)

pytestmark = pytest.mark.browser
Console = tuple[ConsoleStack, Any]


@pytest.fixture
async def console(postgres_server: str, today_template: str) -> AsyncIterator[Console]:
    """The console served, a browser page on its login form with the operator's name typed."""
    async with console_stack(postgres_server, today_template) as stack, \
            served(stack.console) as url, chromium_page() as page:
        await page.goto(url)
        await page.fill("#username", OPERATOR)
        yield stack, page


async def test_operator_sees_the_caller_gets_the_screen_pop_and_books(console: Console) -> None:
    stack, page = console
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#console:not([hidden])")
    await page.wait_for_selector("#ami-status.up")

    join = await push_waiting_caller(stack.fake_ami, language="uk",
                                     office="praha-zukovskeho", visit_type="ltr-new")
    row = page.locator('.queue[data-language="uk"] tr.caller')
    await row.wait_for()
    text = await row.inner_text()
    assert "+420777123456" in text and "no-slots" in text
    assert "Žukovského" in text or "praha-zukovskeho" in text
    shot = await screenshot(page, "console-waiting-caller")

    await push_operator_answers(stack.fake_ami, join)
    await page.wait_for_selector("#screen-pop:not([hidden])")
    assert await page.input_value("#bk-language") == "uk"
    assert await page.input_value("#bk-office") == "praha-zukovskeho"
    assert await page.input_value("#bk-visit-type") == "ltr-new"
    assert await page.input_value("#bk-caller-number") == "+420777123456"
    assert await page.inner_text("#pop-reason") == "no-slots"
    await page.locator("#slot-list li.slot").first.wait_for()
    await screenshot(page, "console-screen-pop")

    reference = await book_first_slot(page, passport="12345678", birth_date="1990-04-01",
                                      shot="console-booked")

    async with stack.slot_service() as api:
        response = await api.get(f"/bookings/{reference}",
                                 params={"caller_number": "+420777123456"})
    assert response.status_code == 200, response.text
    booking = response.json()
    assert booking["channel"] == "operator"
    assert (booking["office"], booking["visit_type"]) == ("praha-zukovskeho", "ltr-new")
    assert booking["language"] == "uk"
    assert shot.exists() and shot.stat().st_size > 0


async def test_wrong_password_callback_manual_booking_and_pause(console: Console) -> None:
    stack, page = console
    await page.fill("#password", "wrong")
    await page.click("#login-button")
    await page.wait_for_selector("#login-error:has-text('wrong user name or password')")
    await page.fill("#password", PASSWORD)
    await page.click("#login-button")
    await page.wait_for_selector("#console:not([hidden])")

    await stack.fake_ami.push({
        "Event": "UserEvent", "UserEvent": "IvrCallbackRequest",
        "CallerIDNum": "+420777000321", "Uniqueid": "7.7", "Linkedid": "7.7",
        "Queue": "operators-ru",
        "ChanVariable": ["IVR_LANGUAGE=ru", "IVR_OFFICE=kladno", "IVR_VISIT_TYPE=biometrics"],
    })
    pending = page.locator("#callbacks li.callback")
    await pending.wait_for()
    assert "+420777000321" in await pending.inner_text()
    await pending.locator("button").click()
    await page.wait_for_selector("#recent-callbacks li.callback.answered")
    await screenshot(page, "console-callback-done")
    await page.click("#manual-booking")  # a caller who reached the operator otherwise
    await page.wait_for_selector("#screen-pop:not([hidden])")
    assert await page.locator("#pop-details").is_hidden()
    await page.fill("#bk-caller-number", "+420777000999")
    await page.select_option("#bk-language", "vi")
    await page.select_option("#bk-office", "kladno")
    await page.select_option("#bk-visit-type", "biometrics")
    await page.click("#find-slots")
    manual_reference = await book_first_slot(page, passport="99887766",
                                             birth_date="2001-02-03",
                                             shot="console-manual-booking")
    async with stack.slot_service() as api:
        manual = (await api.get(f"/bookings/{manual_reference}",
                                params={"caller_number": "+420777000999"})).json()
    assert (manual["office"], manual["visit_type"], manual["language"]) == (
        "kladno", "biometrics", "vi")
    assert manual["channel"] == "operator"
    await page.click("#pause-button")
    async with asyncio.timeout(5):
        while not stack.fake_ami.actions("QueuePause"):
            await asyncio.sleep(0.02)
    assert await page.inner_text("#console-error") == ""
    [originate] = stack.fake_ami.actions("Originate")
    assert originate["Exten"] == "+420777000321" and originate["Channel"] == "PJSIP/operator1"
    [pause] = stack.fake_ami.actions("QueuePause")
    assert pause["Paused"] == "true"
