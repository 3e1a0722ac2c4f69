"""The operators' view of the queues, as a pure model fed with AMI events.

Why pure: the bridge (``ivr.ami.bridge``) owns the socket, reconnects and re-syncs; this module
only turns one event at a time into state and into a list of changes the console pushes to the
browsers. No I/O, no clock of its own (``now`` comes in with every event), so the tests drive it
with recorded event dicts and nothing else.

Events are matched by ``Uniqueid`` (the caller's channel in the queue) and ``Linkedid`` (the
call it belongs to, used to count calls and to follow the IVR's result), never by channel name.
The IVR context comes from the ``ChanVariable`` headers that ``manager.conf``'s ``channelvars``
adds to every channel event (``IVR_LANGUAGE``, ``IVR_OFFICE``, ``IVR_VISIT_TYPE``,
``IVR_FALLOUT_REASON``, ``IVR_RESULT``).

Errors (tree in ``ivr.ami.errors``): events it does not know are ignored (AMI sends many); a
known event (or a re-sync answer) whose value does not convert raises ``MalformedEvent``;
starting a callback that is not pending raises ``CallbackNotPending``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ivr.ami.errors import CallbackNotPending, MalformedEvent
from ivr.ami.figures import DailyFigures
from ivr.ami.model import (
    CALLBACK_RESULT_EVENT,
    CALLBACK_USER_EVENT,
    IVR_FALLOUT_REASON,
    IVR_LANGUAGE,
    IVR_RESULT,
    AgentCompleted,
    AgentConnected,
    AgentRinging,
    Callback,
    CallbackChanged,
    CallbackStatus,
    CallerJoined,
    CallerLeft,
    CallerStatus,
    Change,
    IvrContext,
    MemberChanged,
    QueuedCaller,
    QueueMember,
    Resynced,
    language_of_queue,
)


@contextmanager
def _converting(what: str) -> Iterator[None]:
    """A value of a known event that does not convert is the event's fault: MalformedEvent."""
    try:
        yield
    except ValueError as error:
        raise MalformedEvent(f"{what}: {error}") from error


def chan_variables(event: Mapping[str, object]) -> dict[str, str]:
    """``ChanVariable: NAME=value`` headers (one string or a list) as a dict.

    Written here because panoramisk 1.4's ``Message.getdict`` raises on a single header.
    """
    raw = event.get("ChanVariable")
    items: Sequence[object] = [raw] if isinstance(raw, str) else (raw or [])  # type: ignore[assignment]
    result: dict[str, str] = {}
    for item in items:
        name, sep, value = str(item).partition("=")
        if sep:
            result[name] = value
    return result


def _text(event: Mapping[str, object], key: str) -> str:
    value = event.get(key, "")
    return value if isinstance(value, str) else str(value)


