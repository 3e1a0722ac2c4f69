"""Headless Chromium from Debian, driven by Playwright for Python (no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.support.services import unavailable

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
# the desk's screenshots shown by docs/desk.md: written there when missing, or all again with
# IVR_REFRESH_DOC_IMAGES=1 (the booking references are random, so a run that rewrote them
# every time would leave the tree changed after every make test)
DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images" / "desk"
REFRESH_DOC_IMAGES = os.environ.get("IVR_REFRESH_DOC_IMAGES", "") == "1"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@asynccontextmanager
async def chromium_page() -> AsyncIterator[Any]:
    """A fresh page in Debian's chromium; fails under CI=true, skips elsewhere when missing."""
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        unavailable(f"playwright is not installed: {exc}")
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        unavailable("Debian's chromium is not installed (scripts/system-deps.sh test)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(10_000)
            yield page
        finally:
            await browser.close()


async def screenshot(page: Any, name: str, folder: Path = SCREENSHOTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def doc_screenshot(page: Any, name: str) -> Path:
    """``screenshot`` into build/screenshots, and into docs/images/desk/ for docs/desk.md
    when it is not there yet or ``IVR_REFRESH_DOC_IMAGES=1``."""
    path = await screenshot(page, name)
    documented = DOC_IMAGES / path.name
    if REFRESH_DOC_IMAGES or not documented.exists():
        DOC_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, documented)
    return path


async def book_first_slot(page: Any, *, passport: str, birth_date: str, shot: str) -> str:
    """In the open booking form: identity, *Book* on the earliest slot; the reference shown."""
    await page.fill("#bk-passport", passport)
    await page.fill("#bk-birth-date", birth_date)
    await page.locator("#slot-list li.slot button.book").first.click()
    await page.wait_for_selector("#booking-result:not([hidden])")
    await screenshot(page, shot)
    return str(await page.inner_text("#booking-reference")).strip()
