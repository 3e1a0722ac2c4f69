"""Classic AGI: Asterisk runs `ivr-agi-classic <route>` once per call, on stdin/stdout.

For small installations without a daemon: `AGI(ivr-agi-classic,booking)` in the dialplan runs
the same flow as `AGI(agi://host/booking)`, through the same route factories
(`ivr.agi.routing`) and the same per-call error boundary (`ivr.agi.boundary.run_call`). The
transport knows no flow: the console script's module (`ivr.agi_classic`) names its routes, as
`ivr serve` does for FastAGI, and `IVR_AGI_ROUTES` adds to them. A route that is not there is
logged and the process exits 1 (`AGISTATUS=FAILURE`): the dialplan goes on to its failure path.

pyst2's `asterisk.agi.AGI` reads the environment and turns Asterisk's SIGHUP into a flag; we
use it for that and for writing commands, but read replies ourselves through
`ivr.agi.protocol`, because pyst2's `get_result()` drops GET DATA's `(timeout)` marker
(a timeout and `#` both come back as `''`), turns 511 into `AGIUnknownError` and does not know
`HANGUP` lines. Replies are read in a worker thread so the flow's other awaits (the slot
service) keep their timeouts.

Errors (tree in `ivr.agi.errors`): `AgiHangup` when SIGHUP was seen, stdin closed or stdout
broke (EPIPE), `AgiTimeout` when no reply line came within the read timeout, the rest as in
`ivr.agi.commands`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import logging.config
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from asterisk.agi import AGI
from prometheus_client import CollectorRegistry

from api.privacy import LOG_FORMAT, logging_config
from ivr.agi.boundary import run_call
from ivr.agi.commands import AgiCommands
from ivr.agi.errors import AgiHangup, AgiProtocolError, AgiTimeout, RouteConfigError, UnknownRoute
from ivr.agi.metrics import AgiMetrics
from ivr.agi.protocol import (
    NEED_DATA,
    AgiParser,
    AgiReply,
    HangupReceived,
    ReplyReceived,
    parse_environment,
)
from ivr.agi.routing import resolve_factory, route_for
from ivr.agi.settings import AgiSettings

logger = logging.getLogger(__name__)

USAGE = "usage: ivr-agi-classic <route> [argument ...], e.g. AGI(ivr-agi-classic,booking)"


class ClassicAgiChannel(AgiCommands):
    """An `AgiChannel` over a pyst2 `AGI` object (stdin/stdout of a per-call process)."""

    def __init__(self, *, agi: Any, settings: AgiSettings) -> None:
        env = parse_environment([f"{key}: {value}" for key, value in agi.env.items()])
        super().__init__(env)
        self._agi = agi
        self._settings = settings
        self._parser = AgiParser(expect_environment=False)

    def _note_sighup(self) -> None:
        if self._agi._got_sighup:
            self._hung_up = True

    async def _round_trip(self, line: bytes, *, media: bool, extra_s: float) -> AgiReply:
        self._note_sighup()
        budget = self._settings.media_timeout_s if media else self._settings.command_timeout_s
        try:
            self._agi.send_command(line.decode("utf-8").rstrip("\n"))
            async with asyncio.timeout(budget + extra_s):
                reply = await self._read_reply()
        except TimeoutError as error:
            raise AgiTimeout(f"no reply to {line!r} within {budget + extra_s:.1f} s") from error
        except BrokenPipeError as error:
            self._hung_up = True
            raise AgiHangup("Asterisk closed our stdin/stdout") from error
        self._note_sighup()
        return reply

    async def _read_reply(self) -> AgiReply:
        while True:
            event = self._parser.next_event()
            if event is NEED_DATA:
                line: str = await asyncio.to_thread(self._agi.stdin.readline)
                if not line:
                    self._hung_up = True
                    raise AgiHangup("Asterisk closed stdin")
                self._parser.feed(line.encode("utf-8"))
            elif isinstance(event, HangupReceived):
                self._hung_up = True
            elif isinstance(event, ReplyReceived):
                return event.reply
            else:
                raise AgiProtocolError(f"unexpected {event!r}")


def open_agi(*, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> Any:
    """pyst2's AGI on the given streams; it reads the environment at once."""
    return AGI(stdin=stdin, stdout=stdout, stderr=stderr)


async def run_classic_call(
    *, agi: Any, route: str, routes: Mapping[str, str], settings: AgiSettings
) -> int:
    """Resolve the route in `routes` (route -> factory path), run the call in the shared error
    boundary; the exit status."""
    metrics = AgiMetrics(registry=CollectorRegistry())
    try:
        path = route_for(routes, route)
    except UnknownRoute as error:
        logger.error("classic AGI: %s", error)
        return 1
    try:
        handler = resolve_factory(path)(metrics=metrics)
    except RouteConfigError:
        logger.exception("classic AGI cannot start route %r", route)
        return 1
    channel = ClassicAgiChannel(agi=agi, settings=settings)
    await run_call(channel, handler=handler, route=route, metrics=metrics)
    return 0


def classic_logging_config() -> dict[str, Any]:
    """The masked logging of the long-running commands (``api.privacy``) on stderr, which
    Asterisk copies into its own log: caller numbers reach it through the AGI environment."""
    config = logging_config("info")
    config["formatters"]["masked"]["format"] = f"ivr-agi-classic {LOG_FORMAT}"
    return config


def main(argv: Sequence[str] | None = None, *, routes: Mapping[str, str] | None = None) -> int:
    """`ivr-agi-classic <route> [argument ...]`: one call on stdin/stdout.

    `routes` (route -> `"package.module:factory"`) are the caller's own; `IVR_AGI_ROUTES` adds
    to them (and wins on the same name). Exit status 2 without a route argument."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    logging.config.dictConfig(classic_logging_config())
    if not arguments:
        logger.error("no route given; %s", USAGE)
        return 2
    settings = AgiSettings()
    all_routes = {**(routes or {}), **settings.routes}
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline="\n")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    with open(os.devnull, "w") as pyst2_debug_output:  # pyst2 echoes every line to stderr
        agi = open_agi(stdin=stdin, stdout=stdout, stderr=pyst2_debug_output)
        return asyncio.run(
            run_classic_call(agi=agi, route=arguments[0], routes=all_routes, settings=settings)
        )


if __name__ == "__main__":
    sys.exit(main())
