from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.ivr.console.harness import (
    INTERFACE,
    OPERATOR,
    PASSWORD,
    ConsoleStack,
    console_stack,
    push_operator_answers,
    push_waiting_caller,
    served,
)


async def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


@pytest.fixture
async def stack(postgres_server: str, today_template: str) -> AsyncIterator[ConsoleStack]:
    async with console_stack(postgres_server, today_template) as ready:
        yield ready


@asynccontextmanager
async def logged_in(stack: ConsoleStack) -> AsyncIterator[httpx.AsyncClient]:
    async with stack.console_client() as client:
        response = await client.post(
            "/api/login", json={"username": OPERATOR, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        yield client


async def test_everything_but_login_needs_a_session(stack: ConsoleStack) -> None:
    async with stack.console_client() as client:
        for path in ("/api/me", "/api/state", "/api/offices", "/api/events"):
            response = await client.get(path)
            assert response.status_code == 401 and response.json()["error_id"] == "unauthorized"
        wrong = await client.post("/api/login", json={"username": OPERATOR, "password": "nope"})
        assert wrong.status_code == 401
        unknown = await client.post("/api/login", json={"username": "eve", "password": "x"})
        assert unknown.status_code == 401
        accented = await client.post("/api/login",
                                     json={"username": OPERATOR, "password": "heslo-žluťoučký"})
        assert accented.status_code == 401  # a non-ASCII password is wrong, not a crash
        page = await client.get("/")
        assert page.status_code == 200 and "login-form" in page.text


async def test_login_then_logout(stack: ConsoleStack) -> None:
    async with logged_in(stack) as client:
        me = (await client.get("/api/me")).json()
        assert me == {"username": OPERATOR, "interface": INTERFACE, "display_name": "Operator 1"}
        await client.post("/api/logout")
        assert (await client.get("/api/me")).status_code == 401


async def test_state_shows_waiting_callers_per_language_and_the_screen_pop(
    stack: ConsoleStack,
) -> None:
    join = await push_waiting_caller(stack.fake_ami)
    await wait_until(lambda: bool(stack.bridge.state.callers))
    async with logged_in(stack) as client:
        state = (await client.get("/api/state")).json()
        assert state["ami_connected"] is True
        [waiting] = state["queues"]["uk"]
        assert waiting["caller_number"] == "+420777123456"
        assert (waiting["office"], waiting["visit_type"]) == ("praha-zukovskeho", "ltr-new")
        assert waiting["fallout_reason"] == "no-slots"
        assert state["queues"]["cs"] == [] and state["my_call"] is None
        await push_operator_answers(stack.fake_ami, join)
        await wait_until(lambda: stack.bridge.state.connected_to(INTERFACE) is not None)
        state = (await client.get("/api/state")).json()
        assert state["my_call"]["uniqueid"] == "1764270000.7"
        assert state["my_call"]["language"] == "uk"
        assert state["queues"]["uk"] == []
        assert state["figures"]["answered_by_operator"] == 1


async def test_operator_books_the_earliest_slot_for_the_caller(stack: ConsoleStack) -> None:
    async with logged_in(stack) as client:
        offices = (await client.get("/api/offices")).json()
        zukovskeho = next(o for o in offices if o["code"] == "praha-zukovskeho")
        assert any(v["code"] == "ltr-new" for v in zukovskeho["visit_types"])
        slots = (await client.get("/api/slots", params={
            "office": "praha-zukovskeho", "visit_type": "ltr-new"})).json()
        assert 1 <= len(slots) <= stack.settings.earliest_slots
        assert [s["starts_at"] for s in slots] == sorted(s["starts_at"] for s in slots)
        response = await client.post("/api/bookings", json={
            "slot_id": slots[0]["slot_id"], "caller_number": "+420777123456",
            "language": "uk", "passport_digits": "12345678", "birth_date": "1990-04-01"})
        assert response.status_code == 201, response.text
        booking = response.json()
        assert booking["channel"] == "operator"
        state = (await client.get("/api/state")).json()
        assert state["figures"]["bookings_by_channel"]["operator"] == 1
    async with stack.slot_service() as api:
        found = (await api.get("/bookings", params={"caller_number": "+420777123456"})).json()
    assert [b["reference"] for b in found] == [booking["reference"]]
    assert found[0]["channel"] == "operator"


async def test_a_refused_booking_is_a_conflict_with_the_service_error_id(
    stack: ConsoleStack,
) -> None:
    async with logged_in(stack) as client:
        response = await client.post("/api/bookings", json={
            "slot_id": 999999999, "caller_number": "+420777123456", "language": "en",
            "passport_digits": "12345678", "birth_date": "1990-04-01"})
    assert response.status_code == 409
    assert response.json()["error_id"] == "slot-not-found"


async def test_pause_and_resume_go_to_asterisk(stack: ConsoleStack) -> None:
    async with logged_in(stack) as client:
        assert (await client.post("/api/pause", json={"paused": True, "reason": "lunch"})).json()
        assert (await client.post("/api/pause", json={"paused": False})).status_code == 200
    first, second = stack.fake_ami.actions("QueuePause")
    assert (first["Interface"], first["Paused"], first["Reason"]) == (INTERFACE, "true", "lunch")
    assert second["Paused"] == "false"


async def test_pause_without_asterisk_is_unavailable(
    postgres_server: str, today_template: str
) -> None:
    stack_without_bridge = console_stack(postgres_server, today_template, run_bridge=False)
    async with stack_without_bridge as stack, logged_in(stack) as client:
        response = await client.post("/api/pause", json={"paused": True})
    assert response.status_code == 503 and response.json()["error_id"] == "ami-unavailable"


async def test_callbacks_are_listed_in_order_and_started_with_originate(
    stack: ConsoleStack,
) -> None:
    for number in ("+420777000001", "+420777000002"):
        await stack.fake_ami.push({
            "Event": "UserEvent", "UserEvent": "IvrCallbackRequest", "CallerIDNum": number,
            "Uniqueid": number, "Linkedid": number, "Queue": "operators-en",
            "ChanVariable": ["IVR_LANGUAGE=en", "IVR_OFFICE=kladno"]})
        await wait_until(lambda n=number: any(  # type: ignore[misc]
            c.caller_number == n for c in stack.bridge.state.callbacks.values()))
    async with logged_in(stack) as client:
        listed = (await client.get("/api/state")).json()["callbacks"]
        assert [c["caller_number"] for c in listed] == ["+420777000001", "+420777000002"]
        first = listed[0]["callback_id"]
        started = await client.post(f"/api/callbacks/{first}/start")
        assert started.json() == {"callback_id": first, "status": "dialing"}
        again = await client.post(f"/api/callbacks/{first}/start")
        assert again.status_code == 409 and again.json()["error_id"] == "callback-not-pending"
        assert (await client.post("/api/callbacks/77/start")).status_code == 404
        await wait_until(lambda: stack.bridge.state.callbacks[first].status.value == "answered")
        state = (await client.get("/api/state")).json()
    assert [c["caller_number"] for c in state["callbacks"]] == ["+420777000002"]
    assert state["recent_callbacks"][0]["outcome"] == "caller answer"
    [originate] = stack.fake_ami.actions("Originate")
    assert originate["Channel"] == INTERFACE and originate["Exten"] == "+420777000001"


async def test_server_sent_events_push_a_new_snapshot_on_change(stack: ConsoleStack) -> None:
    async with served(stack.console) as url, httpx.AsyncClient(base_url=url) as client:
        await client.post("/api/login", json={"username": OPERATOR, "password": PASSWORD})
        async with client.stream("GET", "/api/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            snapshots = []
            pushed = False
            async with asyncio.timeout(5):
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        snapshots.append(json.loads(line[len("data: "):]))
                        if not pushed:
                            await push_waiting_caller(stack.fake_ami, language="vi")
                            pushed = True
                        elif snapshots[-1]["queues"]["vi"]:
                            break
    assert snapshots[0]["queues"]["vi"] == []
    assert snapshots[-1]["queues"]["vi"][0]["caller_number"] == "+420777123456"
