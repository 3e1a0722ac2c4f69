"""``ivr phone``: call the running FastAGI server from the terminal, as Asterisk would.

Wiring only: settings from the options, the prompt catalog for the texts, a key source (the
keyboard, or ``--script``), the rich display, an audio player when one is installed. Exit
status: 0 when the call ran to its end, 1 when the server could not be reached or went silent;
with ``--expect RESULT`` also 1 when ``IVR_RESULT`` differs (for scripted smoke tests).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from rich.console import Console

from ivr.phone.audio import AudioPlayer, find_player
from ivr.phone.call import PhoneSettings, TerminalPhone
from ivr.phone.display import RichDisplay
from ivr.phone.errors import PhoneError
from ivr.phone.keys import QueuedKeys, ScriptedKeys
from ivr.phone.library import PromptLibrary, PromptTexts
from ivr.phone.record import CallRecord
from ivr.phone.terminal import keyboard


def load_prompt_texts() -> PromptTexts:
    from prompts.catalog import load_catalog

    return load_catalog()


async def place_call(
    *, settings: PhoneSettings, console: Console, script: str | None
) -> CallRecord:
    """One call: scripted (never waits in real time, no audio) or from the keyboard."""
    display = RichDisplay(console)
    texts = load_prompt_texts()
    if script is not None:
        prompts = PromptLibrary(texts=texts, sounds_dir=settings.sounds_dir, pace=0)
        phone = TerminalPhone(
            settings=settings, keys=ScriptedKeys(script), display=display, prompts=prompts
        )
        return await phone.call()
    prompts = PromptLibrary(texts=texts, sounds_dir=settings.sounds_dir)
    player_command = find_player() if settings.audio else None
    player = AudioPlayer(player_command, on_failure=display.note) if player_command else None
    keys = QueuedKeys(on_dropped=display.key_dropped)
    phone = TerminalPhone(
        settings=settings, keys=keys, display=display, prompts=prompts, audio=player
    )
    with keyboard(keys):
        return await phone.call()


def phone(
    host: str = typer.Option("127.0.0.1", help="FastAGI server host"),
    port: int = typer.Option(4573, help="FastAGI server port"),
    caller: str = typer.Option("+420777123456", help="the caller number Asterisk would send"),
    route: str = typer.Option("booking", help="the FastAGI script (agi://host/<route>)"),
    language: str = typer.Option("cs", help="the channel language when the call starts"),
    sounds: Path = typer.Option(Path("build/sounds"), help="built prompts (for audio)"),
    no_audio: bool = typer.Option(False, "--no-audio", help="show texts only"),
    script: str | None = typer.Option(
        None, help='keys to press instead of the keyboard, e.g. "2 1 1 1 12345678# 01021990 1 1"'
    ),
    expect: str | None = typer.Option(None, help="exit 1 unless IVR_RESULT ends as this"),
) -> None:
    """Call the booking menu from this terminal: prompts as text (and sound), keys as keys."""
    settings = PhoneSettings(
        host=host,
        port=port,
        route=route,
        caller_number=caller,
        channel_language=language,
        sounds_dir=sounds,
        audio=not no_audio,
    )
    console = Console(highlight=False)
    try:
        record = asyncio.run(place_call(settings=settings, console=console, script=script))
    except PhoneError as error:  # NotATerminal too
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    if expect is not None and record.result != expect:
        console.print(f"[red]IVR_RESULT is {record.result!r}, expected {expect!r}[/red]")
        raise typer.Exit(1)
