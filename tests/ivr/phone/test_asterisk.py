"""The Asterisk side of the wire: command splitting as parse_args() does, replies byte for byte."""

from __future__ import annotations

import pytest

from ivr.agi.protocol import format_command, parse_reply_line
from ivr.phone import asterisk
from ivr.phone.errors import AgiSyntaxError


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('STREAM FILE "en/ivr/welcome" "12"\n', ["STREAM", "FILE", "en/ivr/welcome", "12"]),
        ('STREAM FILE "en/ivr/welcome" ""', ["STREAM", "FILE", "en/ivr/welcome", ""]),
        ("GET DATA en/ivr/passport-prompt 5000 20", ["GET", "DATA", "en/ivr/passport-prompt",
                                                     "5000", "20"]),
        ('SET VARIABLE "IVR_NOTE" "two words"', ["SET", "VARIABLE", "IVR_NOTE", "two words"]),
        ('VERBOSE "say \\"hi\\" \\\\ ok" 1', ["VERBOSE", 'say "hi" \\ ok', "1"]),
        ("WAIT  FOR\tDIGIT   3000", ["WAIT", "FOR", "DIGIT", "3000"]),
    ],
)
def test_split_arguments_reads_lines_as_asterisk_does(line: str, words: list[str]) -> None:
    assert asterisk.split_arguments(line) == words


def test_split_arguments_reads_back_what_the_transport_quotes() -> None:
    value = 'a "quoted" \\ value'
    line = format_command("SET", "VARIABLE", quoted=("IVR_X", value)).decode()
    assert asterisk.split_arguments(line) == ["SET", "VARIABLE", "IVR_X", value]


def test_an_unterminated_quote_is_a_syntax_error() -> None:
    with pytest.raises(AgiSyntaxError):
        asterisk.split_arguments('STREAM FILE "en/ivr/welcome')


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["get", "full", "variable", "${X}"], ("GET FULL VARIABLE", ["${X}"])),
        (["GET", "VARIABLE", "X"], ("GET VARIABLE", ["X"])),
        (["CONTROL", "STREAM", "FILE", "f", ""], ("CONTROL STREAM FILE", ["f", ""])),
        (["ANSWER"], ("ANSWER", [])),
        (["RECORD", "FILE", "x"], None),
        (["GET"], None),
    ],
)
def test_match_command(words: list[str], expected: tuple[str, list[str]] | None) -> None:
    assert asterisk.match_command(words) == expected


def test_replies_are_the_forms_of_res_agi() -> None:
    assert asterisk.reply(49, endpos=1234) == b"200 result=49 endpos=1234\n"
    assert asterisk.reply(1, data="en") == b"200 result=1 (en)\n"
    assert asterisk.reply(-1) == b"200 result=-1\n"
    assert asterisk.digits_reply("123", timed_out=True) == b"200 result=123 (timeout)\n"
    assert asterisk.digits_reply("", timed_out=True) == b"200 result= (timeout)\n"
    assert asterisk.digits_reply("42", timed_out=False) == b"200 result=42\n"
    assert asterisk.key_code("1") == 49
    assert asterisk.key_code("#") == 35


def test_replies_parse_with_the_servers_parser() -> None:
    parsed = parse_reply_line(asterisk.digits_reply("12", timed_out=True).decode().rstrip("\n"))
    assert (parsed.code, parsed.result, parsed.data) == (200, "12", "timeout")
    parsed = parse_reply_line(asterisk.reply(50, endpos=800).decode().rstrip("\n"))
    assert (parsed.result_int, parsed.endpos) == (50, 800)


def test_usage_error_is_a_multi_line_520_block() -> None:
    block = asterisk.usage_error(" Usage: WAIT FOR DIGIT <timeout>").decode()
    lines = block.splitlines()
    assert lines[0].startswith("520-Invalid command syntax.")
    assert lines[-1] == "520 End of proper usage."
    assert block.endswith("\n")


def test_environment_block_ends_with_a_blank_line() -> None:
    block = asterisk.environment_block({"agi_network": "yes", "agi_callerid": "+420777123456"})
    assert block == b"agi_network: yes\nagi_callerid: +420777123456\n\n"
