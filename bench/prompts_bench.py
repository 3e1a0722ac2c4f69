"""`make prompts-bench`: the cold build of every prompt in every language, then the rebuild
after one prompt's text changed. Targets: cold <= 30 s, one-prompt rebuild <= 2 s on the
2-core machine. Uses the catalog as it is (speech fragments included) copied to a temporary
directory, an empty cache and an empty output directory; ends with one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from prompts.catalog import load_catalog
from prompts.cli import builder_from_settings
from prompts.settings import PromptSettings

COLD_TARGET_S = 30.0
REBUILD_TARGET_S = 2.0
CHANGED_ID = "welcome"
CHANGED_LANGUAGE = "cs"


def cpu_s() -> float:
    """CPU seconds of this process and of its finished children (workers, espeak, sox)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_build(settings: PromptSettings) -> tuple[float, float, int, int]:
    started, started_cpu = time.perf_counter(), cpu_s()
    catalog = load_catalog(settings.catalog_dir)
    report = builder_from_settings(settings).build(catalog, out_dir=settings.out_dir)
    return (time.perf_counter() - started, cpu_s() - started_cpu, report.prompts,
            report.rendered)


def change_one_text(catalog_dir: Path) -> None:
    path = catalog_dir / "flow.toml"
    text = path.read_text(encoding="utf-8")
    old = load_catalog(catalog_dir).text(CHANGED_ID, CHANGED_LANGUAGE)
    assert f'{CHANGED_LANGUAGE} = "{old}"' in text, "the changed prompt must be in flow.toml"
    path.write_text(
        text.replace(
            f'{CHANGED_LANGUAGE} = "{old}"',
            f'{CHANGED_LANGUAGE} = "{old} Děkujeme za trpělivost."',
            1,
        ),
        encoding="utf-8",
    )


def main() -> int:
    defaults = PromptSettings()
    with tempfile.TemporaryDirectory(prefix="prompts-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(defaults.catalog_dir, root / "catalog")
        settings = defaults.model_copy(
            update={
                "catalog_dir": root / "catalog",
                "cache_dir": root / "cache",
                "out_dir": root / "sounds",
            }
        )
        languages = load_catalog(settings.catalog_dir).languages
        load_before = os.getloadavg()[0]
        cold_s, cold_cpu_s, prompts, cold_rendered = timed_build(settings)
        change_one_text(settings.catalog_dir)
        rebuild_s, _, _, rebuilt = timed_build(settings)
        size = sum(p.stat().st_size for p in settings.out_dir.rglob("*") if p.is_file())
    result = {
        "languages": len(languages),
        "prompts": prompts,
        "ids": prompts // len(languages),
        "jobs": settings.jobs,
        "cpus": os.cpu_count(),
        "backend": settings.backend,
        "cold_build_s": round(cold_s, 2),
        "cold_cpu_s": round(cold_cpu_s, 2),
        "cold_rendered": cold_rendered,
        "ms_per_prompt_cold": round(1000 * cold_s / prompts, 1),
        "one_prompt_rebuild_s": round(rebuild_s, 3),
        "one_prompt_rebuilt": rebuilt,
        "output_mb": round(size / 1e6, 1),
        "load_average_before": round(load_before, 2),
        "targets_met": cold_s <= COLD_TARGET_S and rebuild_s <= REBUILD_TARGET_S,
    }
    print(json.dumps(result))
    return 0 if result["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
