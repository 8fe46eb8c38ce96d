"""The benchmark's quick mode still runs end to end and reports every section (its figures are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

SECTIONS = ("machine", "latency", "quality", "ingestion", "scale", "app_start")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_quick_benchmark_writes_every_section(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out), "--cache", str(cache)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=850,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    results = json.loads((out / "results.json").read_text())
    assert results["errors"] == {}
    for section in SECTIONS:
        assert results.get(section), f"section {section} is missing or empty"

    assert results["machine"]["cores"] >= 1 and results["machine"]["cpu"]
    ours = results["quality"]["ours"]["extractive"]
    assert 0 <= ours["exact_pass_rate"] <= 1
    assert ours["citation_char_precision"] is not None
    assert results["quality"]["reference"]["citation_char_precision"] is not None
    assert results["latency"]["ours"]["extractive"]["ask"]["p50_ms"] > 0
    assert results["latency"]["reference"]["retrieve"]["p50_ms"] > 0
    assert results["ingestion"]["share_of_raw"] > 0
    assert results["ingestion"]["reindex_unchanged"]["embedded"] == 0
    size = results["scale"]["sizes"][0]
    assert size["chunks"] >= 200 and size["lexical_loaded_from_disk"] is True
    assert size["peak_rss_mb"] > 0 and size["index_disk_mb"] > 0 and size["recall_at_5"] is not None
    assert [run["answerer"] for run in results["app_start"]["runs"]] == ["extractive"]
    assert results["app_start"]["runs"][0]["seconds_to_first_answer"] > 0

    table = (out / "results.md").read_text()
    assert "| section | figure | ours | target | met | reference | ratio |" in table
    for label in ("exact pass rate", "ask() p50", "full build / raw encode", "peak RSS", "first answer"):
        assert label in table
