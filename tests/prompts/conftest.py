"""Shared helpers of the prompt tests: a small slice of the real catalog, audio checks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from prompts.audio import SoxConverter
from prompts.backends.espeak import EspeakBackend
from prompts.build import PromptBuilder
from prompts.cache import AudioCache
from prompts.catalog import Catalog, load_catalog
from prompts.recorded import RecordedPrompts


def require_tools() -> None:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: run scripts/system-deps.sh", pytrace=False)


def catalog_slice(catalog: Catalog, ids: list[str]) -> Catalog:
    return Catalog(
        texts={prompt_id: catalog.texts[prompt_id] for prompt_id in ids},
        languages=catalog.languages,
        sources={prompt_id: catalog.sources[prompt_id] for prompt_id in ids},
    )


@pytest.fixture(scope="session")
def small_catalog() -> Catalog:
    """`welcome`, `option-1` and the shortest text of the real catalog, in every language."""
    require_tools()
    catalog = load_catalog()
    shortest = min(
        catalog.ids,
        key=lambda prompt_id: min(len(catalog.text(prompt_id, code)) for code in catalog.languages),
    )
    return catalog_slice(catalog, sorted({"welcome", "option-1", shortest}))


def make_builder(tmp: Path, *, jobs: int = 2, recorded: Path | None = None) -> PromptBuilder:
    return PromptBuilder(
        backend=EspeakBackend(),
        recorded=RecordedPrompts(recorded or tmp / "recorded"),
        cache=AudioCache(tmp / "cache"),
        converter=SoxConverter(),
        jobs=jobs,
    )


def espeak_wav(text: str, voice: str = "en-gb") -> bytes:
    return subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True
    ).stdout


def tree_bytes(out_dir: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out_dir)): path.read_bytes()
        for path in sorted(out_dir.rglob("*")) if path.is_file()
    }
