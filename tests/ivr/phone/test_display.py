"""The rich display: fragments of one sentence share a line, keys share a line, the result
table lists the IVR_* variables."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from ivr.phone.display import RichDisplay
from ivr.phone.library import PromptInfo
from ivr.phone.record import CallRecord


def prompt(prompt_id: str, text: str | None, language: str = "en") -> PromptInfo:
    return PromptInfo(
        file_name=f"{language}/ivr/{prompt_id}",
        language=language,
        prompt_id=prompt_id,
        text=text,
        audio_path=None,
        seconds=0,
    )


def rendered(actions: list[tuple[str, object]]) -> list[str]:
    console = Console(record=True, width=300, color_system=None)
    display = RichDisplay(console)
    for name, argument in actions:
        if name == "prompt":
            assert isinstance(argument, PromptInfo)
            display.prompt(argument, escape_digits="12")
        elif name == "key":
            display.key(str(argument))
        elif name == "variable":
            display.variable("IVR_RESULT", str(argument))
        elif name == "ended":
            assert isinstance(argument, CallRecord)
            display.call_ended(argument)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_fragments_of_a_sentence_share_a_line() -> None:
    lines = rendered(
        [
            ("prompt", prompt("slot-offer", "The earliest free appointment is")),
            ("prompt", prompt("weekday-monday", "Monday,")),
            ("prompt", prompt("hour-9", "at nine.")),
            ("prompt", prompt("slot-menu", "To book it, press one.")),
        ]
    )
    assert lines == [
        "🔊 en The earliest free appointment is Monday, at nine. (slot-offer +2) · keys 12",
        "🔊 en To book it, press one. (slot-menu) · keys 12",
    ]


def test_a_new_sentence_after_a_comma_starts_a_line_and_keys_share_one() -> None:
    lines = rendered(
        [
            ("prompt", prompt("digit-1-final", "one,")),
            ("prompt", prompt("reference-again", "Once again, your reference is")),
            ("key", "4"),
            ("key", "2"),
            ("variable", "booked"),
        ]
    )
    assert lines[0].startswith("🔊 en one, (digit-1-final)")
    assert lines[1].startswith("🔊 en Once again, your reference is (reference-again)")
    assert lines[2].strip() == "▶ 4 ▶ 2"
    assert lines[3].strip() == "· IVR_RESULT = booked"


def test_the_result_table(tmp_path: Path) -> None:
    record = CallRecord(caller_number="+420777123456")
    record.variables = {"IVR_RESULT": "fallout", "IVR_FALLOUT_REASON": "no-slots", "X": "1"}
    record.caller_hung_up = True
    text = "\n".join(rendered([("ended", record)]))
    assert "IVR_FALLOUT_REASON" in text and "no-slots" in text
    assert "X" not in text.replace("IVR_", "")
    assert "hung up" in text
