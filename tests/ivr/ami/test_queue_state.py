from __future__ import annotations

import pytest

from ivr.ami.errors import CallbackNotPending, MalformedEvent
from ivr.ami.model import (
    AgentCompleted,
    AgentConnected,
    AgentRinging,
    CallbackChanged,
    CallbackStatus,
    CallerJoined,
    CallerLeft,
    CallerStatus,
    Resynced,
    language_of_queue,
)
from ivr.ami.queue_state import QueueState, chan_variables

VARS = [
    "IVR_LANGUAGE=uk",
    "IVR_OFFICE=praha-cigankova",
    "IVR_VISIT_TYPE=biometrics",
    "IVR_FALLOUT_REASON=no-slots",
]


def caller_event(event: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Event": event,
        "Channel": "PJSIP/caller-00000001",
        "CallerIDNum": "+420777123456",
        "CallerIDName": "Olena",
        "Language": "uk",
        "Uniqueid": "1700000000.11",
        "Linkedid": "1700000000.11",
        "Queue": "operators-uk",
        "ChanVariable": VARS,
    }
    base.update(extra)
    return base


def test_chan_variables_accepts_a_single_header_and_a_list() -> None:
    assert chan_variables({"ChanVariable": "IVR_OFFICE=kladno"}) == {"IVR_OFFICE": "kladno"}
    assert chan_variables({"ChanVariable": ["A=1", "B=x=y", "broken"]}) == {"A": "1", "B": "x=y"}
    assert chan_variables({}) == {}


def test_queue_names_carry_the_language() -> None:
    assert language_of_queue("operators-ru") == "ru"
    assert language_of_queue("support") == ""


def test_join_records_the_ivr_context_and_the_wait_start() -> None:
    state = QueueState()
    changes = state.apply(caller_event("QueueCallerJoin", Position="1", Count="1"), now=100.0)
    [joined] = changes
    assert isinstance(joined, CallerJoined)
    caller = joined.caller
    assert (caller.context.language, caller.context.office) == ("uk", "praha-cigankova")
    assert (caller.context.visit_type, caller.context.fallout_reason) == ("biometrics", "no-slots")
    assert caller.joined_at == 100.0 and caller.position == 1
    assert state.waiting_by_language() == {"uk": [caller]}


def test_language_falls_back_to_the_queue_name_without_variables() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin", ChanVariable=[], Queue="operators-vi"), now=1.0)
    assert list(state.waiting_by_language()) == ["vi"]


def test_answer_sequence_leave_then_connect_pops_the_screen_with_the_context() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin", Position="1"), now=10.0)
    [ringing] = state.apply(
        caller_event("AgentCalled", Interface="PJSIP/operator1", ChanVariable=[]), now=12.0
    )
    assert isinstance(ringing, AgentRinging)
    assert ringing.caller.status is CallerStatus.ringing
    assert ringing.caller.context.office == "praha-cigankova"  # kept when the event lacks it
    # app_queue leaves the queue before it announces the connection
    [left] = state.apply(caller_event("QueueCallerLeave"), now=15.0)
    assert isinstance(left, CallerLeft) and not left.abandoned
    [pop] = state.apply(
        caller_event("AgentConnect", Interface="PJSIP/operator1", HoldTime="5"), now=15.0
    )
    assert isinstance(pop, AgentConnected)
    assert pop.interface == "PJSIP/operator1"
    assert pop.caller.joined_at == 10.0
    assert pop.caller.context.visit_type == "biometrics"
    assert state.connected_to("PJSIP/operator1") == pop.caller
    assert state.connected_to("PJSIP/operator2") is None
    [done] = state.apply(
        caller_event("AgentComplete", Interface="PJSIP/operator1", TalkTime="42"), now=60.0
    )
    assert isinstance(done, AgentCompleted) and done.talk_seconds == 42
    assert state.connected_to("PJSIP/operator1") is None
    assert state.figures.as_dict()["answered_by_operator"] == 1


def test_ring_no_answer_puts_the_caller_back_to_waiting() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin"), now=0.0)
    state.apply(caller_event("AgentCalled", Interface="PJSIP/operator1"), now=1.0)
    state.apply(caller_event("AgentRingNoAnswer", Interface="PJSIP/operator1"), now=16.0)
    caller = state.callers["1700000000.11"]
    assert caller.status is CallerStatus.waiting and caller.agent_interface == ""


def test_abandon_is_counted_and_removes_the_caller() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin"), now=0.0)
    [left] = state.apply(caller_event("QueueCallerAbandon", OriginalPosition="1"), now=30.0)
    assert isinstance(left, CallerLeft) and left.abandoned
    assert state.apply(caller_event("QueueCallerLeave"), now=30.0) == []
    assert state.callers == {}
    assert state.figures.as_dict()["abandoned"] == 1


