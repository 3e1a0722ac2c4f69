"""The records of the operators' view and the changes the queue state reports.

Frozen dataclasses only, shared by the pure model (``ivr.ami.queue_state``), the bridge and the
console's views. No behaviour beyond merging two IVR contexts.

Exceptions: none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

IVR_LANGUAGE = "IVR_LANGUAGE"
IVR_OFFICE = "IVR_OFFICE"
IVR_VISIT_TYPE = "IVR_VISIT_TYPE"
IVR_FALLOUT_REASON = "IVR_FALLOUT_REASON"
IVR_RESULT = "IVR_RESULT"
IVR_VARIABLES = (IVR_LANGUAGE, IVR_OFFICE, IVR_VISIT_TYPE, IVR_FALLOUT_REASON, IVR_RESULT)

QUEUE_PREFIX = "operators-"
CALLBACK_USER_EVENT = "IvrCallbackRequest"
CALLBACK_RESULT_EVENT = "IvrCallbackResult"


class CallerStatus(StrEnum):
    waiting = "waiting"
    ringing = "ringing"
    connected = "connected"


class CallbackStatus(StrEnum):
    pending = "pending"
    dialing = "dialing"
    answered = "answered"
    failed = "failed"


@dataclass(frozen=True)
class IvrContext:
    """What the caller chose in the menu before falling out of it."""

    language: str = ""
    office: str = ""
    visit_type: str = ""
    fallout_reason: str = ""

    @classmethod
    def from_variables(cls, variables: Mapping[str, str], *, queue: str = "") -> IvrContext:
        language = variables.get(IVR_LANGUAGE, "") or language_of_queue(queue)
        return cls(
            language=language,
            office=variables.get(IVR_OFFICE, ""),
            visit_type=variables.get(IVR_VISIT_TYPE, ""),
            fallout_reason=variables.get(IVR_FALLOUT_REASON, ""),
        )

    def merged_over(self, older: IvrContext) -> IvrContext:
        """Non-empty values of self win; the rest comes from the older context."""
        return IvrContext(
            language=self.language or older.language,
            office=self.office or older.office,
            visit_type=self.visit_type or older.visit_type,
            fallout_reason=self.fallout_reason or older.fallout_reason,
        )


@dataclass(frozen=True)
class QueuedCaller:
    uniqueid: str
    linkedid: str
    queue: str
    channel: str
    caller_number: str
    caller_name: str
    joined_at: float
    context: IvrContext
    position: int = 0
    status: CallerStatus = CallerStatus.waiting
    agent_interface: str = ""


@dataclass(frozen=True)
class QueueMember:
    queue: str
    interface: str
    name: str
    paused: bool
    in_call: bool = False


@dataclass(frozen=True)
class Callback:
    callback_id: int
    caller_number: str
    requested_at: float
    context: IvrContext
    queue: str
    status: CallbackStatus = CallbackStatus.pending
    operator_interface: str = ""
    action_id: str = ""
    outcome: str = ""
    finished_at: float | None = None


# ---- changes the console pushes to the browsers ------------------------------------------------


@dataclass(frozen=True)
class CallerJoined:
    caller: QueuedCaller


@dataclass(frozen=True)
class CallerLeft:
    caller: QueuedCaller
    abandoned: bool


@dataclass(frozen=True)
class AgentRinging:
    interface: str
    caller: QueuedCaller


@dataclass(frozen=True)
class AgentConnected:
    """The screen pop: this operator's phone now talks to this caller."""

    interface: str
    caller: QueuedCaller


@dataclass(frozen=True)
class AgentCompleted:
    interface: str
    caller: QueuedCaller
    talk_seconds: int


@dataclass(frozen=True)
class MemberChanged:
    member: QueueMember


@dataclass(frozen=True)
class CallbackChanged:
    callback: Callback


@dataclass(frozen=True)
class Resynced:
    callers: int


Change = (
    CallerJoined
    | CallerLeft
    | AgentRinging
    | AgentConnected
    | AgentCompleted
    | MemberChanged
    | CallbackChanged
    | Resynced
)


def language_of_queue(queue: str) -> str:
    """``operators-uk`` → ``uk``; other queue names have no language."""
    return queue[len(QUEUE_PREFIX) :] if queue.startswith(QUEUE_PREFIX) else ""
