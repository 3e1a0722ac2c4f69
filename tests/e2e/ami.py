"""Watching the sandbox's Asterisk over AMI during an end-to-end call.

panoramisk's Manager is created inside the running loop (its futures bind to it), every action
is wrapped in ``asyncio.wait_for`` (panoramisk has no timeouts), and its automatic reconnect is
switched off: a test that loses AMI must fail, not wait for a reconnect.

Errors: ``AmiWatchError`` (login refused, an action answered with ``Response: Error``) and
``TimeoutError`` (no answer, or no awaited event, in time).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from panoramisk import Manager

Event = Mapping[str, Any]


class AmiWatchError(RuntimeError):
    """AMI refused the login or an action."""


def channel_variables(event: Event) -> dict[str, str]:
    """The ``ChanVariable`` headers (one or many) of an event as a dict."""
    raw = event.get("ChanVariable")
    if raw is None:
        return {}
    items = raw if isinstance(raw, list) else [raw]
    pairs = (str(item).split("=", 1) for item in items)
    return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}


@dataclass(frozen=True)
class AmiAddress:
    host: str
    port: int
    username: str
    secret: str


class AmiWatcher:
    """Records every AMI event and lets a test await the one it expects."""

    def __init__(self, *, address: AmiAddress, action_timeout_s: float = 5.0) -> None:
        self._address = address
        self._action_timeout_s = action_timeout_s
        self._manager: Manager | None = None
        self.events: list[dict[str, Any]] = []

    async def __aenter__(self) -> AmiWatcher:
        loop = asyncio.get_running_loop()
        manager = Manager(
            loop=loop,
            host=self._address.host,
            port=self._address.port,
            username=self._address.username,
            secret=self._address.secret,
            events="on",
            ping_delay=3600,
            ping_interval=3600,
        )
        # panoramisk reconnects forever on a lost connection; here that must be a failure.
        manager.connection_lost = self._connection_lost
        manager.register_event("*", self._record)
        await asyncio.wait_for(manager.connect(), self._action_timeout_s)
        self._manager = manager
        async with asyncio.timeout(self._action_timeout_s):
            while manager.authenticated_future is not None:
                await asyncio.sleep(0.05)
        if not manager.authenticated:
            manager.close()
            raise AmiWatchError(f"AMI login refused for {self._address.username!r}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._manager is not None:
            self._manager.close()

    def _connection_lost(self, exc: Exception | None) -> None:
        self.events.append({"Event": "ConnectionLost", "Error": repr(exc)})

    def _record(self, _manager: Manager, message: Any) -> None:
        self.events.append(dict(message))

    async def action(self, **fields: str) -> dict[str, Any]:
        """Send one action and return its response (``Response: Success``)."""
        assert self._manager is not None, "use AmiWatcher as an async context manager"
        response = await asyncio.wait_for(
            self._manager.send_action(dict(fields)), self._action_timeout_s
        )
        answer = dict(response)
        if answer.get("Response") != "Success":
            raise AmiWatchError(f"{fields.get('Action')} refused: {answer}")
        return answer

    async def set_global(self, name: str, value: str) -> None:
        await self.action(Action="Setvar", Variable=name, Value=value)

    async def wait_for(
        self, matches: Callable[[Event], bool], *, timeout_s: float, what: str, start: int = 0
    ) -> dict[str, Any]:
        """The first recorded event from index ``start`` on (past or future) that ``matches``."""
        position = await self.wait_for_position(matches, timeout_s=timeout_s, what=what,
                                                start=start)
        return self.events[position]

    async def wait_for_position(
        self, matches: Callable[[Event], bool], *, timeout_s: float, what: str, start: int = 0
    ) -> int:
        """Like ``wait_for``, but the event's index in ``events`` (AMI events carry no time
        stamp, so two events can be equal: only the index tells them apart)."""
        position = start
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    while position < len(self.events):
                        if matches(self.events[position]):
                            return position
                        position += 1
                    await asyncio.sleep(0.05)
        except TimeoutError:
            names = [event.get("Event") for event in self.events[-40:]]
            raise TimeoutError(
                f"no AMI event {what} within {timeout_s} s; last events: {names}"
            ) from None
