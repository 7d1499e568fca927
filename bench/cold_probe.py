"""One instrumented cold start (used by ``bench.bench_cold_start``; not a benchmark itself).

Does what ``advisor ask QUESTION --json`` does, in the same order, marking each phase from
``BENCH_T0`` (the parent's wall clock just before it started this process) and this
process's CPU time (user + system, which machine load barely moves) at the same points.
"""

from __future__ import annotations

import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0", time.time()))
marks = {"interpreter_start": time.time() - T0}
cpu = {"interpreter_start": time.process_time()}


def mark(name: str) -> None:
    marks[name] = time.time() - T0
    cpu[name] = time.process_time()


def main() -> None:
    question = sys.argv[1]
    import bot.cli.main  # noqa: F401 - the CLI's own imports (typer, settings, retrieval)
    from bot.answers.setup import build_embedder, open_advisor
    from bot.settings import Settings

    mark("import_cli")
    settings = Settings()
    embedder = build_embedder(settings)
    mark("model_load")
    advisor, report, _ = open_advisor(settings, embedder=embedder, progress=False)
    mark("index_load")
    answer = advisor.ask(question)
    sys.stdout.write(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    mark("first_answer")
    heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "sentence_transformers"})
    sys.stderr.write(
        json.dumps(
            {
                "marks": marks,
                "cpu": cpu,
                "rebuilt": bool(report and report.written),
                "heavy_modules": heavy,
            }
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