def test_events_of_other_callers_are_not_mixed_up() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin"), now=0.0)
    other = caller_event(
        "QueueCallerJoin",
        Uniqueid="1700000000.20",
        Linkedid="1700000000.20",
        ChanVariable=["IVR_LANGUAGE=ru", "IVR_FALLOUT_REASON=no-input"],
        Queue="operators-ru",
    )
    state.apply(other, now=5.0)
    state.apply(caller_event("AgentConnect", Interface="PJSIP/operator1"), now=6.0)
    assert state.callers["1700000000.20"].status is CallerStatus.waiting
    assert set(state.waiting_by_language()) == {"uk", "ru"}


def test_figures_count_ivr_calls_per_language_with_result_and_reason() -> None:
    state = QueueState(ivr_context="ivr-in")
    for n, (language, result, reason) in enumerate(
        [("en", "booked", ""), ("en", "fallout", "no-input"), ("cs", "booked", "")]
    ):
        uid = f"1700000001.{n}"
        state.apply(
            {"Event": "Newchannel", "Context": "ivr-in", "Uniqueid": uid, "Linkedid": uid},
            now=0.0,
        )
        variables = [f"IVR_LANGUAGE={language}", f"IVR_RESULT={result}"]
        if reason:
            variables.append(f"IVR_FALLOUT_REASON={reason}")
        hangup = {"Event": "Hangup", "Uniqueid": uid, "Linkedid": uid, "ChanVariable": variables}
        state.apply(hangup, now=1.0)
        state.apply(hangup, now=1.0)  # a repeated hangup is counted once
    # a channel outside the IVR context (an operator's phone) is no call of the IVR
    state.apply({"Event": "Newchannel", "Context": "operators", "Uniqueid": "9.1",
                 "Linkedid": "9.1"}, now=0.0)
    state.apply({"Event": "Hangup", "Uniqueid": "9.1", "Linkedid": "9.1"}, now=1.0)
    state.record_operator_booking(language="en", now=1.0)
    figures = state.figures.as_dict()
    assert figures["calls"] == 3
    assert figures["bookings_by_channel"] == {"phone": 2, "operator": 1}
    assert figures["share_booked_without_operator"] == 2 / 3
    assert figures["fallout_reasons"] == {"no-input": 1}
    per_language = figures["per_language"]
    assert isinstance(per_language, dict)
    assert per_language["en"]["calls"] == 2
    assert per_language["en"]["fallout_reasons"] == {"no-input": 1}
    assert per_language["cs"]["booked_by_phone"] == 1


def test_callback_request_is_listed_in_order_and_its_outcome_recorded() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin"), now=0.0)
    request = caller_event("UserEvent", UserEvent="IvrCallbackRequest")
    changes = state.apply(request, now=20.0)
    assert isinstance(changes[0], CallbackChanged)
    assert isinstance(changes[1], CallerLeft)
    second = caller_event("UserEvent", UserEvent="IvrCallbackRequest", CallerIDNum="+420600000001",
                          Uniqueid="x.2")
    state.apply(second, now=25.0)
    first, later = state.pending_callbacks()
    assert first.caller_number == "+420777123456" and first.context.office == "praha-cigankova"
    assert later.caller_number == "+420600000001"
    started = state.start_callback(callback_id=first.callback_id, interface="PJSIP/operator1",
                                   action_id="cb-1")
    assert started.status is CallbackStatus.dialing
    assert [c.callback_id for c in state.pending_callbacks()] == [later.callback_id]
    [outcome] = state.apply(
        {"Event": "OriginateResponse", "ActionID": "cb-1", "Response": "Failure", "Reason": "3"},
        now=50.0,
    )
    assert isinstance(outcome, CallbackChanged)
    assert outcome.callback.status is CallbackStatus.failed
    assert outcome.callback.outcome == "operator phone not answered (reason 3)"
    assert outcome.callback.finished_at == 50.0


