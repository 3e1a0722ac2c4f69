"""What Asterisk said about a call → the outcome the slot service records (pure).

An Originate's ``OriginateResponse`` carries a ``Reason``: 4 answered, 5 busy, 3 no answer
(ringing ran out), 1 hung up while ringing, 8 congestion, 0 failed; the dialled channel's
``DialEnd`` (``DialStatus``) and ``Hangup`` (``Cause``) say more, and are preferred. An
answered notice ends with the dialplan's ``UserEvent: IvrNoticeResult`` (from the hangup
handler, whatever path the call took) carrying ``IVR_RESULT``: the flow's ending,
``answering-machine`` from ``AMD()``, ``error`` when the flow did not run, or nothing when the
callee hung up before the flow ended.

Nothing here raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

ANSWERED: Final = "4"
UNANSWERED: Final[Mapping[str, str]] = {"5": "busy", "3": "no-answer", "1": "no-answer"}
RESULTS: Final[Mapping[str, str]] = {
    "kept": "kept",
    "cancelled": "cancelled",
    "rebooked": "rebooked",
    "opted-out": "opted-out",
    "fallout": "operator",
    "hangup": "hung-up",
    "": "hung-up",
    "answering-machine": "answering-machine",
}


# what the dialled channel's DialEnd said; Asterisk 22 answers a busy PJSIP callee with
# OriginateResponse Reason 0 ("failed"), so the channel's own DialEnd (or Hangup cause) decides
DIAL_STATUSES: Final[Mapping[str, str]] = {
    "BUSY": "busy", "NOANSWER": "no-answer", "CANCEL": "no-answer",
}
HANGUP_CAUSES: Final[Mapping[str, str]] = {"17": "busy", "18": "no-answer", "19": "no-answer"}


def unanswered_outcome(reason: str, *, dial_status: str = "", hangup_cause: str = "") -> str:
    """The outcome of an Originate that was not answered (any reason but 4): the channel's
    DialEnd status, else its hangup cause, else the Originate's reason."""
    return (DIAL_STATUSES.get(dial_status) or HANGUP_CAUSES.get(hangup_cause)
            or UNANSWERED.get(reason, "failed"))


def answered_outcome(result: str) -> str:
    """The outcome of an answered notice from its ``IVR_RESULT``; a flow that broke (``error``)
    or an unknown result counts as failed, so the caller is tried again."""
    return RESULTS.get(result, "failed")
