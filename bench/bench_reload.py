"""Live re-index: time from saving a playbook to the first answer that uses it (issue 13).

In one process, like a running bot: the shipped playbooks copied to a temp dir and indexed
with the real model (ONNX, warm), a ``LiveAdvisor`` answering the same question back to
back in a thread, and a ``Reloader``. Each run appends a new section with a unique marker
word to a different guide, then measures from the file's close to the first answer whose
sentences quote it. Two modes:

* ``poll``: the periodic check (``ADVISOR_RELOAD_SECONDS``, ``--poll``) finds the change;
* ``reindex``: a check starts right after the save, as ``/advisor reindex`` does.

Also reported: the check's own time (load + incremental build + swap). Usage:
``python -m bench.bench_reload [--runs 5] [--poll 2]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench.common import BUNDLED_MODEL, PLAYBOOKS, ROOT, machine, summary, write_result
from bot.answers.live import LiveAdvisor, Reloader
from retrieval.engine import Advisor, SearchOptions
from retrieval.onnx_embedder import OnnxEmbedder

GUIDES = (
    "guides/camera-footage-retention.md",
    "guides/data-sharing-agreements.md",
    "guides/working-group-charter.md",
    "guides/surveillance-ordinances-oversight.md",
    "guides/procurement-without-lock-in.md",
)
# Each run adds a different rule (distinct words, so no two runs' sentences look alike to
# the composer's near-duplicate check, and no marker is a misspelling of another).
RULES = (
    ("quokkavale", "journalists' footage requests go to the press office within three days"),
    ("brindlecourt", "sensor vendors must delete raw audio after one week"),
    ("marrowgate", "the council clerk publishes every drone flight log each quarter"),
    ("tessellane", "library kiosks never store a patron's browsing history overnight"),
    ("vornholt", "parking meters report occupancy only as hourly block totals"),
    ("plinkettry", "school zone cameras are audited twice a year by the ombudsman"),
    ("zandermoor", "transit agencies anonymize fare card taps before any research sharing"),
    ("oskelwyn", "streetlight microphones stay disabled unless the mayor signs a waiver"),
    ("frindleby", "water utilities keep smart meter readings for thirteen months"),
    ("cobblethwaite", "police license plate scans are purged after twenty one days"),
)


def _asker(live: LiveAdvisor, state: dict, stop: threading.Event) -> None:
    """Ask the current run's question back to back; note when an answer first quotes it."""
    while not stop.is_set():
        marker, saved = state.get("marker"), state.get("saved")
        if marker is None or saved is None or state.get("seen") is not None:
            time.sleep(0.005)
            continue
        answer = live.ask(f"What does the {marker} rule say?")
        state["asked"] = state.get("asked", 0) + 1
        if any(marker in s.text for s in answer.sentences):
            state["seen"] = time.perf_counter()


def _edit(root: Path, run: int, marker: str, rule: str) -> float:
    path = root / GUIDES[run % len(GUIDES)]
    if not path.exists():  # a guide renamed: any guide will do
        path = sorted((root / "guides").glob("*.md"))[run]
    section = f"\n## The {marker} rule\n\nThe {marker} rule says {rule}.\n"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(section)
    return time.perf_counter()  # saved: the file is closed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--poll", type=float, default=2.0, help="ADVISOR_RELOAD_SECONDS")
    args = parser.parse_args()
    if not 1 <= args.runs <= len(RULES) // 2:
        parser.error(f"--runs takes 1 to {len(RULES) // 2} (one new rule per run and mode)")
    work = Path(tempfile.mkdtemp(prefix="bench-reload-"))
    try:
        root = work / "playbooks"
        shutil.copytree(PLAYBOOKS, root)
        embedder = OnnxEmbedder(BUNDLED_MODEL, cache_dir=ROOT / ".advisor" / "models")
        started = time.perf_counter()
        advisor, _, _ = Advisor.open(
            playbooks_dir=root, index_dir=work / "index", embedder=embedder, options=SearchOptions()
        )
        build_seconds = time.perf_counter() - started
        live = LiveAdvisor(advisor)
        checks: list[float] = []
        reloader = Reloader(live, playbooks_dir=root, index_dir=work / "index")
        original_check = reloader.check

        def timed_check():  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            result = original_check()
            if result is not None and result.swapped:
                checks.append(time.perf_counter() - began)
            return result

        reloader.check = timed_check  # type: ignore[method-assign]
        results: dict[str, list[float]] = {"poll": [], "reindex": []}
        asked = 0
        for mode in ("poll", "reindex"):
            if mode == "poll":
                reloader.start(args.poll)
            for run in range(args.runs):
                index = run + (0 if mode == "poll" else args.runs)
                marker, rule = RULES[index % len(RULES)]
                state: dict = {"marker": marker}
                stop = threading.Event()
                thread = threading.Thread(target=_asker, args=(live, state, stop))
                thread.start()
                time.sleep(0.2)
                state["saved"] = _edit(root, index, marker, rule)
                if mode == "reindex":
                    threading.Thread(target=reloader.check).start()
                deadline = time.perf_counter() + 120
                while state.get("seen") is None and time.perf_counter() < deadline:
                    time.sleep(0.005)
                stop.set()
                thread.join()
                asked += state.get("asked", 0)
                if state.get("seen") is None:
                    raise RuntimeError(f"run {run} ({mode}): the edit never reached an answer")
                results[mode].append(state["seen"] - state["saved"])
            reloader.stop()
            while reloader.running:
                time.sleep(0.05)
        data = {
            "machine": machine(),
            "poll_seconds": args.poll,
            "initial_build_seconds": build_seconds,
            "questions_asked": asked,
            "save_to_answer_poll_s": summary(results["poll"]),
            "save_to_answer_reindex_s": summary(results["reindex"]),
            "check_build_swap_s": summary(checks),
            "raw": results,
        }
        write_result("reload", data)
        print(json.dumps({k: v for k, v in data.items() if k != "machine"}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
