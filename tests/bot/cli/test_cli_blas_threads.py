"""The CLI gives numpy's OpenBLAS one thread unless the environment says otherwise (issue 15,
fourth pass: its thread pool cost ~50-90 ms of every cold `advisor` start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import json, os, sys
import bot.cli.main  # what the `advisor` script imports first
from bot.answers.setup import open_advisor  # the ask path: numpy comes in here
from threadpoolctl import threadpool_info
pools = [p for p in threadpool_info() if p["internal_api"] == "openblas"]
print(json.dumps([os.environ.get("OPENBLAS_NUM_THREADS"), sorted({p["num_threads"] for p in pools})]))
"""


def _blas_threads(env_value: str | None, cwd: Path) -> tuple[str | None, list[int]]:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if env_value is not None:
        env["OPENBLAS_NUM_THREADS"] = env_value
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    variable, threads = json.loads(proc.stdout.strip().splitlines()[-1])
    return variable, threads


@pytest.mark.separate_process
def test_the_cli_starts_openblas_with_one_thread_unless_the_environment_says(
    tmp_path: Path,
) -> None:
    pytest.importorskip("threadpoolctl")
    assert _blas_threads(None, tmp_path) == ("1", [1])
    # an explicit setting is kept (OpenBLAS caps it at the machine's cores)
    cores = min(2, len(os.sched_getaffinity(0)))
    assert _blas_threads("2", tmp_path) == ("2", [cores])
