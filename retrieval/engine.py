"""``Advisor``: the one object the CLI and the Slack bot ask questions of.

It owns a loaded index, an embedder and the playbooks' glossary, validates the question,
reads it (``Advisor.correct``: spelling; ``Advisor.expand``: abbreviations), embeds it once,
runs the hybrid search (plus a case-note search for peer cities) and composes the ``Answer``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from retrieval.answer import DEFAULT_ABSTAIN_THRESHOLD, ComposeOptions, compose_answer
from retrieval.documents import DEFAULT_MAX_FILE_BYTES, Corpus, content_hashes, load_corpus
from retrieval.embeddings import Embedder
from retrieval.errors import CorpusError
from retrieval.glossary import Glossary, read_glossary
from retrieval.index import BuildReport, LoadedIndex, build_index, is_current, load_index
from retrieval.models import Answer, Correction, Filters, Hit
from retrieval.question_parts import part_spans
from retrieval.question_text import clean_question
from retrieval.refusal import OFF_TOPIC_BELOW, Signals, signals_for
from retrieval.search import Fusion, Mode, search

MAX_CONTEXT_QUESTIONS = 2
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchOptions:
    top_k: int = 8
    fusion: Fusion = "rrf"
    rrf_k: int = 10  # chosen on the dev set: see BENCHMARKS.md
    alpha: float = 0.5
    max_question_chars: int = 2000
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD  # see retrieval.refusal
    playbooks_url: str | None = None  # web base of the playbooks folder (citation links)


@dataclass(frozen=True)
class Evidence:
    """A question as asked, its spelling corrections, and ``compose_answer``'s arguments."""

    asked: str
    corrections: tuple[Correction, ...]
    compose: dict[str, Any]


