"""bench.callers.caller: a caller reacts to the prompts it hears, at its pace, on the timed fake
Asterisk's clock. Menus are played here command by command as the flow plays them (STREAM FILE
for every prompt but the last, GET DATA for the last), without a server; every prompt lasts
1 s, so the arithmetic of the timings can be checked by hand."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date

import pytest

from bench.callers.caller import PACES, Caller, Goal, Intent, Pace, passport_keys
from bench.callers.hearing import LetterRule
from prompts.catalog import load_catalog
from tests.fakes.timed_asterisk import TimedAsteriskSimulator

CATALOG = load_catalog()
TEXTS: Mapping[str, Mapping[str, str]] = CATALOG.texts
DURATIONS = {f"{language}/ivr/{prompt_id}": 1.0
             for prompt_id in CATALOG.ids for language in CATALOG.languages}
OFFICE_MENU_ESCAPES = "12340*"
PRAGUE_OFFICES = ("praha-zukovskeho", "praha-cigankova", "praha-kolbenova", "praha-hladkov")


def intent(**changes: object) -> Intent:
    base = Intent(index=0, number="+420700000001", language="en", goal=Goal.BOOK,
                  region="praha", office="praha-cigankova", visit_type="ltr-new",
                  passport="12345678", birth_date=date(1985, 3, 15), offer_choice="accept",
                  pace="first-timer", kind="first-timer", seed=1)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def fixed_paces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paces without randomness: reactions and digit gaps of one value."""
    for name, pace in {
        "t-first": Pace("t-first", False, True, (1.0, 1.0), (0.5, 0.5)),
        "t-expert": Pace("t-expert", True, False, (0.4, 0.4), (0.3, 0.3)),
        "t-slow": Pace("t-slow", False, True, (5.5, 5.5), (1.0, 1.0)),
        "t-fast": Pace("t-fast", False, False, (0.2, 0.2), (0.15, 0.15)),
    }.items():
        monkeypatch.setitem(PACES, name, pace)


def play(caller: Caller, commands: list[str], *, texts: Mapping[str, Mapping[str, str]] = TEXTS,
         gap_s: float = 0.001) -> tuple[TimedAsteriskSimulator, list[str]]:
    simulator = TimedAsteriskSimulator(listener=caller, durations=DURATIONS)
    replies = [simulator.handle(command, gap_s)[0] for command in commands]
    return simulator, replies


def office_menu(language: str = "en", *, last: str = "GET DATA {} 5000 1") -> list[str]:
    commands = [f'STREAM FILE {language}/ivr/office-menu "{OFFICE_MENU_ESCAPES}"']
    for number, code in enumerate(PRAGUE_OFFICES, start=1):
        commands.append(f'STREAM FILE {language}/ivr/office-{code} "{OFFICE_MENU_ESCAPES}"')
        commands.append(f'STREAM FILE {language}/ivr/option-{number} "{OFFICE_MENU_ESCAPES}"')
    commands[-1] = last.format(f"{language}/ivr/option-4")
    return commands