def test_callback_outcome_follows_the_operator_leg_then_the_caller_leg() -> None:
    state = QueueState()
    state.apply(caller_event("UserEvent", UserEvent="IvrCallbackRequest"), now=0.0)
    state.start_callback(callback_id=1, interface="PJSIP/operator1", action_id="cb-9")
    [ringing] = state.apply(
        {"Event": "OriginateResponse", "ActionID": "cb-9", "Response": "Success", "Reason": "4"},
        now=5.0,
    )
    assert isinstance(ringing, CallbackChanged)
    assert ringing.callback.status is CallbackStatus.dialing
    assert ringing.callback.outcome == "operator answered, calling the caller"
    [busy] = state.apply({"Event": "UserEvent", "UserEvent": "IvrCallbackResult",
                          "CallbackId": "1", "DialStatus": "BUSY"}, now=9.0)
    assert isinstance(busy, CallbackChanged)
    assert busy.callback.status is CallbackStatus.failed and busy.callback.outcome == "caller busy"
    assert state.apply({"Event": "UserEvent", "UserEvent": "IvrCallbackResult",
                        "CallbackId": "42", "DialStatus": "ANSWER"}, now=9.0) == []


def test_starting_a_callback_twice_is_refused() -> None:
    state = QueueState()
    state.apply(caller_event("UserEvent", UserEvent="IvrCallbackRequest"), now=0.0)
    state.start_callback(callback_id=1, interface="PJSIP/operator1", action_id="a")
    with pytest.raises(CallbackNotPending, match="dialing"):
        state.start_callback(callback_id=1, interface="PJSIP/operator2", action_id="b")
    assert state.callbacks[1].operator_interface == "PJSIP/operator1"


def test_a_known_event_with_a_value_that_does_not_convert_is_malformed() -> None:
    state = QueueState()
    with pytest.raises(MalformedEvent, match="QueueCallerJoin"):
        state.apply(caller_event("QueueCallerJoin", Position="first"), now=0.0)
    assert state.callers == {}
    state.apply(caller_event("QueueCallerJoin", Position="1"), now=0.0)
    before = dict(state.callers)
    with pytest.raises(MalformedEvent, match="QueueStatus"):
        state.resync([{"Event": "QueueEntry", "Queue": "operators-en", "Uniqueid": "2.2",
                       "Wait": "5"},
                      {"Event": "QueueEntry", "Queue": "operators-en", "Uniqueid": "3.3",
                       "Wait": "a while"}], now=9.0)
    assert state.callers == before  # all of a re-sync answer or none of it


def test_resync_keeps_known_context_and_rebuilds_wait_time() -> None:
    state = QueueState()
    state.apply(caller_event("QueueCallerJoin"), now=0.0)
    state.apply(caller_event("QueueCallerJoin", Uniqueid="gone.1"), now=0.0)
    entries = [
        {"Event": "QueueParams", "Queue": "operators-uk"},
        {"Event": "QueueMember", "Queue": "operators-uk", "Name": "Anna",
         "Location": "PJSIP/operator1", "Paused": "1", "InCall": "0"},
        {"Event": "QueueEntry", "Queue": "operators-uk", "Position": "1",
         "Channel": "PJSIP/caller-00000001", "Uniqueid": "1700000000.11",
         "CallerIDNum": "+420777123456", "CallerIDName": "Olena", "Wait": "30"},
        {"Event": "QueueEntry", "Queue": "operators-en", "Position": "1",
         "Channel": "PJSIP/caller-00000009", "Uniqueid": "new.9",
         "CallerIDNum": "+420600000009", "CallerIDName": "", "Wait": "4"},
    ]
    [resynced] = state.resync(entries, now=100.0)
    assert isinstance(resynced, Resynced) and resynced.callers == 2
    assert "gone.1" not in state.callers
    kept = state.callers["1700000000.11"]
    assert kept.context.office == "praha-cigankova" and kept.joined_at == 70.0
    new = state.callers["new.9"]
    assert new.context.language == "en" and new.context.office == ""
    assert [c.uniqueid for c in state.callers_missing_context()] == ["new.9"]
    update = state.set_context(uniqueid="new.9", variables={"IVR_OFFICE": "kladno"})
    assert update is not None and update.caller.context.office == "kladno"
    member = state.members[("operators-uk", "PJSIP/operator1")]
    assert member.paused and member.name == "Anna"


def test_figures_start_from_zero_after_local_midnight() -> None:
    state = QueueState(timezone="Europe/Prague")
    before_midnight = 1764284340.0  # 2025-11-27 23:59 in Prague (22:59 UTC)
    state.record_operator_booking(language="cs", now=before_midnight)
    state.apply(caller_event("QueueCallerJoin"), now=before_midnight + 30)
    state.apply(caller_event("QueueCallerAbandon"), now=before_midnight + 50)
    assert state.figures.as_dict()["abandoned"] == 1
    after_midnight = before_midnight + 120
    assert state.figures_today(now=after_midnight).as_dict()["bookings_by_channel"] == {
        "phone": 0, "operator": 0}
    assert state.figures.as_dict()["abandoned"] == 0
