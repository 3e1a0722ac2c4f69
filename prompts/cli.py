"""`ivr prompts …`: build the sounds tree, read durations back from its manifest, check what
espeak-ng says (`pronunciation`), and the studio path: the script a voice artist reads
(`recordings-needed`) and the check of the takes (`recordings-check`).

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
from prompts.backends.espeak import EspeakBackend
from prompts.build import BuildReport, PromptBuilder
from prompts.cache import AudioCache
from prompts.catalog import Catalog, load_catalog
from prompts.errors import PromptsError
from prompts.manifest import Manifest
from prompts.pronunciation import PronunciationCheck
from prompts.recorded import RecordedPrompts, RecordingCheck, recording_script
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
        recorded_languages=settings.recorded_languages,
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
    try:
        seconds = Manifest.load(out).duration_s(prompt_id, language)
    except (PromptsError, OSError) as exc:
        Console(stderr=True).print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"{seconds:.3f}")


@app.command()
def pronunciation(
    language: Annotated[str | None, typer.Argument(help="one language, default all")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="only these ids")] = None,
    ipa: Annotated[bool, typer.Option("--ipa", help="print what the voice says, in IPA")] = False,
) -> None:
    """Check what espeak-ng says: no switch to another voice, no word read as letters."""
    settings = PromptSettings()
    console = Console(stderr=True)
    catalog = _catalog_or_exit(settings, language, console)
    espeak = EspeakBackend.from_settings(settings)
    languages = [language] if language else list(catalog.languages)
    if ipa:
        for code in languages:
            for prompt_id in ids or catalog.ids:
                said = " ".join(espeak.phonemes(catalog.spoken_text(prompt_id, code), code).split())
                typer.echo(f"{code}\t{prompt_id}\t{catalog.text(prompt_id, code)}\t{said}")
    problems = PronunciationCheck(espeak).problems(catalog, languages=languages, ids=ids)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise typer.Exit(code=1)


def _catalog_or_exit(settings: PromptSettings, language: str | None,
                     console: Console) -> Catalog:
    """The catalog, and `language` checked against it (None: no language to check)."""
    try:
        catalog = load_catalog(settings.catalog_dir)
    except PromptsError as exc:
        console.print(f"[red]catalog:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(code=1) from exc
    if language is not None and language not in catalog.languages:
        console.print(f"[red]no language {escape(language)!r}[/red]; the catalog has "
                      f"{', '.join(catalog.languages)}")
        raise typer.Exit(code=2)
    return catalog


@app.command("recordings-needed")
def recordings_needed(
    language: str,
    tsv: Annotated[bool, typer.Option("--tsv", help="id, text, context, tab-separated")] = False,
    missing: Annotated[bool, typer.Option("--missing", help="only ids not yet recorded")] = False,
) -> None:
    """Print the script a voice artist reads for LANGUAGE: every id, its text, its context."""
    settings = PromptSettings()
    catalog = _catalog_or_exit(settings, language, Console(stderr=True))
    recorded = RecordedPrompts(settings.recorded_dir)
    lines = [line for line in recording_script(catalog, language)
             if not missing or recorded.find(language, line.prompt_id) is None]
    for line in lines:
        if tsv:
            typer.echo(f"{line.prompt_id}\t{line.text}\t{line.context}")
        else:
            typer.echo(f"{line.prompt_id}.wav\n    {line.text}\n    ({line.context})\n")
    if not tsv:
        typer.echo(f"{len(lines)} takes, each to {settings.recorded_dir / language}/<id>.wav")


@app.command("recordings-check")
def recordings_check(language: str) -> None:
    """Check LANGUAGE's takes: every id recorded, none silent, none clipped, none stray."""
    settings = PromptSettings()
    console = Console(stderr=True)
    catalog = _catalog_or_exit(settings, language, console)
    check = RecordingCheck(RecordedPrompts(settings.recorded_dir),
                           SoxConverter(binary=settings.sox_binary))
    problems = check.problems(catalog, language)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        console.print(f"[red]{len(problems)} problem(s)[/red] in {len(catalog.ids)} prompts")
        raise typer.Exit(code=1)
    typer.echo(f"{language}: all {len(catalog.ids)} prompts recorded and usable")
