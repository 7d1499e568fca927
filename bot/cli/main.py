"""The ``advisor`` command line: ask, index, validate playbooks, evaluate; plus admin sub-apps.

Every failure a person can cause (bad question, broken playbook, unusable index) ends in a
one-line message on stderr and a non-zero exit, never a traceback: ``friendly_errors`` words
the retrieval errors, and the root command's class (``bot.cli.errors.RootGroup``) handles
everything else, from bad settings to an unreachable database.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.answers.scope import ScopeError, combine, describe_filters, parse_inline
from bot.cli.context import CliContext, clock_of, embedder_of, identity_of
from bot.cli.errors import TRACEBACK_KEY, LazyConsole, RootGroup
from bot.cli.version import print_version
from bot.settings import Settings
from retrieval.documents import Corpus
from retrieval.errors import CorpusError, QuestionError, RetrievalError
from retrieval.models import Filters

# Commands that need the database or Slack live in modules imported only when one of them
# runs (or ``--help`` lists them), so ``ask`` and ``index`` never pay for SQLAlchemy, Alembic
# or slack_bolt (about a second of imports): name -> (module, attribute).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("bot.cli.serve", "serve"),
    "questions": ("bot.cli.questions", "questions_app"),
    "db": ("bot.cli.admin", "db_app"),
    "groups": ("bot.cli.admin", "groups_app"),
    "commitments": ("bot.cli.admin", "commitments_app"),
    "checkins": ("bot.cli.admin", "checkins_app"),
    "report": ("bot.cli.curation", "report"),
    "channels": ("bot.cli.curation", "channels_app"),
}


class AdvisorGroup(RootGroup):
    """The root group, with the ``LAZY_COMMANDS`` loaded on first use."""

    # Typer vendors its own Click, whose classes it does not export: ``Any`` stands for them.
    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *LAZY_COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY_COMMANDS:
            return found
        module, attribute = LAZY_COMMANDS[cmd_name]
        target = getattr(importlib.import_module(module), attribute)
        if isinstance(target, typer.Typer):  # a sub-app: always a group, as add_typer makes it
            command: Any = typer.main.get_group(target)
        else:  # a command function
            single = typer.Typer(add_completion=False)
            single.command(cmd_name)(target)
            command = typer.main.get_command(single)
        command.name = cmd_name
        self.add_command(command, cmd_name)
        return command


app = typer.Typer(
    name="advisor",
    help="Policy advisor: grounded answers from city playbooks, and check-ins on commitments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=AdvisorGroup,
)
playbooks_app = typer.Typer(help="Check the playbook Markdown.", no_args_is_help=True)
app.add_typer(playbooks_app, name="playbooks")

out = LazyConsole()  # rich is imported only when something is printed through it
err = LazyConsole(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn expected failures into one line on stderr and an exit code (2 = bad input)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (QuestionError, CorpusError, ScopeError) as exc:
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
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=print_version, is_eager=True
        ),
    ] = False,
) -> None:
    ctx.meta[TRACEBACK_KEY] = show_traceback


def load_settings() -> Settings:
    return Settings()


class Kind(StrEnum):
    """``ask --kind``: the two kinds of file in the playbooks folder."""

    playbook = "playbook"
    case_note = "case-note"


@app.command()
@friendly_errors
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    kind: Annotated[Kind | None, typer.Option(help="Only playbooks or only case notes.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="Only files with this tag (repeatable).")
    ] = None,
    city: Annotated[str | None, typer.Option(help="Only case notes about this city.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Answer a question from the playbooks (builds the index on first use)."""
    from bot.answers.setup import open_advisor
    from retrieval.question_text import clean_question

    settings = load_settings()
    clean_question(question, limit=settings.max_question_chars)
    advisor, report, _ = open_advisor(
        settings, embedder=embedder_of(ctx, settings), progress=not as_json
    )
    if report is not None and report.written and not as_json:
        err.print(report.summary, markup=False, highlight=False, soft_wrap=True)
    options = Filters(
        kinds=(kind.value,) if kind else (), tags=tuple(tag or ()), cities=(city,) if city else ()
    )
    text, inline = parse_inline(question)  # `in:case-notes city:Seattle …` narrows this one
    scope = replace(combine(options, inline), from_channel=False)  # no channel here
    answer = advisor.ask(text, filters=scope.filters)
    if as_json:
        data = {**answer.to_dict(), "scope": scope.to_dict()}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        from bot.cli.render_text import answer_renderable

        out.print(answer_renderable(answer))
        if not scope.filters.empty:
            out.print(f"Scope: {describe_filters(scope.filters)}", markup=False, style="dim")


