"""bench/api_bench.py end to end on a small calendar: it must keep running (it is only
run by hand otherwise) and report every figure the issue asks for, with nothing overbooked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ("--days", "20", "--requests", "20", "--bookings", "60", "--clients", "5")
REQUIRED = (
    "availability_p50_ms",
    "availability_p99_ms",
    "bookings_per_s_api",
    "bookings_per_s_sql",
    "ratio",
    "overbooked_slots",
)


@pytest.mark.postgres
def test_a_small_run_reports_every_figure_and_overbooks_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "bench/api_bench.py", *SMALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(REQUIRED) <= set(figures)
    assert figures["bookings"] == 60
    assert figures["overbooked_slots"] == 0
    assert figures["bookings_per_s_sql"] == max(
        figures["bookings_per_s_sql_statements"],
        figures["bookings_per_s_sql_functions"],
        figures["bookings_per_s_sql_service_functions"],
    )
    assert figures["ratio"] == round(
        figures["bookings_per_s_api"] / figures["bookings_per_s_sql"], 3
    )
