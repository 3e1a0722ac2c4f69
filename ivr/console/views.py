"""What one operator's browser is shown: the queue state turned into plain JSON.

Pure functions of the state, the operator and the time, so that the server-sent snapshot and
the REST answer are the same thing and are tested without a server.
"""

from __future__ import annotations

from typing import Any

from ivr.ami.model import Callback, CallbackStatus, QueuedCaller
from ivr.ami.queue_state import QueueState

LANGUAGES = ("cs", "en", "uk", "ru", "vi")
RECENT_CALLBACKS = 10


def caller_view(caller: QueuedCaller, *, now: float) -> dict[str, Any]:
    return {
        "uniqueid": caller.uniqueid,
        "linkedid": caller.linkedid,
        "queue": caller.queue,
        "caller_number": caller.caller_number,
        "caller_name": caller.caller_name,
        "joined_at": caller.joined_at,
        "waiting_seconds": max(0, round(now - caller.joined_at)),
        "language": caller.context.language,
        "office": caller.context.office,
        "visit_type": caller.context.visit_type,
        "fallout_reason": caller.context.fallout_reason,
        "status": caller.status.value,
        "agent_interface": caller.agent_interface,
    }


def callback_view(callback: Callback) -> dict[str, Any]:
    return {
        "callback_id": callback.callback_id,
        "caller_number": callback.caller_number,
        "requested_at": callback.requested_at,
        "language": callback.context.language,
        "office": callback.context.office,
        "visit_type": callback.context.visit_type,
        "queue": callback.queue,
        "status": callback.status.value,
        "operator_interface": callback.operator_interface,
        "outcome": callback.outcome,
        "finished_at": callback.finished_at,
    }


def snapshot(
    state: QueueState, *, username: str, interface: str, connected: bool, now: float
) -> dict[str, Any]:
    """Everything the page shows; ``my_call`` is the screen pop."""
    queues: dict[str, list[dict[str, Any]]] = {language: [] for language in LANGUAGES}
    for language, callers in state.waiting_by_language().items():
        queues.setdefault(language, []).extend(
            caller_view(c, now=now) for c in callers if c.status.value != "connected"
        )
    mine = state.connected_to(interface)
    memberships = [m for m in state.members.values() if m.interface == interface]
    finished = sorted(
        (c for c in state.callbacks.values() if c.status is not CallbackStatus.pending),
        key=lambda c: c.callback_id,
        reverse=True,
    )[:RECENT_CALLBACKS]
    return {
        "server_time": now,
        "ami_connected": connected,
        "operator": {
            "username": username,
            "interface": interface,
            "queues": sorted(m.queue for m in memberships),
            "paused": bool(memberships) and all(m.paused for m in memberships),
        },
        "queues": queues,
        "my_call": caller_view(mine, now=now) if mine is not None else None,
        "callbacks": [callback_view(c) for c in state.pending_callbacks()],
        "recent_callbacks": [callback_view(c) for c in finished],
        "figures": state.figures_today(now=now).as_dict(),
    }