@app.command()
@friendly_errors
def index(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option(help="Re-embed everything from scratch.")] = False,
) -> None:
    """Build or incrementally update the search index from the playbooks folder.

    Checks every index file against its recorded size and checksum and rebuilds a damaged
    index. Exits 1 if any playbook has an error (content CI relies on it): a broken edit
    keeps that document's last good version in the index, and the others are indexed.
    """
    from retrieval.documents import load_corpus
    from retrieval.embeddings import same_vectors
    from retrieval.index import build_index, indexed_paths, is_current

    settings = load_settings()
    index_dir = settings.resolved_index_dir
    manifest, damage = (None, None) if rebuild else _live_manifest(index_dir)
    corpus = load_corpus(
        settings.playbooks_dir,
        max_bytes=settings.max_playbook_bytes,
        indexed=indexed_paths(manifest),
    )
    if not corpus.documents:
        _report_problems(corpus, manifest)
        raise CorpusError(f"no loadable playbooks in {settings.playbooks_dir}")
    if (
        damage is None
        and is_current(manifest, model=settings.embedding_model, file_hashes=corpus.hashes)
        and same_vectors((manifest or {}).get("embedder"), identity_of(ctx, settings))
    ):  # up to date, sound and of this embedder's vectors: never load the model
        assert manifest is not None
        chunks = f", {manifest['chunk_count']} chunks" if "chunk_count" in manifest else ""
        out.print(f"index up to date ({len(corpus.hashes)} files{chunks})")
        _exit_on_problems(corpus, manifest)
        return
    if damage is not None:
        err.print(f"{damage}; rebuilding it", markup=False, highlight=False, soft_wrap=True)
    embedder = embedder_of(ctx, settings)
    loaded, report = build_index(
        corpus, embedder, index_dir, rebuild=rebuild or damage is not None, progress=True
    )
    out.print(report.summary, markup=False, highlight=False, soft_wrap=True)
    _exit_on_problems(corpus, loaded.manifest)