class QueueState:
    """Callers waiting per queue, operators' membership, callbacks and today's figures."""

    def __init__(self, *, ivr_context: str = "ivr-in", timezone: str = "Europe/Prague") -> None:
        self.ivr_context = ivr_context
        self.zone = ZoneInfo(timezone)
        self.figures_day: date | None = None
        self.callers: dict[str, QueuedCaller] = {}
        self.members: dict[tuple[str, str], QueueMember] = {}
        self.callbacks: dict[int, Callback] = {}
        self.figures = DailyFigures()
        self._calls_seen: set[str] = set()
        self._next_callback_id = 1
        self._left: dict[str, QueuedCaller] = {}

    # ---- queries ------------------------------------------------------------------------------

    def waiting_by_language(self) -> dict[str, list[QueuedCaller]]:
        grouped: dict[str, list[QueuedCaller]] = {}
        for caller in sorted(self.callers.values(), key=lambda c: (c.queue, c.joined_at)):
            grouped.setdefault(caller.context.language or caller.queue, []).append(caller)
        return grouped

    def connected_to(self, interface: str) -> QueuedCaller | None:
        for caller in self.callers.values():
            if caller.status is CallerStatus.connected and caller.agent_interface == interface:
                return caller
        return None

    def pending_callbacks(self) -> list[Callback]:
        pending = (c for c in self.callbacks.values() if c.status is CallbackStatus.pending)
        return sorted(pending, key=lambda c: (c.requested_at, c.callback_id))

    # ---- events -------------------------------------------------------------------------------

    def apply(self, event: Mapping[str, object], *, now: float) -> list[Change]:
        """Fold one AMI event into the state; return what changed for the browsers."""
        self.figures_today(now=now)
        name = _text(event, "Event")
        handler = _HANDLERS.get(name)
        if handler is None:
            return []
        with _converting(name):
            return handler(self, event, now)

    def _caller_from(self, event: Mapping[str, object], now: float) -> QueuedCaller:
        queue = _text(event, "Queue")
        return QueuedCaller(
            uniqueid=_text(event, "Uniqueid"),
            linkedid=_text(event, "Linkedid") or _text(event, "Uniqueid"),
            queue=queue,
            channel=_text(event, "Channel"),
            caller_number=_text(event, "CallerIDNum"),
            caller_name=_text(event, "CallerIDName"),
            joined_at=now,
            context=IvrContext.from_variables(chan_variables(event), queue=queue),
            position=int(_text(event, "Position") or 0),
        )

    def _on_join(self, event: Mapping[str, object], now: float) -> list[Change]:
        caller = self._caller_from(event, now)
        known = self.callers.get(caller.uniqueid)
        if known is not None:
            caller = replace(
                caller, joined_at=known.joined_at, context=caller.context.merged_over(known.context)
            )
        self.callers[caller.uniqueid] = caller
        return [CallerJoined(caller)]

    def _on_leave(self, event: Mapping[str, object], now: float) -> list[Change]:
        """Leave or abandon. Asterisk sends QueueCallerLeave *before* AgentConnect when an
        operator answers, so the caller is kept aside for the AgentConnect that follows."""
        caller = self.callers.pop(_text(event, "Uniqueid"), None)
        if caller is None:
            return []
        abandoned = _text(event, "Event") == "QueueCallerAbandon"
        if abandoned:
            self.figures.abandoned[caller.context.language] += 1
        else:
            self._left[caller.uniqueid] = caller
        return [CallerLeft(caller, abandoned=abandoned)]

    def _on_agent_called(self, event: Mapping[str, object], now: float) -> list[Change]:
        caller = self.callers.get(_text(event, "Uniqueid"))
        if caller is None:
            return []
        interface = _text(event, "Interface")
        context = IvrContext.from_variables(chan_variables(event), queue=caller.queue)
        caller = replace(
            caller,
            status=CallerStatus.ringing,
            agent_interface=interface,
            context=context.merged_over(caller.context),
        )
        self.callers[caller.uniqueid] = caller
        return [AgentRinging(interface, caller)]

    def _on_agent_ring_no_answer(self, event: Mapping[str, object], now: float) -> list[Change]:
        caller = self.callers.get(_text(event, "Uniqueid"))
        if caller is None:
            return []
        caller = replace(caller, status=CallerStatus.waiting, agent_interface="")
        self.callers[caller.uniqueid] = caller
        return [CallerJoined(caller)]

    def _on_agent_connect(self, event: Mapping[str, object], now: float) -> list[Change]:
        uniqueid = _text(event, "Uniqueid")
        interface = _text(event, "Interface")
        caller = (
            self.callers.get(uniqueid)
            or self._left.pop(uniqueid, None)
            or self._caller_from(event, now)
        )
        context = IvrContext.from_variables(chan_variables(event), queue=caller.queue)
        caller = replace(
            caller,
            status=CallerStatus.connected,
            agent_interface=interface,
            context=context.merged_over(caller.context),
        )
        self.callers[uniqueid] = caller
        self.figures.answered_by_operator[caller.context.language] += 1
        return [AgentConnected(interface, caller)]

    def _on_agent_complete(self, event: Mapping[str, object], now: float) -> list[Change]:
        caller = self.callers.pop(_text(event, "Uniqueid"), None)
        if caller is None:
            return []
        talk = int(_text(event, "TalkTime") or 0)
        return [AgentCompleted(_text(event, "Interface"), caller, talk)]

    def _on_member(self, event: Mapping[str, object], now: float) -> list[Change]:
        queue = _text(event, "Queue")
        interface = _text(event, "Interface") or _text(event, "Location")
        member = QueueMember(
            queue=queue,
            interface=interface,
            name=_text(event, "MemberName") or _text(event, "Name") or interface,
            paused=_text(event, "Paused") == "1",
            in_call=_text(event, "InCall") == "1",
        )
        if _text(event, "Event") == "QueueMemberRemoved":
            self.members.pop((queue, interface), None)
        else:
            self.members[(queue, interface)] = member
        return [MemberChanged(member)]

    def _on_new_channel(self, event: Mapping[str, object], now: float) -> list[Change]:
        """Count a call when its first channel enters the IVR's context."""
        linkedid = _text(event, "Linkedid")
        if (
            _text(event, "Context") == self.ivr_context
            and linkedid == _text(event, "Uniqueid")
            and linkedid not in self._calls_seen
        ):
            self._calls_seen.add(linkedid)
        return []

    def _on_hangup(self, event: Mapping[str, object], now: float) -> list[Change]:
        """A finished IVR call: count it per language with its result and fall-out reason."""
        uniqueid = _text(event, "Uniqueid")
        self._left.pop(uniqueid, None)
        gone = self.callers.pop(uniqueid, None)
        changes: list[Change] = [] if gone is None else [CallerLeft(gone, abandoned=False)]
        if gone is not None and gone.status is CallerStatus.connected:
            changes = [AgentCompleted(gone.agent_interface, gone, 0)]
        if uniqueid not in self._calls_seen:
            return changes
        self._calls_seen.discard(uniqueid)
        variables = chan_variables(event)
        language = variables.get(IVR_LANGUAGE) or _text(event, "Language")
        self.figures.calls[language] += 1
        if variables.get(IVR_RESULT) == "booked":
            self.figures.booked_by_phone[language] += 1
        reason = variables.get(IVR_FALLOUT_REASON, "")
        if reason:
            self.figures.fallouts[reason] += 1
            self.figures.fallouts_by_language.setdefault(language, Counter())[reason] += 1
        return changes

    def _on_user_event(self, event: Mapping[str, object], now: float) -> list[Change]:
        kind = _text(event, "UserEvent")
        if kind == CALLBACK_RESULT_EVENT:
            return self._on_callback_result(event, now)
        if kind != CALLBACK_USER_EVENT:
            return []
        queue = _text(event, "Queue")
        callback = Callback(
            callback_id=self._next_callback_id,
            caller_number=_text(event, "CallerIDNum"),
            requested_at=now,
            context=IvrContext.from_variables(chan_variables(event), queue=queue),
            queue=queue,
        )
        self._next_callback_id += 1
        self.callbacks[callback.callback_id] = callback
        changes: list[Change] = [CallbackChanged(callback)]
        caller = self.callers.pop(_text(event, "Uniqueid"), None)
        if caller is not None:
            changes.append(CallerLeft(caller, abandoned=False))
        return changes

    def _on_originate_response(self, event: Mapping[str, object], now: float) -> list[Change]:
        """The operator's phone leg: failure ends the callback; success waits for the caller."""
        action_id = _text(event, "ActionID")
        for callback in self.callbacks.values():
            if callback.action_id and callback.action_id == action_id:
                if _text(event, "Response") == "Success":
                    progressed = replace(callback, outcome="operator answered, calling the caller")
                    self.callbacks[callback.callback_id] = progressed
                    return [CallbackChanged(progressed)]
                return [
                    self.finish_callback(
                        callback_id=callback.callback_id,
                        outcome=f"operator phone not answered (reason {_text(event, 'Reason')})",
                        answered=False,
                        now=now,
                    )
                ]
        return []

    def _on_callback_result(self, event: Mapping[str, object], now: float) -> list[Change]:
        """``UserEvent(IvrCallbackResult,CallbackId: n,DialStatus: ${DIALSTATUS})``."""
        callback_id = int(_text(event, "CallbackId") or 0)
        if callback_id not in self.callbacks:
            return []
        status = _text(event, "DialStatus").upper()
        return [
            self.finish_callback(
                callback_id=callback_id,
                outcome=f"caller {status.lower() or 'unknown'}",
                answered=status == "ANSWER",
                now=now,
            )
        ]

    # ---- commands from the console ------------------------------------------------------------

    def start_callback(self, *, callback_id: int, interface: str, action_id: str) -> Callback:
        callback = self.callbacks[callback_id]
        if callback.status is not CallbackStatus.pending:
            raise CallbackNotPending(f"callback {callback_id} is {callback.status}, not pending")
        callback = replace(
            callback,
            status=CallbackStatus.dialing,
            operator_interface=interface,
            action_id=action_id,
        )
        self.callbacks[callback_id] = callback
        return callback

    def finish_callback(
        self, *, callback_id: int, outcome: str, answered: bool, now: float
    ) -> CallbackChanged:
        callback = replace(
            self.callbacks[callback_id],
            status=CallbackStatus.answered if answered else CallbackStatus.failed,
            outcome=outcome,
            finished_at=now,
        )
        self.callbacks[callback_id] = callback
        return CallbackChanged(callback)

    def record_operator_booking(self, *, language: str, now: float) -> None:
        self.figures_today(now=now).booked_by_operator[language] += 1

    def figures_today(self, *, now: float) -> DailyFigures:
        """Today's counters; the first use after local midnight starts from zero."""
        today = datetime.fromtimestamp(now, self.zone).date()
        if self.figures_day != today:
            if self.figures_day is not None:
                self.figures = DailyFigures()
            self.figures_day = today
        return self.figures

    # ---- re-sync ------------------------------------------------------------------------------

    def resync(self, events: Sequence[Mapping[str, object]], *, now: float) -> list[Change]:
        """Replace callers and members with a QueueStatus answer (QueueEntry/QueueMember events).

        QueueEntry carries no channel snapshot, so the IVR context of a caller known before the
        disconnect is kept; the bridge fetches the rest with Getvar and calls ``set_context``.
        ``Wait`` (seconds waited) rebuilds ``joined_at``.
        """
        old_callers, old_members = self.callers, self.members
        self.callers, self.members = {}, {}
        try:
            with _converting("QueueStatus"):
                self._take_queue_status(events, old_callers, now)
        except MalformedEvent:
            self.callers, self.members = old_callers, old_members  # all of the answer or none
            raise
        for uniqueid, caller in old_callers.items():
            if caller.status is CallerStatus.connected and uniqueid not in self.callers:
                self.callers[uniqueid] = caller  # bridged callers are no longer queue entries
        return [Resynced(len(self.callers))]

    def _take_queue_status(
        self,
        events: Sequence[Mapping[str, object]],
        old_callers: Mapping[str, QueuedCaller],
        now: float,
    ) -> None:
        for event in events:
            kind = _text(event, "Event")
            if kind == "QueueEntry":
                uniqueid = _text(event, "Uniqueid")
                queue = _text(event, "Queue")
                known = old_callers.get(uniqueid)
                waited = float(_text(event, "Wait") or 0)
                self.callers[uniqueid] = QueuedCaller(
                    uniqueid=uniqueid,
                    linkedid=known.linkedid if known else uniqueid,
                    queue=queue,
                    channel=_text(event, "Channel"),
                    caller_number=_text(event, "CallerIDNum"),
                    caller_name=_text(event, "CallerIDName"),
                    joined_at=now - waited,
                    context=known.context
                    if known
                    else IvrContext(language=language_of_queue(queue)),
                    position=int(_text(event, "Position") or 0),
                )
            elif kind == "QueueMember":
                self._on_member(event, now)

    def callers_missing_context(self) -> list[QueuedCaller]:
        return [
            c for c in self.callers.values() if not (c.context.office or c.context.fallout_reason)
        ]

    def set_context(self, *, uniqueid: str, variables: Mapping[str, str]) -> CallerJoined | None:
        caller = self.callers.get(uniqueid)
        if caller is None:
            return None
        context = IvrContext.from_variables(variables, queue=caller.queue)
        caller = replace(caller, context=context.merged_over(caller.context))
        self.callers[uniqueid] = caller
        return CallerJoined(caller)


_HANDLERS = {
    "QueueCallerJoin": QueueState._on_join,
    "QueueCallerLeave": QueueState._on_leave,
    "QueueCallerAbandon": QueueState._on_leave,
    "AgentCalled": QueueState._on_agent_called,
    "AgentRingNoAnswer": QueueState._on_agent_ring_no_answer,
    "AgentConnect": QueueState._on_agent_connect,
    "AgentComplete": QueueState._on_agent_complete,
    "QueueMemberAdded": QueueState._on_member,
    "QueueMemberRemoved": QueueState._on_member,
    "QueueMemberPause": QueueState._on_member,
    "QueueMemberStatus": QueueState._on_member,
    "Newchannel": QueueState._on_new_channel,
    "Hangup": QueueState._on_hangup,
    "UserEvent": QueueState._on_user_event,
    "OriginateResponse": QueueState._on_originate_response,
}
