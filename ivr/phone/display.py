"""How the terminal phone shows a call: the prompt texts, the keys, the variables, the result.

:class:`PhoneDisplay` is what the call talks to; tests inject a recorder, the terminal gets
:class:`RichDisplay` (rich, already a dependency through typer).
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ivr.phone.library import PromptInfo
from ivr.phone.record import CallRecord

LANGUAGE_NAMES = {
    "cs": "Čeština",
    "en": "English",
    "uk": "Українська",
    "ru": "Русский",
    "vi": "Tiếng Việt",
}


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

    def call_started(self, *, host: str, port: int, caller_number: str) -> None:
        self._console.rule(f"[bold]☎  calling {escape(host)}:{port} from {escape(caller_number)}")
        self._console.print(
            "[dim]keys: 0-9 * #   Enter = say nothing   q or Ctrl-C = hang up[/dim]"
        )

    def prompt(self, prompt: PromptInfo, *, escape_digits: str) -> None:
        language = f"[magenta]{prompt.language}[/magenta] " if prompt.language else ""
        text = escape(prompt.text) if prompt.text else f"[italic]{escape(prompt.file_name)}[/]"
        keys = f" [dim]· keys {escape(escape_digits)}[/dim]" if escape_digits else ""
        self._console.print(f"🔊 {language}[bold]{text}[/bold] [dim]({prompt.prompt_id})[/]{keys}")

    def prompt_missing(self, file_name: str) -> None:
        self._console.print(f"[red]✗ no such prompt: {escape(file_name)}[/red]")

    def collecting(self, *, max_digits: int, timeout_seconds: float) -> None:
        limit = "" if max_digits >= 1024 else f"up to {max_digits} "
        self._console.print(
            f"[dim]   … waiting for {limit}key(s), {timeout_seconds:g} s[/dim]"
        )

    def key(self, key: str) -> None:
        self._console.print(f"   [bold cyan]▶ {escape(key)}[/bold cyan]")

    def key_dropped(self, key: str) -> None:
        self._console.print(f"   [dim]{escape(key)} (not a choice here, dropped)[/dim]")

    def variable(self, name: str, value: str) -> None:
        self._console.print(f"   [dim]· {escape(name)} = {escape(value)}[/dim]")

    def note(self, message: str) -> None:
        self._console.print(f"   [yellow]{escape(message)}[/yellow]")

    def call_ended(self, record: CallRecord) -> None:
        table = Table(title="call ended", show_header=False)
        for name, value in record.ivr_variables.items():
            table.add_row(name, value)
        if not record.ivr_variables:
            table.add_row("IVR_RESULT", "(not set)")
        if record.caller_hung_up:
            table.add_row("caller", "hung up")
        self._console.print(table)