def test_a_first_timer_waits_for_the_whole_menu_then_presses_its_office(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-first"), texts=TEXTS)
    simulator, replies = play(caller, office_menu())
    assert replies[:-1] == [reply for reply in replies[:-1] if "result=0 " in reply]
    assert replies[-1] == "200 result=2"
    # the menu ended at 9 s; the key 1 s later
    assert simulator.now == pytest.approx(9.0 + 1.0, abs=0.02)


def test_an_expert_keys_ahead_into_the_prompts_still_playing(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-expert"), texts=TEXTS)
    simulator, replies = play(caller, office_menu()[:5])
    # office-menu 0-1 s, Žukovského 1-2, one 2-3, Cigánkova 3-4, "two" starts at 4 s:
    # the expert knows its words at once and presses 0.4 s later, stopping "two"
    assert replies[4].startswith("200 result=50 ")
    assert simulator.now == pytest.approx(4.4, abs=0.02)


def test_a_slow_caller_presses_into_the_reprompt_after_the_menu_timed_out(
        fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-slow"), texts=TEXTS)
    menu = office_menu()
    simulator, replies = play(caller, [*menu, 'STREAM FILE en/ivr/no-input "12340*"'])
    assert replies[len(menu) - 1] == "200 result= (timeout)"  # 5 s of silence after 9 s
    assert replies[len(menu)].startswith("200 result=50 ")  # "Sorry…" stopped at 14.5 s
    assert simulator.now == pytest.approx(9.0 + 5.5, abs=0.02)


def test_digits_typed_while_the_server_is_busy_between_two_commands_are_lost(
        fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-fast", passport="12345"), texts=TEXTS)
    simulator = TimedAsteriskSimulator(listener=caller, durations=DURATIONS)
    assert simulator.handle("GET DATA en/ivr/passport-prompt 8000 1", 0.001)[0] == "200 result=1"
    # the fast typist types a digit every 150 ms; the server takes 200 ms to ask for the next
    assert simulator.handle("WAIT FOR DIGIT 3000", 0.2)[0] == "200 result=51"
    lost = [(key.key, key.reason) for key in simulator.transcript.lost_keys]
    assert lost == [("2", "between-commands")]


def test_passport_keys_follow_what_the_prompt_says_about_letters() -> None:
    assert passport_keys("FE123456", LetterRule.UNSPECIFIED, 0.2) == "123456"
    assert passport_keys("FE123456", LetterRule.UNSPECIFIED, 0.5) == "33123456"
    assert passport_keys("FE123456", LetterRule.UNSPECIFIED, 0.9) is None  # asks for an operator
    assert passport_keys("FE123456", LetterRule.SKIP, 0.5) == "123456"
    assert passport_keys("FE123456", LetterRule.SKIP, 0.95) == "33123456"  # habit
    assert passport_keys("12345678", LetterRule.UNSPECIFIED, 0.9) == "12345678"


SKIP_LETTERS_UK = "Введіть лише цифри номера паспорта, літери пропустіть, потім натисніть решітку."
SILENT_ON_LETTERS_UK = "Введіть номер паспорта, потім натисніть решітку."  # the text of 8dd8b90


@pytest.mark.parametrize(("habit", "told_nothing", "told_to_skip"), [
    (0.5, "33123456#", "123456#"),
    (0.2, "123456#", "123456#"),
    (0.95, "0", "33123456#"),
])
def test_a_caller_with_letters_keys_what_the_prompt_it_hears_tells_it(
        fixed_paces: None, habit: float, told_nothing: str, told_to_skip: str) -> None:
    def with_uk(text: str) -> dict[str, dict[str, str]]:
        return {**TEXTS, "passport-prompt": {**TEXTS["passport-prompt"], "uk": text}}

    for texts, expected in ((with_uk(SILENT_ON_LETTERS_UK), told_nothing),
                            (with_uk(SKIP_LETTERS_UK), told_to_skip)):
        caller = Caller(intent(language="uk", passport="FE123456", letter_habit=habit,
                               pace="t-expert"), texts=texts)
        play(caller, ["GET DATA uk/ivr/passport-prompt 8000 1"])
        assert caller.plans[-1].keys == expected


def test_a_fast_typist_who_starts_before_the_end_never_hears_the_hash(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-fast"), texts=TEXTS)
    play(caller, ["GET DATA en/ivr/passport-prompt 8000 1"])
    assert caller.plans[-1].keys == "12345678"  # "…, then press hash" was cut short
    first_timer = Caller(intent(pace="t-first"), texts=TEXTS)
    play(first_timer, ["GET DATA en/ivr/passport-prompt 8000 1"])
    assert first_timer.plans[-1].keys == "12345678#"


def test_a_menu_without_the_callers_name_gets_silence_and_a_note(fixed_paces: None) -> None:
    renamed = {**TEXTS, "region-menu": {**TEXTS["region-menu"],
                                        "en": "For the capital, press one. Elsewhere, two."}}
    caller = Caller(intent(pace="t-first"), texts=renamed)
    _, replies = play(caller, ['GET DATA en/ivr/region-menu 5000 1'], texts=renamed)
    assert replies == ["200 result= (timeout)"]
    assert "did not find its choice in the region menu" in caller.notes


def test_a_read_back_that_differs_from_what_was_keyed_is_entered_again(
        fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-first", passport="123"), texts=TEXTS)
    spoken = ["readback-passport", "digit-1", "digit-2-final", "readback-birthdate",
              "date-month-3", "date-day-15", "year-century-19", "year-tens-8", "year-unit-5"]
    commands = ["GET DATA en/ivr/passport-prompt 8000 1", "WAIT FOR DIGIT 3000",
                "WAIT FOR DIGIT 3000", "WAIT FOR DIGIT 3000",
                "GET DATA en/ivr/birthdate-prompt 8000 8",
                *(f'STREAM FILE en/ivr/{prompt} "120*"' for prompt in spoken),
                "GET DATA en/ivr/confirm-menu 5000 1"]
    _, replies = play(caller, commands)
    assert replies[4] == "200 result=15031985"
    assert replies[-1] == "200 result=2"  # heard 1 2, keyed 1 2 3: enter it again
    assert any("differs" in note for note in caller.notes)


def test_the_accepted_offer_is_what_the_caller_heard(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-first"), texts=TEXTS)
    offer = ["slot-offer", "weekday-wednesday", "date-month-12", "date-day-2", "time-hour-9",
             "time-minute-tens-3", "time-am", "slot-offer-office", "office-praha-cigankova"]
    _, replies = play(caller, [*(f'STREAM FILE en/ivr/{p} "1230*"' for p in offer),
                               "GET DATA en/ivr/slot-menu 5000 1"])
    assert replies[-1] == "200 result=1"
    accepted = caller.accepted_offer
    assert accepted is not None and accepted.office == "praha-cigankova"
    assert (accepted.weekday, accepted.day.month if accepted.day else None,
            accepted.at.hour if accepted.at else None) == (3, 12, 9)


def test_a_caller_who_hangs_up_mid_call_does_so_at_its_prompt(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-first", hangs_up_at=2, hangs_up_delay_s=0.5), texts=TEXTS)
    _, replies = play(caller, ['STREAM FILE en/ivr/office-menu "1"',
                               'STREAM FILE en/ivr/office-praha-zukovskeho "1"'])
    assert replies[1] == "200 result=-1 endpos=4000"
    assert caller.hung_up


def test_a_wrong_key_is_one_no_prompt_offered_and_only_at_its_choice(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-first", incident="wrong-key", incident_at=1), texts=TEXTS)
    _, replies = play(caller, [*office_menu(), *office_menu()])
    assert replies[len(office_menu()) - 1] == "200 result=9"
    assert replies[-1] == "200 result=2"


def test_a_wrong_key_at_the_read_back_is_none_of_its_menus_keys(fixed_paces: None) -> None:
    caller = Caller(intent(pace="t-first", passport="1234567890", incident="wrong-key",
                           incident_at=1), texts=TEXTS)
    caller.typed_passport, caller.typed_birth_date = "1234567890", "15031985"
    digits = [f"digit-{d}" for d in "123456789"] + ["digit-0-final"]
    spoken = ["readback-passport", *digits, "readback-birthdate", "date-month-3",
              "date-day-15", "year-century-19", "year-tens-8", "year-unit-5"]
    _, replies = play(caller, [*(f'STREAM FILE en/ivr/{p} "120*"' for p in spoken),
                               "GET DATA en/ivr/confirm-menu 5000 1"])
    assert replies[-1] == "200 result=9"  # every digit was read back, none was offered


def letters_call(*, readback_letters: bool) -> tuple[Caller, list[str]]:
    """A Ukrainian caller who keys FE123456's letters as 33 (its habit, though told to skip
    them), then hears the read-back of what it keyed, with or without readback-letters, as one
    Read of the flow's prompts; then the passport prompt again."""
    caller = Caller(intent(language="uk", passport="FE123456", letter_habit=0.95,
                           pace="t-first", birth_date=date(1985, 3, 15)), texts=TEXTS)
    spoken = ["readback-passport", "digit-3", "digit-3", "digit-1", "digit-2", "digit-3",
              "digit-4", "digit-5", "digit-6-final", "readback-birthdate", "date-day-15",
              "date-month-3", "year-century-19", "year-tens-8", "year-unit-5",
              *(["readback-letters"] if readback_letters else []), "confirm-menu"]
    read = "&".join(f"uk/ivr/{prompt}" for prompt in spoken)
    play(caller, ['EXEC Read "IVR_READ,uk/ivr/passport-prompt,20"',
                               'EXEC Read "IVR_READ,uk/ivr/birthdate-prompt,8"',
                               f'EXEC Read "IVR_READ,{read},1"',
                               'EXEC Read "IVR_READ,uk/ivr/passport-prompt,20"'])
    keyed = [plan.keys for plan in caller.plans if plan.keys]  # not its hang-up at 15 minutes
    return caller, keyed


def test_a_caller_who_keyed_the_letters_keys_enters_the_digits_when_the_read_back_says_so(
        fixed_paces: None) -> None:
    caller, keyed = letters_call(readback_letters=True)
    assert keyed[:2] == ["33123456#", "15031985"]
    assert keyed[2] == "2", "told that letters are left out: enter it again"
    assert keyed[3] == "123456#", "the second time, the digits only"
    assert any("letters are left out" in note for note in caller.notes)


def test_without_the_reminder_the_caller_confirms_what_it_keyed(fixed_paces: None) -> None:
    _, keyed = letters_call(readback_letters=False)
    # heard what it keyed, so it confirms it (a wrong identity); the passport prompt played
    # after is not asked again by the flow in a real call
    assert keyed[:3] == ["33123456#", "15031985", "1"]
