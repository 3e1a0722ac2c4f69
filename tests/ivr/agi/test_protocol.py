"""Byte-level tests of the sans-IO AGI parser: every reply form Asterisk's res_agi.c sends."""

from __future__ import annotations

import pytest

from ivr.agi.errors import AgiProtocolError
from ivr.agi.protocol import (
    MAX_LINE_BYTES,
    NEED_DATA,
    AgiEvent,
    AgiParser,
    AgiReply,
    EnvironmentReceived,
    HangupReceived,
    NeedData,
    ReplyReceived,
    command_line,
    format_command,
    parse_reply_line,
    quote_argument,
)

ENVIRONMENT = (
    b"agi_network: yes\n"
    b"agi_network_script: booking?lang=en&x=1\n"
    b"agi_request: agi://127.0.0.1/booking?lang=en&x=1\n"
    b"agi_channel: PJSIP/alice-00000001\n"
    b"agi_language: cs\n"
    b"agi_uniqueid: 1764270000.7\n"
    b"agi_callerid: +420777123456\n"
    b"agi_calleridname: Ji\xc5\x99\xc3\xad\n"
    b"agi_dnid: 2000\n"
    b"agi_context: ivr-booking\n"
    b"agi_extension: s\n"
    b"agi_arg_2: second\n"
    b"agi_arg_1: first\n"
    b"\n"
)


def events(parser: AgiParser) -> list[AgiEvent]:
    collected: list[AgiEvent] = []
    while not isinstance(event := parser.next_event(), NeedData):
        collected.append(event)
    return collected


def parser_after_environment() -> AgiParser:
    parser = AgiParser()
    parser.feed(ENVIRONMENT)
    assert isinstance(parser.next_event(), EnvironmentReceived)
    return parser


def replies(data: bytes) -> list[AgiEvent]:
    parser = parser_after_environment()
    parser.feed(data)
    return events(parser)


def test_environment_block_is_parsed_into_typed_fields() -> None:
    parser = AgiParser()
    parser.feed(ENVIRONMENT)
    [event] = events(parser)
    assert isinstance(event, EnvironmentReceived)
    env = event.env
    assert env.script == "booking"
    assert env.query == {"lang": "en", "x": "1"}
    assert env.channel == "PJSIP/alice-00000001"
    assert env.language == "cs"
    assert env.uniqueid == "1764270000.7"
    assert env.caller_number == "+420777123456"
    assert env.calleridname == "Jiří"
    assert env.args == ("first", "second")
    assert env.raw["agi_network"] == "yes"


def test_environment_split_at_every_byte_gives_the_same_result() -> None:
    parser = AgiParser()
    for index in range(len(ENVIRONMENT)):
        assert parser.next_event() is NEED_DATA
        parser.feed(ENVIRONMENT[index : index + 1])
    [event] = events(parser)
    assert isinstance(event, EnvironmentReceived)
    assert event.env.calleridname == "Jiří"


def test_non_utf8_bytes_are_replaced_not_fatal() -> None:
    parser = AgiParser()
    parser.feed(b"agi_request: x\nagi_calleridname: Ji\xc5\n\n")
    [event] = events(parser)
    assert isinstance(event, EnvironmentReceived)
    assert event.env.calleridname == "Ji\ufffd"


@pytest.mark.parametrize(
    "garbage",
    [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"hello\n\n", b"\n", b"agi_channel: x\n\n"],
)
def test_environment_garbage_is_a_protocol_error(garbage: bytes) -> None:
    with pytest.raises(AgiProtocolError):
        AgiParser().feed(garbage)


def test_overlong_line_is_a_protocol_error() -> None:
    with pytest.raises(AgiProtocolError, match="longer"):
        AgiParser().feed(b"a" * (MAX_LINE_BYTES + 1))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"200 result=0\n", AgiReply(code=200, result="0", text="result=0")),
        (
            b"200 result=50 endpos=8000\n",
            AgiReply(code=200, result="50", endpos=8000, text="result=50 endpos=8000"),
        ),
        (
            b"200 result=1 (hello (world)) \n",
            AgiReply(code=200, result="1", data="hello (world)", text="result=1 (hello (world)) "),
        ),
        (
            b"200 result=12 (timeout)\n",
            AgiReply(code=200, result="12", data="timeout", text="result=12 (timeout)"),
        ),
        (
            b"200 result= (timeout)\n",
            AgiReply(code=200, result="", data="timeout", text="result= (timeout)"),
        ),
        (b"200 result=\n", AgiReply(code=200, result="", text="result=")),
        (b"200 result=-1\n", AgiReply(code=200, result="-1", text="result=-1")),
        (
            b"200 result=-1 endpos=0\n",
            AgiReply(code=200, result="-1", endpos=0, text="result=-1 endpos=0"),
        ),
        (
            b"200 result=1 (dtmf) endpos=2400\n",
            AgiReply(
                code=200, result="1", data="dtmf", endpos=2400, text="result=1 (dtmf) endpos=2400"
            ),
        ),
        (
            b"510 Invalid or unknown command\n",
            AgiReply(code=510, text="Invalid or unknown command"),
        ),
        (
            b"511 Command Not Permitted on a dead channel or intercept routine\n",
            AgiReply(code=511, text="Command Not Permitted on a dead channel or intercept routine"),
        ),
        (
            b"520 Usage not available.\n",
            AgiReply(code=520, text="Usage not available."),
        ),
    ],
)
def test_single_line_replies(line: bytes, expected: AgiReply) -> None:
    assert replies(line) == [ReplyReceived(expected)]


