"""``ivr outbound-calls``: place the reminders and closure notices due now, then exit (run by
``deploy/systemd/ivr-outbound-calls.timer``).

Settings: ``IVR_OUTBOUND_*`` (:class:`ivr.outbound.settings.OutboundCallSettings`), ``IVR_AMI_*``
(AMI), ``IVR_SLOTS_BASE_URL`` and ``IVR_SLOTS_TOKEN`` (the slot service, role ivr).

Exit status: 0 when every call placed got an outcome, 1 when AMI or the slot service failed
(the attempts in progress are reported as failed, to be retried).
"""

from __future__ import annotations

import asyncio
import logging
import logging.config

import httpx
import typer

from api.privacy import logging_config
from ivr.ami.settings import AmiSettings
from ivr.outbound import OutboundError
from ivr.outbound.dialer import AmiDialer
from ivr.outbound.job import RunReport, SlotServicePlanner, run_calls
from ivr.outbound.settings import OutboundCallSettings
from ivr.slots.client import SlotClientSettings

logger = logging.getLogger(__name__)


async def run_job(*, settings: OutboundCallSettings, ami: AmiSettings,
                  slots: SlotClientSettings) -> RunReport:
    headers = {"Authorization": f"Bearer {slots.token.get_secret_value()}"}
    async with (
        httpx.AsyncClient(base_url=slots.base_url, headers=headers, timeout=10) as client,
        AmiDialer(ami=ami, settings=settings) as dialer,
    ):
        return await run_calls(planner=SlotServicePlanner(client=client), dialer=dialer)


def outbound_calls() -> None:
    """Place the reminders and closure notices due now (one run; a systemd timer repeats it)."""
    logging.config.dictConfig(logging_config("INFO"))
    try:
        report = asyncio.run(run_job(settings=OutboundCallSettings(), ami=AmiSettings(),
                                     slots=SlotClientSettings()))
    except OutboundError as error:
        logger.error("outbound calls stopped: %s", error)
        raise typer.Exit(1) from error
    counts: dict[str, int] = {}
    for outcome in report.outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
    logger.info("outbound calls done: %s", summary or "nothing to call")
