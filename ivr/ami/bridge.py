"""The operator bridge: one AMI connection that keeps ``QueueState`` true, and the actions the
console needs (pause, callback Originate).

Life of the connection (``run``): connect → Login → QueueStatus re-sync (plus Getvar for callers
whose IVR context we never saw) → watch: every ``ping_interval`` a Ping that must be answered
within ``ping_timeout``; a missing pong or a lost socket closes the connection, marks the bridge
down and reconnects with exponential backoff. Asterisk does not replay events after a reconnect,
hence the re-sync every time. Events that arrive while QueueStatus is being answered are held
back and applied after the snapshot, so the snapshot never overwrites newer news.

Every action goes through ``action()``, which bounds it with ``asyncio.wait_for``.

Errors (tree in ``ivr.ami.errors``): ``AmiNotConnected``, ``AmiTimeout``, ``AmiActionFailed``
from actions; ``AmiLoginFailed`` and ``MalformedEvent`` end a connection attempt and are logged
by ``run``, which reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from itertools import count
from typing import Any

from ivr.ami.errors import (
    AmiActionFailed,
    AmiError,
    AmiLoginFailed,
    AmiNotConnected,
    AmiTimeout,
    MalformedEvent,
)
from ivr.ami.model import IVR_VARIABLES, Callback, Change
from ivr.ami.queue_state import QueueState
from ivr.ami.settings import AmiSettings
from ivr.ami.transport import BridgeManager, ReassemblingProtocol

log = logging.getLogger(__name__)

Listener = Callable[[Sequence[Change]], None]


class AmiBridge:
    def __init__(
        self,
        settings: AmiSettings,
        *,
        state: QueueState | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.state = state or QueueState(ivr_context=settings.ivr_context)
        self.clock = clock
        self.connected = asyncio.Event()
        self.reconnects = 0
        self._listeners: list[Listener] = []
        self._manager: BridgeManager | None = None
        self._lost = asyncio.Event()
        self._held_back: list[Mapping[str, object]] | None = None
        self._action_ids = count(1)
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None

    # ---- listeners ----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _publish(self, changes: Sequence[Change]) -> None:
        for listener in self._listeners:
            listener(changes)

    # ---- connection life ----------------------------------------------------------------------

    async def run(self) -> None:
        """Stay connected until ``stop()``; never returns otherwise."""
        self._runner = asyncio.current_task()
        try:
            await self._stay_connected()
        except asyncio.CancelledError:
            # stop() cancels whatever run() was waiting for (a login, an action's reply, the
            # back-off sleep) so that it ends at once; any other cancellation goes on up.
            if not self._stopping:
                raise

    async def _stay_connected(self) -> None:
        delay = self.settings.reconnect_initial_seconds
        while not self._stopping:
            try:
                await self._connect()
                await self._resync()
                delay = self.settings.reconnect_initial_seconds
                await self._watch()
            except (OSError, AmiError) as exc:
                log.warning("AMI connection to %s:%s failed: %r", self.settings.host,
                            self.settings.port, exc)
            self._disconnect()
            if self._stopping:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.settings.reconnect_max_seconds)
            self.reconnects += 1

    async def stop(self) -> None:
        """End run() now, even in the middle of a reconnect, a re-sync or the back-off sleep."""
        self._stopping = True
        self._lost.set()
        self._disconnect()
        runner = self._runner
        if runner is not None and runner is not asyncio.current_task() and not runner.done():
            runner.cancel()
            await asyncio.wait({runner})

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        self._lost = asyncio.Event()
        manager = BridgeManager(
            on_lost=self._connection_lost,
            loop=loop,
            host=self.settings.host,
            port=self.settings.port,
            username=self.settings.username,
            secret=self.settings.secret.get_secret_value(),
            events=self.settings.events,
        )
        manager.register_event("*", self._on_event)
        transport, protocol = await asyncio.wait_for(
            loop.create_connection(ReassemblingProtocol, self.settings.host, self.settings.port),
            self.settings.connect_timeout_seconds,
        )
        self._manager = manager
        login = manager.attach(transport, protocol)
        try:
            response = await asyncio.wait_for(login, self.settings.action_timeout_seconds)
        except TimeoutError as exc:
            raise AmiTimeout("no answer to Login") from exc
        if not response.success:
            raise AmiLoginFailed(str(response.get("Message", "login refused")))
        self.connected.set()
        log.info("AMI logged in to %s:%s", self.settings.host, self.settings.port)

    def _connection_lost(self, exc: Exception | None) -> None:
        log.warning("AMI connection lost: %r", exc)
        self._lost.set()

    def _disconnect(self) -> None:
        was_connected = self.connected.is_set()
        self.connected.clear()
        self._held_back = None
        manager, self._manager = self._manager, None
        if manager is not None:
            manager.close()
        if was_connected:
            self._publish([])

    async def _watch(self) -> None:
        """Ping until a pong is missing or the socket is lost."""
        while True:
            try:
                await asyncio.wait_for(self._lost.wait(), self.settings.ping_interval_seconds)
            except TimeoutError:
                pass
            else:
                return
            try:
                await self.action({"Action": "Ping"}, timeout=self.settings.ping_timeout_seconds)
            except AmiTimeout:
                log.warning("AMI ping unanswered for %.1f s: connection is dead",
                            self.settings.ping_timeout_seconds)
                return

    async def _resync(self) -> None:
        self._held_back = []
        try:
            messages = await self.action({"Action": "QueueStatus"}, as_list=True)
            changes = self.state.resync([m for m in messages if "Event" in m], now=self.clock())
        finally:
            held, self._held_back = self._held_back or [], None
        for event in held:
            changes += self.state.apply(event, now=self.clock())
        for caller in self.state.callers_missing_context():
            variables = {name: await self.getvar(caller.channel, name) for name in IVR_VARIABLES}
            update = self.state.set_context(uniqueid=caller.uniqueid, variables=variables)
            if update is not None:
                changes.append(update)
        self._publish(changes)

    def _on_event(self, _manager: object, event: Mapping[str, object]) -> None:
        if self._held_back is not None:
            self._held_back.append(event)
            return
        try:
            changes = self.state.apply(event, now=self.clock())
        except MalformedEvent:
            log.exception("AMI event not understood: %r", event)
            return
        if changes:
            self._publish(changes)

    # ---- actions ------------------------------------------------------------------------------

    async def action(
        self, action: dict[str, Any], *, as_list: bool | None = None, timeout: float | None = None
    ) -> Any:
        """Send one action; wait at most ``timeout`` (default: the settings) for its answer."""
        manager = self._manager
        if manager is None or manager.protocol is None or manager.protocol.closed:
            raise AmiNotConnected(f"no AMI connection for {action.get('Action')}")
        future = manager.send_action(dict(action), as_list=as_list)
        try:
            response = await asyncio.wait_for(
                future, timeout or self.settings.action_timeout_seconds
            )
        except TimeoutError as exc:
            raise AmiTimeout(f"no answer to {action.get('Action')} in time") from exc
        first = response[0] if isinstance(response, list) else response
        if first.get("Response") == "Error":
            raise AmiActionFailed(f"{action.get('Action')}: {first.get('Message', '')}")
        return response

    async def getvar(self, channel: str, variable: str) -> str:
        try:
            response = await self.action(
                {"Action": "Getvar", "Channel": channel, "Variable": variable}
            )
        except AmiActionFailed:
            return ""  # the channel hung up meanwhile: nothing to show
        return str(response.get("Value", "") or "")

    async def pause(self, *, interface: str, paused: bool, reason: str = "") -> None:
        """QueuePause in every queue the interface is a member of."""
        action = {"Action": "QueuePause", "Interface": interface, "Paused": str(paused).lower()}
        if reason:
            action["Reason"] = reason
        await self.action(action)

    async def start_callback(self, *, callback_id: int, interface: str) -> Callback:
        """Ring the operator's phone; when answered, Asterisk dials the caller.

        The outcome arrives later as OriginateResponse (matched by ActionID in QueueState).
        """
        callback = self.state.callbacks[callback_id]
        action_id = f"ivr-callback-{callback_id}-{next(self._action_ids)}"
        started = self.state.start_callback(
            callback_id=callback_id, interface=interface, action_id=action_id
        )
        variables = [f"{name}={value}" for name, value in (
            ("IVR_LANGUAGE", callback.context.language),
            ("IVR_OFFICE", callback.context.office),
            ("IVR_VISIT_TYPE", callback.context.visit_type),
            ("IVR_CALLBACK_ID", str(callback_id)),
        )]
        try:
            await self.action({
                "Action": "Originate",
                "ActionID": action_id,
                "Channel": interface,
                "Context": self.settings.callback_context,
                "Exten": callback.caller_number,
                "Priority": "1",
                "CallerID": f"Callback <{callback.caller_number}>",
                "Timeout": str(int(self.settings.originate_timeout_seconds * 1000)),
                "Async": "true",
                "Variable": variables,
            }, as_list=False)
        except AmiError as exc:
            change = self.state.finish_callback(
                callback_id=callback_id, outcome=f"failed: {exc}", answered=False,
                now=self.clock(),
            )
            self._publish([change])
            raise
        self._publish([])
        return started