def test_reply_split_across_reads() -> None:
    parser = parser_after_environment()
    parser.feed(b"200 res")
    assert parser.next_event() is NEED_DATA
    parser.feed(b"ult=49 endp")
    assert parser.next_event() is NEED_DATA
    parser.feed(b"os=123\n200 result=1 (cs)\n")
    assert events(parser) == [
        ReplyReceived(AgiReply(code=200, result="49", endpos=123, text="result=49 endpos=123")),
        ReplyReceived(AgiReply(code=200, result="1", data="cs", text="result=1 (cs)")),
    ]


def test_multiline_520_is_one_reply_with_the_usage_text() -> None:
    data = (
        b"520-Invalid command syntax.  Proper usage follows:\n"
        b" Usage: STREAM FILE <filename> <escape_digits> [<sample offset>]\n"
        b" Send the given file.\n"
        b"520 End of proper usage.\n"
        b"200 result=0\n"
    )
    parser = parser_after_environment()
    for index in range(len(data)):
        parser.feed(data[index : index + 1])
    assert events(parser) == [
        ReplyReceived(
            AgiReply(
                code=520,
                text=" Usage: STREAM FILE <filename> <escape_digits> [<sample offset>]\n"
                " Send the given file.",
            )
        ),
        ReplyReceived(AgiReply(code=200, result="0", text="result=0")),
    ]


def test_hangup_before_the_reply_is_out_of_band() -> None:
    assert replies(b"HANGUP\n511 Command Not Permitted on a dead channel\n") == [
        HangupReceived(),
        ReplyReceived(AgiReply(code=511, text="Command Not Permitted on a dead channel")),
    ]


def test_hangup_after_a_minus_one_reply_does_not_shift_replies() -> None:
    assert replies(b"200 result=-1 endpos=0\nHANGUP\n200 result=1\n") == [
        ReplyReceived(AgiReply(code=200, result="-1", endpos=0, text="result=-1 endpos=0")),
        HangupReceived(),
        ReplyReceived(AgiReply(code=200, result="1", text="result=1")),
    ]


def test_bare_hangup_instead_of_a_reply() -> None:
    assert replies(b"HANGUP\n") == [HangupReceived()]


def test_100_trying_is_skipped() -> None:
    assert replies(b"100 result=0 Trying...\n200 result=0\n") == [
        ReplyReceived(AgiReply(code=200, result="0", text="result=0"))
    ]


@pytest.mark.parametrize("line", ["200 whatever", "2xx result=1", "ok", "200 result=1 (open"])
def test_garbage_reply_is_a_protocol_error(line: str) -> None:
    with pytest.raises(AgiProtocolError):
        parse_reply_line(line)


def test_result_int_refuses_a_non_number() -> None:
    with pytest.raises(AgiProtocolError):
        _ = AgiReply(code=200, result="").result_int


def test_quote_argument_escapes_quotes_and_backslashes() -> None:
    assert quote_argument('say "hi" \\ now') == '"say \\"hi\\" \\\\ now"'
    assert quote_argument("") == '""'


def test_line_breaks_cannot_be_injected() -> None:
    with pytest.raises(ValueError):
        quote_argument("x\nHANGUP")
    with pytest.raises(ValueError):
        format_command("STREAM FILE")


def test_format_command() -> None:
    assert format_command("GET", "DATA", quoted=("en/ivr/passport-prompt", "5000", "12")) == (
        b'GET DATA "en/ivr/passport-prompt" "5000" "12"\n'
    )


def test_command_line_quotes_only_the_arguments() -> None:
    assert command_line("WAIT FOR DIGIT 3000") == b"WAIT FOR DIGIT 3000\n"
    assert command_line("SET VARIABLE", "CHANNEL(language)", 'a "b"') == (
        b'SET VARIABLE "CHANNEL(language)" "a \\"b\\""\n'
    )
    with pytest.raises(ValueError):
        command_line("SET VARIABLE", "X", "1\r\nHANGUP")


@pytest.mark.parametrize(
    "line",
    [
        b"200 result=0",
        b"200 result=-1",
        b"200 result=12345678#",
        b"200 result=49 endpos=8000",
        b"200 result=0 endpos=0",
        b"200 result=-1 endpos=-5",
        b"200 result=12 (timeout)",
        b"200 result= (timeout)",
        b"200 result=",
        b"200 result=1 (hello world)",
        b"200 result=1 (cs)",
        b"200 result=1\x1c",
        b"200 result=0 endpos=12 ",
        b"200 result=x\xff endpos=3",
        b"200 result=0 endpos=\xd9\xa3",
    ],
)
@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_the_fast_path_of_a_single_reply_agrees_with_the_regex(line: bytes, ending: bytes) -> None:
    expected = parse_reply_line(line.decode("utf-8", errors="replace"))
    whole = AgiParser(expect_environment=False)
    whole.feed(line + ending)  # one read holding one reply: the bytes fast path
    split = AgiParser(expect_environment=False)
    split.feed(line[:5])  # the same reply in two reads: the line-by-line path
    split.feed(line[5:] + ending)
    assert whole.next_event() == split.next_event() == ReplyReceived(expected)


@pytest.mark.parametrize("line", [b"200 result=0  endpos=12\n", b"200 result=0 endpos=x\n"])
def test_the_fast_path_refuses_what_the_regex_refuses(line: bytes) -> None:
    with pytest.raises(AgiProtocolError):
        AgiParser(expect_environment=False).feed(line)
