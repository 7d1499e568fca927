"""Live re-index: a running bot picks up playbook edits without a restart.

``LiveAdvisor`` is the ``Answerer`` the app holds. Each question takes the current
``Advisor`` once and is answered entirely by it, so a swap never changes the index under a
question in flight; the swap itself is one reference assignment (atomic in Python). An old
generation stays readable after ``retrieval.index_store`` deletes its files: its chunk
vectors are in memory, and its unit and heading vectors are read through file descriptors
it keeps open (``retrieval.flat.NpyRows``; POSIX keeps an unlinked open file), so questions
in flight finish on the old index.

``Reloader`` checks the playbooks folder every ``ADVISOR_RELOAD_SECONDS`` (and on
``/advisor reindex``), in a background thread of each process (each replica reloads on its
own). A generation another replica already built for the same files is loaded rather than
built again. A new generation is built (only changed text is re-embedded) and swapped in.
Content errors never drop a playbook (``retrieval.index`` keeps its last good version) and
are passed to ``on_problems`` (the curators' DM) whenever the set of errors changes; a
build that fails keeps the last good index and is reported the same way. The glossary
(``playbooks/glossary.txt``) is read on every check too: an edit to it alone swaps in an
advisor on the same index with the new abbreviations, and its bad lines are reported.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.documents import DEFAULT_MAX_FILE_BYTES, load_corpus
from retrieval.embeddings import Embedder
from retrieval.engine import Advisor
from retrieval.glossary import read_glossary
from retrieval.index import LoadedIndex, build_index, is_current, load_index
from retrieval.index_store import read_current_manifest
from retrieval.models import Answer, Filters

log = logging.getLogger(__name__)


class LiveAdvisor:
    """An ``Answerer`` whose ``Advisor`` is swapped whole when a new index is live."""

    def __init__(self, advisor: Advisor) -> None:
        self._current = advisor

    @property
    def current(self) -> Advisor:
        return self._current

    @property
    def embedder(self) -> Embedder:
        return self._current.embedder

    @property
    def document_count(self) -> int:
        return self._current.document_count

    def ask(
        self, question: str, *, filters: Filters | None = None, context: Sequence[str] = ()
    ) -> Answer:
        advisor = self._current  # one generation for the whole question
        return advisor.ask(question, filters=filters, context=context)

    def swap(self, advisor: Advisor) -> None:
        self._current = advisor


@dataclass(frozen=True)
class ReloadResult:
    """What one check did: ``swapped`` a new index in, and the problems it found."""

    swapped: bool
    summary: str
    problems: tuple[str, ...] = ()
    failed: str | None = None  # the error type of a build that failed (last good kept)


class Reloader:
    """Keeps a ``LiveAdvisor`` in step with its playbooks folder (one check at a time)."""

    def __init__(
        self,
        live: LiveAdvisor,
        *,
        playbooks_dir: Path,
        index_dir: Path,
        on_problems: Callable[[tuple[str, ...]], None] = lambda problems: None,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        on_swap: Callable[[], None] = lambda: None,
    ) -> None:
        self.live = live
        self.playbooks_dir = playbooks_dir
        self.index_dir = index_dir
        self._on_problems = on_problems
        self._on_swap = on_swap
        self._max = max_file_bytes
        self._busy = threading.Lock()
        self._reported: tuple[str, ...] = ()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while a check is under way."""
        return self._busy.locked()

    def check(self) -> ReloadResult | None:
        """Bring the live index up to date now; ``None`` if a check is already running."""
        if not self._busy.acquire(blocking=False):
            return None
        try:
            return self._check()
        finally:
            self._busy.release()

    def _check(self) -> ReloadResult:
        advisor = self.live.current
        try:
            corpus = load_corpus(
                self.playbooks_dir, max_bytes=self._max, indexed=advisor.index.indexed_paths()
            )
            read, glossary_problems = read_glossary(self.playbooks_dir)
            glossary = advisor.glossary if read is None else read  # unreadable: keep ours
            problems = tuple(str(problem) for problem in [*corpus.errors, *glossary_problems])
            if not corpus.documents:
                problems = (*problems, f"no loadable playbooks in {self.playbooks_dir}")
                self._report(problems)
                return ReloadResult(
                    False, "no loadable playbooks: the last good index stays", problems
                )
            embedder = advisor.embedder
            hashes = dict(corpus.hashes)
            if is_current(advisor.index.manifest, model=embedder.name, file_hashes=hashes):
                self._report(problems)
                if glossary == advisor.glossary:
                    return ReloadResult(False, "index up to date", problems)
                # only the glossary changed: the same index, read with the new abbreviations
                self.live.swap(Advisor(advisor.index, embedder, advisor.options, glossary))
                return ReloadResult(True, "glossary reloaded", problems)
            index = self._built_elsewhere(embedder.name, hashes)
            summary = "loaded the index another process built"
            if index is None:
                index, report = build_index(corpus, embedder, self.index_dir, loaded=advisor.index)
                summary = report.summary
        except Exception as error:  # keep the last good index, whatever went wrong
            failed = type(error).__name__
            log.error("re-index failed: %s; the last good index stays", failed)
            problems = (f"re-index failed ({failed}); the last good index stays live",)
            self._report(problems)
            return ReloadResult(False, "re-index failed", problems, failed=failed)
        self.live.swap(Advisor(index, advisor.embedder, advisor.options, glossary))
        self._on_swap()
        log.info("re-index live", extra={"documents": index.document_count})
        self._report(problems)
        return ReloadResult(True, summary, problems)

    def _built_elsewhere(self, model: str, hashes: dict[str, str]) -> LoadedIndex | None:
        """The generation on disk, if another replica already built it for these files."""
        manifest = read_current_manifest(self.index_dir)
        if manifest is None or manifest == self.live.current.index.manifest:
            return None
        if not is_current(manifest, model=model, file_hashes=hashes):
            return None
        return load_index(self.index_dir)

    def _report(self, problems: tuple[str, ...]) -> None:
        """Tell the curators when the set of problems changes (never twice the same)."""
        if problems == self._reported:
            return
        self._reported = problems
        if problems:
            try:
                self._on_problems(problems)
            except Exception as error:  # a Slack outage must not stop the reloads
                log.warning("could not tell the curators: %s", type(error).__name__)

    # --- the background loop ----------------------------------------------------------

    def start(self, every_seconds: float) -> None:
        """Check every ``every_seconds`` in a daemon thread (0: never; ``check`` still works)."""
        if every_seconds <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(every_seconds,), name="playbooks-reload", daemon=True
        )
        self._thread.start()

    def _loop(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.check()
            except Exception as error:  # never let the loop die
                log.error("reload check failed: %s", type(error).__name__)

    def check_in_background(self, done: Callable[[ReloadResult | None], None]) -> None:
        """``check`` in a new thread, then ``done(result)`` (``None``: one was running)."""

        def run() -> None:
            result = None
            try:
                result = self.check()
            finally:
                done(result)

        threading.Thread(target=run, name="playbooks-reindex", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)
