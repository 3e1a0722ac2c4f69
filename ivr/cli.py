"""The `ivr` command. Each part of the call engine registers its sub-commands here."""

from __future__ import annotations

import typer

from ivr.console.command import console
from ivr.outbound.command import outbound_calls
from ivr.phone.command import phone
from ivr.serve import serve
from ivr.speech.cli import app as speech_app
from prompts.cli import app as prompts_app

app = typer.Typer(help="ivr-booking call engine", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")
app.command("phone")(phone)
app.add_typer(speech_app, name="speech")
app.command("console")(console)
app.command("serve")(serve)
app.command("outbound-calls")(outbound_calls)


def main() -> None:
    app()
