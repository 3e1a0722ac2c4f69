"""The `ivr` command. Each part of the call engine registers its sub-commands here."""

from __future__ import annotations

import typer

app = typer.Typer(help="ivr-booking call engine", no_args_is_help=True)


def main() -> None:
    app()
