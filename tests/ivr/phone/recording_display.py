"""A PhoneDisplay that records what the phone would show, for assertions."""

from __future__ import annotations

from ivr.phone.library import PromptInfo
from ivr.phone.record import CallRecord


class RecordingDisplay:
    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []
        self.ended: CallRecord | None = None

    def call_started(self, *, host: str, port: int, caller_number: str) -> None:
        self.events.append(("call", caller_number))

    def prompt(self, prompt: PromptInfo, *, escape_digits: str) -> None:
        self.events.append(("prompt", prompt.language or "", prompt.prompt_id, prompt.text or ""))

    def prompt_missing(self, file_name: str) -> None:
        self.events.append(("missing", file_name))

    def collecting(self, *, max_digits: int, timeout_seconds: float) -> None:
        self.events.append(("collecting", str(max_digits)))

    def key(self, key: str) -> None:
        self.events.append(("key", key))

    def key_dropped(self, key: str) -> None:
        self.events.append(("dropped", key))

    def variable(self, name: str, value: str) -> None:
        self.events.append(("variable", name, value))

    def note(self, message: str) -> None:
        self.events.append(("note", message))

    def call_ended(self, record: CallRecord) -> None:
        self.ended = record

    def of_kind(self, kind: str) -> list[tuple[str, ...]]:
        return [event for event in self.events if event[0] == kind]
