"""What each state says: the menus' specs as actions, in the caller's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ivr.flow.actions import Ask, Play, Prompt
from ivr.flow.call import Call, FlowError, State
from ivr.flow.machine import Machine
from ivr.flow.menus import FLOW_PROMPT_IDS, SPECS, prompt_ids
from ivr.flow.settings import FlowSettings
from ivr.flow.spec import Menu
from ivr.flow.voice import MAX_MENU_OPTIONS, Voice, option_keys
from ivr.speech import speaker_for
from tests.ivr.flow.support import CALLER, STARTED_AT, office

VOICE = Voice(settings=FlowSettings(), speakers=speaker_for)
CALL = Call(state=State.OFFICE, call_id="c", caller_number=CALLER, started_at=STARTED_AT)


def menu(state: State) -> Menu:
    spec = SPECS[state]
    assert isinstance(spec, Menu)
    return spec


def test_a_region_with_more_offices_than_keys_offers_the_first_nine() -> None:
    offices = tuple(office(f"o{n}", "stredocesky", n) for n in range(12))
    call = replace(CALL, language="uk", offices=offices, region="stredocesky")
    (ask,) = VOICE.ask(call, menu(State.OFFICE))
    assert isinstance(ask, Ask)
    assert set(ask.keys) == set("123456789") | {"0", "*"}
    spoken = [prompt.id for prompt in ask.prompts]
    assert spoken[-2:] == ["office-o8", "option-9"]
    assert all(prompt.language == "uk" for prompt in ask.prompts)


def test_a_slot_time_is_spoken_in_prague_time() -> None:
    in_utc = datetime.fromisoformat("2026-07-01T07:30:00+00:00")  # 09:30 in Prague (CEST)
    spoken = [prompt.id for prompt in VOICE.when(replace(CALL, language="en"), in_utc)]
    expected = speaker_for("en").slot(datetime.fromisoformat("2026-07-01T09:30:00+02:00"))
    assert spoken == expected


def test_a_number_entry_after_an_apology_plays_it_first_without_interruption() -> None:
    call = replace(CALL, state=State.PASSPORT, language="vi")
    apology = (Prompt("invalid-input", "vi"),)
    play, ask = VOICE.ask(call, menu(State.PASSPORT), apology)
    assert play == Play(apology)
    assert isinstance(ask, Ask) and ask.prompts == (Prompt("passport-prompt", "vi"),)
    assert ask.max_digits == FlowSettings().passport_max_digits


def test_keys_help_comes_right_before_the_menus_own_prompts() -> None:
    call = replace(CALL, state=State.PASSPORT, language="ru")
    apology = (Prompt("invalid-input", "ru"),)
    play, ask = VOICE.ask(call, menu(State.PASSPORT), apology, explain=True)
    assert play == Play(apology)  # the apology is not interruptible, the help is
    assert isinstance(ask, Ask)
    assert [p.id for p in ask.prompts] == ["keys-help", "passport-prompt"]
    (region,) = VOICE.ask(replace(call, state=State.REGION), menu(State.REGION), apology,
                          explain=True)
    assert isinstance(region, Ask)
    assert [p.id for p in region.prompts] == ["invalid-input", "keys-help", "region-menu"]


def test_a_waiting_state_asks_nothing() -> None:
    flow = Machine(settings=FlowSettings(), speakers=speaker_for)
    with pytest.raises(FlowError, match="asks nothing"):
        flow.enter(CALL, State.SEARCHING)
    with pytest.raises(FlowError, match="waits for nothing"):
        flow.wait(CALL, State.REGION)


def test_option_keys() -> None:
    assert option_keys(["a", "b", "c"]) == "123"
    assert option_keys([str(n) for n in range(15)]) == "123456789"
    assert MAX_MENU_OPTIONS == 9


def test_prompt_ids_name_the_offices_and_visit_types_given() -> None:
    ids = prompt_ids(office_codes=["kladno"], visit_type_codes=["biometrics"])
    assert ids == set(FLOW_PROMPT_IDS) | {"office-kladno", "visit-biometrics"}
    assert "option-9" in ids and "option-10" not in ids
