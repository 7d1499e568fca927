"""The ``advisor`` command line: ask, index, validate playbooks, evaluate; plus admin sub-apps.

Every failure a person can cause (bad question, broken playbook, unusable index) ends in a
one-line message on stderr and a non-zero exit, never a traceback: ``friendly_errors`` words
the retrieval errors, and the root command's class (``bot.cli.errors.RootGroup``) handles
everything else, from bad settings to an unreachable database.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.admin import checkins_app, commitments_app, db_app, groups_app
from bot.cli.context import CliContext, clock_of
from bot.cli.errors import TRACEBACK_KEY, RootGroup
from bot.cli.questions import questions_app
from bot.cli.serve import serve
from bot.render_text import answer_renderable
from bot.settings import Settings
from retrieval.errors import CorpusError, QuestionError, RetrievalError
from retrieval.models import Filters

app = typer.Typer(
    name="advisor",
    help="Policy advisor: grounded answers from city playbooks, and check-ins on commitments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=RootGroup,
)
playbooks_app = typer.Typer(help="Check the playbook Markdown.", no_args_is_help=True)
app.add_typer(playbooks_app, name="playbooks")
app.command("serve")(serve)
app.add_typer(questions_app, name="questions")
app.add_typer(db_app, name="db")
app.add_typer(groups_app, name="groups")
app.add_typer(commitments_app, name="commitments")
app.add_typer(checkins_app, name="checkins")

out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn expected failures into one line on stderr and an exit code (2 = bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (QuestionError, CorpusError) as exc:
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except RetrievalError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def root(
    ctx: typer.Context,
    show_traceback: Annotated[
        bool,
        typer.Option("--traceback", help="On an unexpected error, show the full traceback."),
    ] = False,
) -> None:
    ctx.meta[TRACEBACK_KEY] = show_traceback


def load_settings() -> Settings:
    return Settings()


@app.command()
@friendly_errors
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    kind: Annotated[str | None, typer.Option(help="Only 'playbook' or 'case-note'.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="Only files with this tag (repeatable).")
    ] = None,
    city: Annotated[str | None, typer.Option(help="Only case notes about this city.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question from the playbooks (builds the index on first use)."""
    from bot.advisor_setup import open_advisor
    from retrieval.question_text import clean_question

    if kind is not None and kind not in ("playbook", "case-note"):
        raise QuestionError(f"--kind must be 'playbook' or 'case-note', not {kind!r}")
    settings = load_settings()
    clean_question(question, limit=settings.max_question_chars)
    advisor, report, _ = open_advisor(settings, progress=not as_json)
    if report is not None and report.written and not as_json:
        err.print(report.summary, markup=False, highlight=False, soft_wrap=True)
    filters = Filters(
        kinds=(kind,) if kind else (), tags=tuple(tag or ()), cities=(city,) if city else ()
    )
    answer = advisor.ask(question, filters=filters)
    if as_json:
        sys.stdout.write(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(answer_renderable(answer))


@app.command()
@friendly_errors
def index(
    rebuild: Annotated[bool, typer.Option(help="Re-embed everything from scratch.")] = False,
) -> None:
    """Build or incrementally update the search index from the playbooks folder."""
    from bot.advisor_setup import build_embedder
    from retrieval.documents import load_corpus
    from retrieval.index import build_index, is_current
    from retrieval.index_store import read_current_manifest

    settings = load_settings()
    corpus = load_corpus(settings.playbooks_dir)
    for problem in corpus.errors:
        err.print(f"skipped: {problem}", markup=False, highlight=False, soft_wrap=True)
    if not corpus.documents:
        raise CorpusError(f"no loadable playbooks in {settings.playbooks_dir}")
    manifest = read_current_manifest(settings.resolved_index_dir)
    hashes = {doc.path: doc.content_hash for doc in corpus.documents}
    if not rebuild and is_current(
        manifest, model=settings.embedding_model, file_hashes=hashes
    ):  # up to date: read only the manifest, and never load the model (seconds of imports)
        chunks = f", {manifest['chunk_count']} chunks" if "chunk_count" in manifest else ""
        out.print(f"index up to date ({len(hashes)} files{chunks})")
        return
    embedder = build_embedder(settings)
    _, report = build_index(
        corpus, embedder, settings.resolved_index_dir, rebuild=rebuild, progress=True
    )
    out.print(report.summary, markup=False, highlight=False, soft_wrap=True)


@playbooks_app.command("validate")
@friendly_errors
def validate(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(help="Folder to check.")] = None,
) -> None:
    """List every problem in the playbooks; exit 1 if any is an error."""
    from retrieval.validation import validate_corpus

    root = directory or load_settings().playbooks_dir
    # Review dates are whole days; the injected clock's UTC date decides which have passed.
    corpus = validate_corpus(root, today=clock_of(ctx)().date())
    for problem in corpus.problems:
        style = "red" if problem.severity == "error" else "yellow"
        out.print(str(problem), style=style, markup=False, highlight=False, soft_wrap=True)
    errors = len(corpus.errors)
    warnings = len(corpus.problems) - errors
    out.print(
        f"{len(corpus.hashes)} files, {len(corpus.documents)} loaded: "
        f"{errors} errors, {warnings} warnings",
        markup=False,
    )
    if errors:
        raise typer.Exit(1)


@app.command("eval")
@friendly_errors
def evaluate_command(
    questions: Annotated[Path, typer.Argument(help="A questions YAML file or a folder of them.")],
    compare: Annotated[bool, typer.Option(help="Also show BM25-only and dense-only.")] = False,
    calibrate: Annotated[bool, typer.Option(help="Print the best abstention threshold.")] = False,
) -> None:
    """Measure retrieval and answer quality on a labeled question set."""
    from bot.advisor_setup import open_advisor
    from retrieval.evaluation import calibrate_threshold, evaluate, load_questions

    labeled = load_questions(questions)
    advisor, _, _ = open_advisor(load_settings())
    modes = ["bm25", "dense", "hybrid"] if compare else ["hybrid"]
    table = Table(title=f"{len(labeled)} questions")
    columns = ("mode", "recall@1", "recall@5", "MRR", "nDCG@5", "facts", "junk")
    for column in (*columns, "abstain P", "abstain R"):
        table.add_column(column, justify="right")
    for mode in modes:
        m = evaluate(advisor, labeled, mode=mode)  # type: ignore[arg-type]
        cells = [
            m.recall_at_1,
            m.recall_at_5,
            m.mrr,
            m.ndcg_at_5,
            m.facts_in_answer,
            m.junk_rate,
            m.abstain_precision,
            m.abstain_recall,
        ]
        table.add_row(mode, *("—" if v is None else f"{v:.3f}" for v in cells))
    out.print(table)
    out.print(
        "facts: share of key facts stated in the answer text; junk: share of answers with a "
        "sentence the junk rules flag (bm25/dense rows compose from that retriever alone).",
        style="dim",
    )
    if calibrate:
        threshold, f1 = calibrate_threshold(advisor, labeled)
        out.print(f"best abstention threshold: {threshold:.3f} (F1 {f1:.3f})")


def main() -> None:
    app(obj=CliContext())


if __name__ == "__main__":
    main()
