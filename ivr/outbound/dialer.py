"""Placing notices with AMI Originate and hearing how each ended, over one panoramisk
connection (``ivr.ami.transport.ReassemblingProtocol`` for the framing).

A notice is ``Originate`` of ``settings.channel`` (the caller's number on the trunk) into
``settings.context`` with ``IVR_NOTICE`` and ``IVR_ATTEMPT_ID``, ``Async`` so that many ring at
once; ``OriginateResponse`` (matched by ActionID) says whether it was answered, and an answered
call's ``UserEvent: IvrNoticeResult`` (matched by ``AttemptId``) how it ended.

panoramisk's reconnect and ping are switched off: a job that loses AMI reports the calls in
progress as failed (the slot service retries them) and exits.

Errors: ``DialerUnavailable`` (connect, login, a refused Originate, the connection lost).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from panoramisk import Manager

from ivr.ami.settings import AmiSettings
from ivr.ami.transport import ReassemblingProtocol
from ivr.outbound import DialerUnavailable
from ivr.outbound.outcomes import ANSWERED, answered_outcome, unanswered_outcome
from ivr.outbound.settings import OutboundCallSettings

logger = logging.getLogger(__name__)
NOTICE_RESULT_EVENT = "IvrNoticeResult"


@dataclass(frozen=True)
class Notice:
    """One call to place (``ivr.outbound.job`` builds it from the slot service's plan)."""

    attempt_id: int
    kind: str
    booking_reference: str
    caller_number: str


@dataclass(frozen=True)
class Ended:
    outcome: str
    new_booking_reference: str | None = None


class AmiDialer:
    def __init__(self, *, ami: AmiSettings, settings: OutboundCallSettings) -> None:
        self._ami = ami
        self._settings = settings
        self._manager: Manager | None = None
        self._responses: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._results: dict[str, asyncio.Future[dict[str, Any]]] = {}
        # per dialled channel (its Uniqueid is the Originate's ChannelId): DialEnd, Hangup
        self._channel_news: dict[str, dict[str, str]] = {}
        self._lost = False

    async def __aenter__(self) -> AmiDialer:
        manager = Manager(
            loop=asyncio.get_running_loop(), host=self._ami.host, port=self._ami.port,
            username=self._ami.username, secret=self._ami.secret.get_secret_value(),
            events="call,user", ping_delay=3600, ping_interval=3600,
            protocol_factory=ReassemblingProtocol,
        )
        manager.connection_lost = self._connection_lost
        manager.register_event("OriginateResponse", self._on_originate_response)
        manager.register_event("UserEvent", self._on_user_event)
        manager.register_event("DialEnd", self._on_dial_end)
        manager.register_event("Hangup", self._on_hangup)
        try:
            async with asyncio.timeout(self._ami.connect_timeout_seconds):
                await manager.connect()
                while manager.authenticated_future is not None:
                    await asyncio.sleep(0.05)
        except (OSError, TimeoutError) as error:
            manager.close()
            raise DialerUnavailable(f"AMI {self._ami.host}:{self._ami.port}: {error!r}") from error
        if not manager.authenticated:
            manager.close()
            raise DialerUnavailable(f"AMI refused the login of {self._ami.username!r}")
        self._manager = manager
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._manager is not None:
            self._manager.close()

    def _connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        error = DialerUnavailable(f"AMI connection lost: {exc!r}")
        for future in (*self._responses.values(), *self._results.values()):
            if not future.done():
                future.set_exception(error)

    def _on_originate_response(self, _manager: Manager, message: Any) -> None:
        future = self._responses.get(str(message.get("ActionID", "")))
        if future is not None and not future.done():
            future.set_result(dict(message))

    def _on_dial_end(self, _manager: Manager, message: Any) -> None:
        for key in ("DestUniqueid", "Uniqueid"):
            news = self._channel_news.get(str(message.get(key, "")))
            if news is not None:
                news["dial_status"] = str(message.get("DialStatus", ""))

    def _on_hangup(self, _manager: Manager, message: Any) -> None:
        news = self._channel_news.get(str(message.get("Uniqueid", "")))
        if news is not None:
            news["hangup_cause"] = str(message.get("Cause", ""))

    def _on_user_event(self, _manager: Manager, message: Any) -> None:
        if message.get("UserEvent") != NOTICE_RESULT_EVENT:
            return
        future = self._results.get(str(message.get("AttemptId", "")).strip())
        if future is not None and not future.done():
            future.set_result(dict(message))

    async def place(self, notice: Notice) -> Ended:
        """Ring the caller, run the notice, and return how the attempt ended."""
        if self._manager is None or self._lost:
            raise DialerUnavailable("AMI is not connected")
        loop = asyncio.get_running_loop()
        key = str(notice.attempt_id)
        action_id = f"ivr-notice-{key}"
        channel_id = f"ivr-notice-{key}-{uuid.uuid4().hex[:12]}"
        response = self._responses[action_id] = loop.create_future()
        result = self._results[key] = loop.create_future()
        news = self._channel_news[channel_id] = {}
        try:
            await self._originate(notice, action_id, channel_id)
            async with asyncio.timeout(self._settings.ring_seconds + 30):
                answered = await response
            reason = str(answered.get("Reason", ""))
            if reason != ANSWERED:
                await self._hangup_of(news)
                logger.info("notice %s: not answered (reason %s, %s)", key, reason, news)
                return Ended(unanswered_outcome(reason, **news))
            async with asyncio.timeout(self._settings.call_max_seconds):
                ended = await result
        except TimeoutError:
            logger.warning("notice %s: no news from Asterisk in time", key)
            return Ended("failed")
        finally:
            self._responses.pop(action_id, None)
            self._results.pop(key, None)
            self._channel_news.pop(channel_id, None)
        outcome = answered_outcome(str(ended.get("Result", "")).strip())
        new_reference = str(ended.get("NewReference", "")).strip() or None
        return Ended(outcome, new_reference if outcome == "rebooked" else None)

    @staticmethod
    async def _hangup_of(news: dict[str, str], wait_s: float = 2.0) -> None:
        """The dialled channel's Hangup follows the OriginateResponse: wait for it briefly."""
        deadline = asyncio.get_running_loop().time() + wait_s
        while "hangup_cause" not in news and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)

    async def _originate(self, notice: Notice, action_id: str, channel_id: str) -> None:
        assert self._manager is not None
        settings = self._settings
        variables = [
            f"IVR_NOTICE={notice.kind} {notice.booking_reference} {notice.caller_number}",
            f"IVR_ATTEMPT_ID={notice.attempt_id}",
        ]
        action = {
            "Action": "Originate",
            "ActionID": action_id,
            "ChannelId": channel_id,
            "Channel": settings.channel.format(number=notice.caller_number),
            "Context": settings.context,
            "Exten": "s",
            "Priority": "1",
            "CallerID": settings.caller_id,
            "Timeout": str(int(settings.ring_seconds * 1000)),
            "Async": "true",
            "Variable": variables,
        }
        try:
            async with asyncio.timeout(self._ami.action_timeout_seconds):
                reply = await self._manager.send_action(action, as_list=False)
        except TimeoutError as error:
            raise DialerUnavailable("AMI did not answer an Originate") from error
        if dict(reply).get("Response") != "Success":
            raise DialerUnavailable(f"Originate refused: {dict(reply)}")