class Advisor:
    """Answers questions from one loaded index. Thread-safe for concurrent ``ask`` calls."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        options: SearchOptions | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        index.check_model(embedder)
        self.index = index
        self.embedder = embedder
        self.options = options or SearchOptions()
        self.glossary = glossary or Glossary()
        self._kept = self.glossary.folded  # abbreviations the speller leaves alone
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        *,
        playbooks_dir: Path,
        index_dir: Path,
        embedder: Embedder,
        options: SearchOptions | None = None,
        refresh: bool = True,
        progress: bool = False,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> tuple[Advisor, BuildReport | None, Corpus | None]:
        """Load the index, building it on first use; with ``refresh``, re-index changed files.

        A damaged index raises ``IndexDamaged`` (``advisor index`` repairs it); a broken
        playbook keeps its last good version (``retrieval.index``), reported in the corpus.
        """
        index = load_index(index_dir)
        if index is not None:
            index.check_model(embedder)  # another model: refuse; `advisor index` rebuilds it
        glossary = open_glossary(playbooks_dir)
        corpus = None
        report = None
        if index is not None and refresh and _is_fresh(index, playbooks_dir, embedder):
            return cls(index, embedder, options, glossary), None, None  # no playbook parsed
        if index is None or refresh:
            corpus = load_corpus(
                playbooks_dir,
                max_bytes=max_file_bytes,
                indexed=index.indexed_paths() if index is not None else None,
            )
            if not corpus.documents:  # never replace a good index with an empty one
                raise CorpusError(
                    f"no loadable playbooks in {playbooks_dir} "
                    "(run `advisor playbooks validate` to see why)"
                )
            index, built = build_index(corpus, embedder, index_dir, progress=progress, loaded=index)
            report = built if built.written else None
        return cls(index, embedder, options, glossary), report, corpus

    @property
    def document_count(self) -> int:
        return self.index.document_count

    def validate_question(self, question: str) -> str:
        return clean_question(question, limit=self.options.max_question_chars)

    def search(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        context: Sequence[str] = (),
        k: int | None = None,
    ) -> list[Hit]:
        text, _ = self.correct(self.validate_question(question))
        query = _with_context(self.expand(text), context)
        vector = None if mode == "bm25" else self.embedder.embed([query])[0]
        return search(
            self.index,
            query=query,
            query_vector=vector,
            filters=filters,
            k=k or self.options.top_k,
            mode=mode,
            fusion=self.options.fusion,
            rrf_k=self.options.rrf_k,
            alpha=self.options.alpha,
        )

    def ask(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        context: Sequence[str] = (),
        mode: Mode = "hybrid",
    ) -> Answer:
        """A grounded answer, or an abstention naming the closest topics.

        ``mode`` other than hybrid (for ``advisor eval --compare``) composes from one
        retriever's hits and never abstains.
        """
        evidence = self.evidence(question, filters=filters, context=context, mode=mode)
        options = ComposeOptions(
            abstain_threshold=self.options.abstain_threshold,
            playbooks_url=self.options.playbooks_url,
        )
        answer = compose_answer(**evidence.compose, options=options)
        return replace(answer, question=evidence.asked, corrections=evidence.corrections)

    def evidence(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        context: Sequence[str] = (),
        mode: Mode = "hybrid",
    ) -> Evidence:
        """Everything ``ask`` composes from (the model and search work), without composing:
        ``compose_answer(**evidence.compose, options=…)`` answers, in milliseconds."""
        asked = self.validate_question(question)
        text, corrections = self.correct(asked)
        evidence = self._evidence(asked, text, corrections, filters, context, mode)
        if evidence.compose["refusal"] == "off-topic":
            # A word no one can read ("uitty") can pull a short question's vector away from
            # everything; read without it, the question may be plainly on topic.
            readable = self.index.speller.unreadable(text, keep=self._kept)
            if readable:
                retry = self._evidence(asked, readable, corrections, filters, context, mode)
                if retry.compose["refusal"] is None:
                    return retry
        return evidence

    def _evidence(
        self,
        asked: str,
        text: str,
        corrections: tuple[Correction, ...],
        filters: Filters | None,
        context: Sequence[str],
        mode: Mode,
    ) -> Evidence:
        searched = self.expand(text)
        query = _with_context(searched, context)
        at = len(query) - len(searched)  # the question ends the query (after any context)
        spans = [(at + a, at + b) for a, b in part_spans(searched)]
        vector, part_vectors = self._embed(query, spans)
        common: dict[str, Any] = {
            "query": query,
            "query_vector": vector,
            "fusion": self.options.fusion,
            "rrf_k": self.options.rrf_k,
            "alpha": self.options.alpha,
        }
        hits = search(self.index, filters=filters, k=self.options.top_k, mode=mode, **common)
        peer_filters = replace(filters or Filters(), kinds=("case-note",))
        peer_hits = search(self.index, filters=peer_filters, k=3, mode="dense", **common)
        peer_hits = [h for h in peer_hits if (h.dense or 0.0) >= self.options.abstain_threshold]
        decided, refusal = self._refusal(text, hits, mode)  # the person's words, not ours
        compose = {
            "question": searched,
            "hits": hits,
            "index": self.index,
            "query_vector": vector,
            "part_vectors": part_vectors,
            "peer_hits": peer_hits,
            "decided": decided,
            "refusal": refusal,
        }
        return Evidence(asked, corrections, compose)

    def _embed(
        self, query: str, spans: Sequence[tuple[int, int]]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The query's vector and, for a question of several parts (their ``spans`` in
        ``query``), each part's, mean-pooled over its tokens in the same model pass over the
        whole query, as answer units' vectors are pooled from their chunk's pass: one pass,
        where embedding each part as a text of its own cost one per part (BENCHMARKS.md,
        issue 15, third pass)."""
        if not spans:
            return self.embedder.embed([query])[0], None
        vectors, (part_vectors,) = self.embedder.embed_spans([query], [spans])
        return vectors[0], part_vectors

    def correct(self, question: str) -> tuple[str, tuple[Correction, ...]]:
        """A (validated) question with its misspellings corrected against the library (the
        glossary's abbreviations left as typed), and the corrections."""
        return self.index.speller.correct(question, keep=self._kept)

    def expand(self, text: str) -> str:
        """``text`` as it is searched and answered: each abbreviation followed by its meaning
        ("alpr (automated license plate reader) retention?")."""
        return self.glossary.expand(text, self.index.speller.is_word)

    def signals(self, question: str, hits: Sequence[Hit]) -> Signals:
        """The refusal signals of a (corrected, not expanded) question and its hybrid hits;
        the glossary's abbreviations are names the library knows."""
        return signals_for(question, hits, vocabulary=self.index.vocabulary, known=self._kept)

    def _refusal(
        self, text: str, hits: Sequence[Hit], mode: Mode
    ) -> tuple[bool, Literal["off-topic", "too-specific"] | None]:
        if mode != "hybrid":
            return True, None  # one retriever alone (eval --compare): never refuses
        signals = self.signals(text, hits)
        if not signals.refuses(self.options.abstain_threshold):
            return True, None
        return True, "off-topic" if signals.dense < OFF_TOPIC_BELOW else "too-specific"


def open_glossary(playbooks_dir: Path) -> Glossary:
    """The playbooks' glossary; each bad line is logged (file and line) and left out, and a
    file that cannot be read gives no abbreviations."""
    glossary, problems = read_glossary(playbooks_dir)
    for problem in problems:
        log.warning("glossary problem: %s", problem)
    return glossary or Glossary()


def _is_fresh(index: LoadedIndex, playbooks_dir: Path, embedder: Embedder) -> bool:
    """Whether the loaded index is current for the playbooks on disk, judged by their
    hashes alone (``build_index`` would find the same, after parsing every file)."""
    hashes = content_hashes(playbooks_dir)
    return hashes is not None and is_current(
        index.manifest, model=embedder.name, file_hashes=hashes, embedder=embedder
    )


def _with_context(question: str, context: Sequence[str]) -> str:
    """Follow-ups in a thread are searched together with the thread's earlier questions."""
    earlier = [" ".join(c.split()) for c in context if c and c.strip()][-MAX_CONTEXT_QUESTIONS:]
    return "\n".join([*earlier, question]) if earlier else question