def _live_manifest(index_dir: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The live index's manifest if every file checks out, else what is damaged."""
    from retrieval.errors import IndexDamaged
    from retrieval.index_store import (
        FORMAT_VERSION,
        check_generation,
        current_generation,
        read_manifest,
    )

    try:
        generation = current_generation(index_dir)
        if generation is None:
            return None, None
        manifest = read_manifest(generation)
        if manifest.get("format") == FORMAT_VERSION:  # older ones are replaced whole anyway
            check_generation(generation, manifest, checksums=True)
        return manifest, None
    except IndexDamaged as exc:
        return None, f"the index at {index_dir} is damaged ({exc.what})"


def _report_problems(corpus: Corpus, manifest: dict[str, Any] | None) -> None:
    """Each error, and what the index holds of that file now."""
    files = (manifest or {}).get("files", {})
    for problem in corpus.errors:
        status = files.get(problem.path, {}).get("status") if isinstance(files, dict) else None
        held = (
            "the last good version stays in the index" if status == "kept" else "not in the index"
        )
        err.print(f"{problem} [{held}]", markup=False, highlight=False, soft_wrap=True)


def _exit_on_problems(corpus: Corpus, manifest: dict[str, Any]) -> None:
    """Report playbook errors and exit 1 if there are any."""
    if not corpus.errors:
        return
    _report_problems(corpus, manifest)
    files = len({problem.path for problem in corpus.errors})
    err.print(
        f"error: {files} playbook file(s) have errors; run `advisor playbooks validate`",
        markup=False,
        highlight=False,
    )
    raise typer.Exit(1)


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
    corpus = validate_corpus(
        root, today=clock_of(ctx)().date(), max_bytes=load_settings().max_playbook_bytes
    )
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
    ctx: typer.Context,
    questions: Annotated[Path, typer.Argument(help="A questions YAML file or a folder of them.")],
    compare: Annotated[bool, typer.Option(help="Also show BM25-only and dense-only.")] = False,
    calibrate: Annotated[
        bool, typer.Option(help="Fit the abstention threshold; show what each refusal signal does.")
    ] = False,
) -> None:
    """Measure retrieval and answer quality on a labeled question set."""
    from rich.table import Table

    from bot.answers.setup import open_advisor
    from retrieval.evaluation import calibrate_threshold, evaluate, load_questions

    labeled = load_questions(questions)
    settings = load_settings()
    advisor, _, _ = open_advisor(settings, embedder=embedder_of(ctx, settings))
    modes = ["bm25", "dense", "hybrid"] if compare else ["hybrid"]
    table = Table(title=f"{len(labeled)} questions")
    columns = ("mode", "recall@1", "first right", "recall@5", "MRR", "nDCG@5", "facts", "junk")
    for column in (*columns, "abstain P", "abstain R"):
        table.add_column(column, justify="right")
    for mode in modes:
        m = evaluate(advisor, labeled, mode=mode)  # type: ignore[arg-type]
        cells = [
            m.recall_at_1,
            m.first_right,
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
    ceiling = m.recall_at_1_ceiling  # the labels' property, the same in every mode
    out.print(
        "first right: share of questions whose first document answers them (recall@1 counts "
        f"a question two documents answer as half found; its ceiling here is {ceiling:.3f}). "
        "facts: share of key facts stated in the answer text; junk: share of answers with a "
        "sentence the junk rules flag (bm25/dense rows compose from that retriever alone).",
        style="dim",
    )
    _print_boost_effect(advisor, labeled)
    if calibrate:
        found = calibrate_threshold(advisor, labeled)
        out.print(
            f"best abstention threshold: {found.threshold:.3f} (whole decision: "
            f"P {found.precision:.3f}, R {found.recall:.3f}, F1 {found.f1:.3f}; the cut with "
            "the best F0.5, as a wrongful refusal weighs double)"
        )
        signals = Table(title="refusal signals at that threshold")
        for column in ("signal", "must-abstain refused", "answerable refused"):
            signals.add_column(column, justify="left" if column == "signal" else "right")
        for count in found.signals:
            signals.add_row(count.signal, str(count.right), str(count.wrong))
        out.print(signals)


def _print_boost_effect(advisor: Any, labeled: Any) -> None:
    """Curator boosts (front matter ``boost``): ranking with and without them, and each
    boosted document's rank changes (``retrieval.boosts``)."""
    from retrieval.boosts import boost_effect

    effect = boost_effect(advisor, labeled)
    if effect is None:
        out.print("curator boosts: none in the index", style="dim")
        return
    named = ", ".join(f"{doc} ×{factor:g}" for doc, factor in sorted(effect.boosts.items()))
    a, b = effect.without_boosts, effect.with_boosts
    out.print(
        f"curator boosts ({named}): without → with: recall@1 {a.recall_at_1:.3f} → "
        f"{b.recall_at_1:.3f}, recall@5 {a.recall_at_5:.3f} → {b.recall_at_5:.3f}, "
        f"MRR {a.mrr:.3f} → {b.mrr:.3f}, nDCG@5 {a.ndcg_at_5:.3f} → {b.ndcg_at_5:.3f}; "
        f"{len(effect.changes)} rank change(s)",
        markup=False,
        highlight=False,
    )
    for change in effect.changes[:20]:
        fmt = lambda rank: "—" if rank is None else str(rank)  # noqa: E731
        label = "relevant" if change.relevant else "not labeled relevant"
        out.print(
            f"  {change.doc_id} ×{change.boost:g}: rank {fmt(change.rank_without)} → "
            f"{fmt(change.rank_with)} ({label}) for “{change.question}”",
            markup=False,
            highlight=False,
        )


def main() -> None:
    app(obj=CliContext())


if __name__ == "__main__":
    main()
