"""The fake Asterisk answers like res_agi.c: checked without any socket."""

from __future__ import annotations

from tests.fakes.fake_asterisk import (
    AsteriskSimulator,
    HangUp,
    Press,
    Silence,
    agi_environment,
    split_arguments,
)


def test_split_arguments_like_parse_args() -> None:
    assert split_arguments('STREAM FILE "en/ivr/welcome" "12\\"3"') == [
        "STREAM",
        "FILE",
        "en/ivr/welcome",
        '12"3',
    ]
    assert split_arguments('SET VARIABLE X ""') == ["SET", "VARIABLE", "X", ""]


def test_stream_file_takes_a_key_only_when_it_is_an_escape_digit() -> None:
    simulator = AsteriskSimulator(caller=[Press("2"), Press("5")])
    assert simulator.handle('STREAM FILE "a" "13"') == ["200 result=0 endpos=16000"]
    assert simulator.handle('STREAM FILE "b" "12"') == ["200 result=50 endpos=8000"]
    assert simulator.handle("WAIT FOR DIGIT 3000") == ["200 result=53"]
    assert simulator.transcript.played == ["a", "b"]


def test_get_data_accumulates_keys_until_hash_or_maximum_and_keeps_typeahead() -> None:
    simulator = AsteriskSimulator(caller=[Press("123#4"), Press("56789"), Silence()])
    assert simulator.handle('GET DATA "p" 5000 10') == ["200 result=123"]
    assert simulator.handle('GET DATA "p" 5000 3') == ["200 result=456"]
    assert simulator.handle('GET DATA "p" 5000 10') == ["200 result=789 (timeout)"]


def test_get_data_hash_at_once_and_silence_at_once() -> None:
    simulator = AsteriskSimulator(caller=[Press("#"), Silence()])
    assert simulator.handle('GET DATA "p" 5000 4') == ["200 result="]
    assert simulator.handle('GET DATA "p" 5000 4') == ["200 result= (timeout)"]


def test_read_plays_until_a_key_then_collects_a_number_and_sets_readstatus() -> None:
    simulator = AsteriskSimulator(caller=[Silence(), Press("7"), Press("12#"), Press("34"),
                                          Silence(), HangUp()])
    variables = simulator.transcript.variables
    assert simulator.handle('EXEC Read "V,a&b,1"') == ["200 result=0"]  # silence after both
    assert (variables["V"], variables["READSTATUS"]) == ("", "TIMEOUT")
    assert simulator.handle('EXEC Read "V,a&b,1"') == ["200 result=0"]  # the key cut a
    assert (variables["V"], variables["READSTATUS"]) == ("7", "OK")
    simulator.handle('EXEC Read "V,c,20"')
    assert (variables["V"], variables["READSTATUS"]) == ("12", "OK")
    simulator.handle('EXEC Read "V,c,20"')  # digits, then silence
    assert (variables["V"], variables["READSTATUS"]) == ("34", "TIMEOUT")
    assert simulator.handle('EXEC Read "V,c,20"') == ["200 result=-1"]
    assert variables["READSTATUS"] == "HANGUP"
    assert simulator.transcript.played == ["a", "b", "a", "c", "c", "c"]


def test_hangup_during_a_command_gives_minus_one_then_511() -> None:
    simulator = AsteriskSimulator(caller=[HangUp()])
    assert simulator.handle('STREAM FILE "a" ""') == ["200 result=-1 endpos=4000"]
    assert simulator.take_hangup_notice()
    assert not simulator.take_hangup_notice()
    assert simulator.handle('GET DATA "p" 5000 4')[0].startswith("511 ")
    assert simulator.handle("SET VARIABLE IVR_RESULT hangup") == ["200 result=1"]
    assert simulator.transcript.caller_hung_up
    assert simulator.transcript.variables["IVR_RESULT"] == "hangup"


def test_hangup_between_commands_is_noticed_after_the_previous_reply() -> None:
    simulator = AsteriskSimulator(caller=[Press("1"), HangUp(between_commands=True)])
    assert simulator.handle("WAIT FOR DIGIT 1000") == ["200 result=49"]
    assert simulator.take_hangup_notice()
    assert simulator.handle("WAIT FOR DIGIT 1000")[0].startswith("511 ")


def test_exhausted_script_hangs_up_when_input_is_awaited() -> None:
    simulator = AsteriskSimulator(caller=[])
    assert simulator.handle('STREAM FILE "a" "1"') == ["200 result=0 endpos=16000"]
    assert simulator.handle("WAIT FOR DIGIT 1000") == ["200 result=-1"]
    assert simulator.transcript.caller_hung_up


def test_missing_file_is_minus_one_on_a_live_channel() -> None:
    simulator = AsteriskSimulator(caller=[Press("1")], sound_files={"present"})
    assert simulator.handle('STREAM FILE "absent" "1"') == ["200 result=-1 endpos=0"]
    assert not simulator.take_hangup_notice()
    assert simulator.handle("CHANNEL STATUS") == ["200 result=6"]
    assert simulator.handle('STREAM FILE "present" "1"') == ["200 result=49 endpos=8000"]


def test_variables_unknown_commands_and_usage_errors() -> None:
    simulator = AsteriskSimulator(caller=[], language="uk")
    assert simulator.handle('GET VARIABLE "CHANNEL(language)"') == ["200 result=1 (uk)"]
    assert simulator.handle('SET VARIABLE "CHANNEL(language)" "vi"') == ["200 result=1"]
    assert simulator.handle('GET VARIABLE "CHANNEL(language)"') == ["200 result=1 (vi)"]
    assert simulator.handle("GET VARIABLE NOPE") == ["200 result=0"]
    assert simulator.handle("FLY AWAY") == ["510 Invalid or unknown command"]
    assert simulator.handle("STREAM FILE") == [
        "520-Invalid command syntax.  Proper usage follows:",
        "Usage: STREAM FILE <filename> <escape_digits> [<sample offset>]",
        "520 End of proper usage.",
    ]
    assert simulator.transcript.set_variables == [("CHANNEL(language)", "vi")]


def test_agi_hangup_is_recorded() -> None:
    simulator = AsteriskSimulator(caller=[])
    assert simulator.handle("HANGUP") == ["200 result=1"]
    assert simulator.transcript.agi_hung_up
    assert simulator.take_hangup_notice()


def test_environment_block() -> None:
    block = agi_environment(
        network_script="booking?x=1", request="agi://h/booking?x=1", language="ru", args=["a"]
    )
    assert block.endswith(b"\n\n")
    assert b"agi_network_script: booking?x=1\n" in block
    assert b"agi_language: ru\n" in block
    assert b"agi_arg_1: a\n" in block
