"""How the terminal phone shows a call: the prompt texts, the keys, the variables, the result.

:class:`PhoneDisplay` is what the call talks to; tests inject a recorder, the terminal gets
:class:`RichDisplay` (rich, already a dependency through typer). The flow speaks a sentence as
several prompt files (a menu sentence, then fragments for a date or a reference), so the
display prints a prompt's text at once, while it plays, and keeps the line open until a text
ends a sentence or something else happens; the keys a caller presses share one line too.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ivr.phone.library import PromptInfo
from ivr.phone.record import CallRecord

SENTENCE_ENDINGS = (".", "?", "!", ":", "…")


class PhoneDisplay(Protocol):
    def call_started(self, *, host: str, port: int, caller_number: str) -> None: ...

    def prompt(self, prompt: PromptInfo, *, escape_digits: str) -> None: ...

    def prompt_missing(self, file_name: str) -> None: ...

    def collecting(self, *, max_digits: int, timeout_seconds: float) -> None: ...

    def key(self, key: str) -> None: ...

    def key_dropped(self, key: str) -> None: ...

    def variable(self, name: str, value: str) -> None: ...

    def note(self, message: str) -> None: ...

    def call_ended(self, record: CallRecord) -> None: ...


class RichDisplay:
    def __init__(self, console: Console) -> None:
        self._console = console
        self._open: str | None = None  # "prompt" or "keys" while a line is being continued
        self._line_language: str | None = None
        self._line_ids: list[str] = []
        self._line_escape_digits = ""
        self._line_comma = False

    def call_started(self, *, host: str, port: int, caller_number: str) -> None:
        self._close_line()
        self._console.rule(f"[bold]☎  calling {escape(host)}:{port} from {escape(caller_number)}")
        self._console.print(
            "[dim]keys: 0-9 * #   Enter = say nothing   q or Ctrl-C = hang up[/dim]"
        )

    def prompt(self, prompt: PromptInfo, *, escape_digits: str) -> None:
        text = escape(prompt.text) if prompt.text else f"[italic]{escape(prompt.file_name)}[/]"
        starts_sentence = self._line_comma and (prompt.text or "")[:1].isupper()
        if self._open != "prompt" or self._line_language != prompt.language or starts_sentence:
            self._close_line()
            language = f"[magenta]{prompt.language}[/magenta] " if prompt.language else ""
            self._console.print(f"🔊 {language}", end="")
            self._open = "prompt"
            self._line_language = prompt.language
        self._console.print(f"[bold]{text}[/bold]", end=" ")
        self._line_ids.append(prompt.prompt_id)
        self._line_escape_digits = escape_digits
        self._line_comma = (prompt.text or "").rstrip().endswith(",")
        if prompt.text is None or prompt.text.rstrip().endswith(SENTENCE_ENDINGS):
            self._close_line()

    def prompt_missing(self, file_name: str) -> None:
        self._close_line()
        self._console.print(f"[red]✗ no such prompt: {escape(file_name)}[/red]")

    def collecting(self, *, max_digits: int, timeout_seconds: float) -> None:
        self._close_line()
        self._console.print(f"[dim]   … your turn ({timeout_seconds:g} s)[/dim]")

    def key(self, key: str) -> None:
        if self._open != "keys":
            self._close_line()
            self._console.print("   ", end="")
            self._open = "keys"
        self._console.print(f"[bold cyan]▶ {escape(key)}[/bold cyan]", end=" ")

    def key_dropped(self, key: str) -> None:
        self._close_line()
        self._console.print(f"   [dim]{escape(key)} is not a choice here: dropped[/dim]")

    def variable(self, name: str, value: str) -> None:
        self._close_line()
        self._console.print(f"   [dim]· {escape(name)} = {escape(value)}[/dim]")

    def note(self, message: str) -> None:
        self._close_line()
        self._console.print(f"   [yellow]{escape(message)}[/yellow]")

    def call_ended(self, record: CallRecord) -> None:
        self._close_line()
        table = Table(title="call ended", show_header=False)
        for name, value in record.ivr_variables.items():
            table.add_row(name, value)
        if not record.ivr_variables:
            table.add_row("IVR_RESULT", "(not set)")
        if record.caller_hung_up:
            table.add_row("caller", "hung up")
        self._console.print(table)

    def _close_line(self) -> None:
        if self._open == "prompt":
            shown = self._line_ids[0] + (
                f" +{len(self._line_ids) - 1}" if len(self._line_ids) > 1 else ""
            )
            keys = f" · keys {escape(self._line_escape_digits)}" if self._line_escape_digits else ""
            self._console.print(f"[dim]({escape(shown)}){keys}[/dim]")
        elif self._open == "keys":
            self._console.print()
        self._open = None
        self._line_language = None
        self._line_ids = []
        self._line_escape_digits = ""
        self._line_comma = False
