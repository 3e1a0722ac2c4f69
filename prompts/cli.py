"""`ivr prompts …`: build the sounds tree, and read durations back from its manifest.

Registered as a typer sub-app in `ivr/cli.py`. Settings come from `PromptSettings` (env
`PROMPTS_*`); the options override them for one run.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from prompts.audio import SoxConverter
from prompts.backends import make_backend
from prompts.build import BuildReport, PromptBuilder
from prompts.cache import AudioCache
from prompts.catalog import load_catalog
from prompts.errors import PromptsError
from prompts.manifest import Manifest
from prompts.recorded import RecordedPrompts
from prompts.settings import PromptSettings

app = typer.Typer(help="Prompt catalog and audio build", no_args_is_help=True)


def builder_from_settings(settings: PromptSettings) -> PromptBuilder:
    """A builder wired from settings: the one place that chooses the parts."""
    return PromptBuilder(
        backend=make_backend(settings),
        recorded=RecordedPrompts(settings.recorded_dir),
        cache=AudioCache(settings.cache_dir),
        converter=SoxConverter(binary=settings.sox_binary),
        jobs=settings.jobs,
    )


def run_build(settings: PromptSettings, *, languages: list[str] | None,
              console: Console) -> BuildReport:
    catalog = load_catalog(settings.catalog_dir)
    builder = builder_from_settings(settings)
    chosen = languages or list(catalog.languages)
    with Progress(
        TextColumn("prompts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as progress:
        task = progress.add_task("build", total=len(catalog.ids) * len(chosen))
        return builder.build(
            catalog, out_dir=settings.out_dir, languages=chosen,
            on_progress=lambda count: progress.advance(task, count),
        )


class BackendName(StrEnum):
    espeak = "espeak"
    gtts = "gtts"


@app.command()
def build(
    out: Annotated[Path | None, typer.Option(help="sounds directory")] = None,
    backend: Annotated[
        BackendName | None, typer.Option(help="TTS backend (default espeak; gtts is opt-in)")
    ] = None,
    languages: Annotated[
        str | None, typer.Option(help="comma-separated codes, default all")
    ] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="TTS cache directory")] = None,
    jobs: Annotated[int | None, typer.Option(min=1, help="parallel render processes")] = None,
) -> None:
    """Build every prompt of the catalog as <out>/<lang>/ivr/<id>.{sln16,ulaw,alaw}."""
    overrides = {
        name: value
        for name, value in {"out_dir": out, "backend": backend.value if backend else None,
                            "cache_dir": cache_dir, "jobs": jobs}.items()
        if value is not None
    }
    settings = PromptSettings.model_validate(overrides)
    console = Console(stderr=True)
    chosen = [code.strip() for code in languages.split(",")] if languages else None
    started = time.perf_counter()
    try:
        report = run_build(settings, languages=chosen, console=console)
    except PromptsError as exc:
        console.print(f"[red]prompt build failed:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(code=1) from exc
    console.print(
        f"{report.prompts} prompts in {', '.join(report.languages)}: {report.rendered} "
        f"rendered with {settings.backend} or recordings, {report.from_cache} from cache, "
        f"{report.unchanged} unchanged, {report.removed} stale files removed, "
        f"{time.perf_counter() - started:.2f} s -> {settings.out_dir}"
    )


@app.command()
def duration(
    prompt_id: str,
    language: str,
    out: Annotated[Path, typer.Option(help="sounds directory")] = Path("build/sounds"),
) -> None:
    """Print how many seconds a built prompt plays (from the manifest)."""
    typer.echo(f"{Manifest.load(out).duration_s(prompt_id, language):.3f}")
