"""One call's error boundary, shared by the FastAGI server and the classic entry point.

Whatever the route's handler raises ends here, is logged and counted
(`ivr_calls_finished_total{ending}`); the transport then closes the call, which lets the
dialplan continue at the next priority. The boundary sets no channel variable: what the
dialplan should do after a failed call (the booking flow's `IVR_RESULT=error`) is the flow's
business, said before its error leaves it.

- `AgiHangup` (incl. `AgiDeadChannel`): the caller left; info log, ending `hangup`;
- `AgiTimeout`: Asterisk stopped answering; warning, ending `timeout`;
- any other `Exception`: `logger.exception`, ending `error`;
- `CancelledError` is not caught (it only comes from a shutdown past its grace period): ending
  `cancelled`.

The exception tree is drawn in `ivr.agi.errors`.
"""

from __future__ import annotations

import logging

from ivr.agi.channel import AgiHandler
from ivr.agi.commands import AgiCommands
from ivr.agi.errors import AgiHangup, AgiTimeout
from ivr.agi.metrics import AgiMetrics

logger = logging.getLogger(__name__)


async def run_call(
    channel: AgiCommands, *, handler: AgiHandler, route: str, metrics: AgiMetrics
) -> None:
    """One call's error boundary, shared by the FastAGI server and the classic entry point."""
    env = channel.env
    metrics.call_started(route=route)
    ending = "cancelled"
    try:
        await handler(channel)
        ending = "completed"
    except AgiHangup as error:
        ending = "hangup"
        logger.info("call %s (%s) hung up: %s", env.uniqueid, env.callerid, error)
    except AgiTimeout as error:
        ending = "timeout"
        logger.warning("call %s: Asterisk stopped answering: %s", env.uniqueid, error)
    except Exception:
        ending = "error"
        logger.exception("call %s on route %r failed", env.uniqueid, route)
    finally:
        metrics.call_finished(route=route, ending=ending)
