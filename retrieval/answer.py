"""Compose a grounded ``Answer`` from ranked hits (no LLM): extractive, cited, or abstaining.

- **Evidence.** Candidates are the answer units (``retrieval.units``: sentences, list items,
  table rows) of the documents the search ranked: every section of the top documents, not only
  the chunks that happened to rank, so the section whose heading matches the question is in
  play. Each unit is scored by its meaning (cosine between the question and the unit's vector,
  pooled from its section's token embeddings at index time), its rare query words, its
  document's rank, a match between the question and the section heading, and, when the
  question asks what to do, a preference for the guide's bottom line over its pitfalls; when
  it asks about a case or what peers did, the case note's collective-action lesson, its
  takeaway for another city, weighs as a guide's bottom line does.
- **Sentences.** The best units are picked by maximal marginal relevance. A sentence that
  leans on the one before it ("These records…") is shown together with it, or not at all.
  Junk (``retrieval.junk``) is never shown. Each sentence cites its exact section. A table
  whose section holds one of the best units answers with its rows, in its own order; a case
  note's sentence that does not say where it happened carries its place (``Sentence.place``).
- **What to do next.** ``## Actions`` items of every retrieved playbook, ranked by the same
  relevance, near-duplicates removed.
- **Peer cities.** Case notes above a relevance bar, each summarized by its section that best
  matches the question, else its front-matter ``summary``; never a sentence already shown.
- **Sources.** With a playbooks web address, each citation links to the file and heading;
  the front matter's public sources come along as secondary links.
- Below the relevance threshold it abstains and names the closest topics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from retrieval.index import LoadedIndex
from retrieval.junk import junk_reason, leans_back
from retrieval.models import Action, Answer, Chunk, Citation, Hit, Peer, Sentence
from retrieval.refusal import OFF_TOPIC_BELOW, RELATED_AT_LEAST
from retrieval.text import tokenize
from retrieval.units import Unit, clean_inline

__all__ = ["DEFAULT_ABSTAIN_THRESHOLD", "ComposeOptions", "clean_inline", "compose_answer"]

# Calibrated on tests/data/dev_questions (see BENCHMARKS.md, "Abstention threshold").
DEFAULT_ABSTAIN_THRESHOLD = 0.365
SKIP_SECTIONS = frozenset({"related", "sources", "see also"})
ACTION_SECTIONS = frozenset({"actions", "what to do next", "checklist"})
PITFALL_SECTIONS = frozenset({"pitfalls", "common mistakes", "what goes wrong"})
BACKGROUND_SECTIONS = frozenset({"stakeholders and motives"})
LESSON_SECTIONS = frozenset({"collective-action lesson"})


@dataclass(frozen=True)
class Weights:
    """How evidence is scored (chosen on the dev set; see BENCHMARKS.md, "Answers")."""

    unit: float = 0.35  # cosine of the question and the unit
    heading: float = 0.25  # cosine of the question and the unit's "Title › Section"
    words: float = 0.20  # share of the question's rare words (IDF-weighted) in the unit
    document: float = 0.20  # times 1 / (1 + rank / 2) of the unit's document in the search
    in_hits: float = 0.04  # the unit's own chunk was among the search hits
    fullness: float = 0.06  # times min(length, 300) / 300: fuller units carry the substance
    heading_words: float = 0.07  # share of the section heading's words the question uses
    opening: float = 0.05  # a guide's bottom line, or the story of the case asked about
    case_in_how_to: float = -0.05  # a case note's unit, for a "what do we do" question
    pitfall_in_how_to: float = -0.06  # a Pitfalls unit, for a "what do we do" question
    background: float = -0.04  # "who wanted what" sections, unless their heading matches
    lesson: float = 0.05  # a case note's lesson, for a question about cases (as ``opening``)


_PEER_QUESTION = re.compile(
    r"\b(?:cit(?:y|ies)|count(?:y|ies)|anyone|anybody|any(?:where| place)|peers?|others?|"
    r"another|elsewhere|precedent|example|has (?:a|any)|did (?:a|any)|who (?:has|did))\b",
    re.IGNORECASE,
)
_ACTION_QUESTION = re.compile(
    r"\b(?:what (?:should|do|can|must)|how (?:do|should|can|to|would)|where (?:do|should) "
    r"(?:we|i) start|what(?:'s| is) the first|first step|steps?\b|what now|now what|"
    r"do we need|should we|who should|checklist|plan\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ComposeOptions:
    max_sentences: int = 9  # LEAD_SENTENCES answer; the rest are further points
    max_body_chars: int = 1800
    max_actions: int = 4
    max_peers: int = 2
    mmr_lambda: float = 0.75
    abstain_threshold: float = DEFAULT_ABSTAIN_THRESHOLD
    documents: int = 4  # how many top documents' sections are read for evidence
    peer_margin: float = 0.08  # a peer's best similarity may trail the answer's by this much
    sentence_margin: float = 0.3  # a sentence scoring this far below the best is left out
    per_section: int = 4  # sentence groups shown from one section
    table_rows: int = 6  # rows shown from one table (in the table's order)
    playbooks_url: str | None = None  # web base of the playbooks folder, for citation links
    weights: Weights = field(default_factory=Weights)


@dataclass
class _Candidate:
    unit: Unit
    chunk: Chunk
    position: int  # chunk position in the index
    vector: np.ndarray
    score: float
    words: frozenset[str] = field(default_factory=frozenset)
    part_scores: tuple[float, ...] = ()  # the score against each part of the question
    # the whole question's evidence, one value per ``Weights`` field, in its order
    features: tuple[float, ...] = ()


class _Citations:
    """Numbers citations in order of first use, one per document section."""

    def __init__(self, index: LoadedIndex, playbooks_url: str | None) -> None:
        self.index = index
        self.playbooks_url = playbooks_url
        self.items: list[Citation] = []
        self._numbers: dict[tuple[str, tuple[str, ...]], int] = {}

    def number(self, chunk: Chunk) -> int:
        key = (chunk.doc_id, chunk.headings)
        if key not in self._numbers:
            record = self.index.documents.get(chunk.doc_id, {})
            path = str(record.get("path", ""))
            self._numbers[key] = len(self.items) + 1
            self.items.append(
                Citation(
                    number=len(self.items) + 1,
                    doc_id=chunk.doc_id,
                    title=chunk.doc_title,
                    section=" › ".join(chunk.headings),
                    path=path,
                    kind=chunk.kind,
                    url=playbook_link(self.playbooks_url, path, chunk.headings),
                    sources=tuple(record.get("sources") or ()),
                    city=record.get("city"),
                )
            )
        return self._numbers[key]


def playbook_link(base: str | None, path: str, headings: Sequence[str]) -> str | None:
    """``base/path#heading-anchor`` (GitHub/GitLab style anchors), or None without a base."""
    if not base or not path:
        return None
    link = f"{base.rstrip('/')}/{path}"
    return f"{link}#{heading_anchor(headings[-1])}" if headings else link


def heading_anchor(heading: str) -> str:
    """The anchor GitHub and GitLab give a Markdown heading."""
    text = clean_inline(heading).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def confidence_of(hits: Sequence[Hit]) -> float:
    """The relevance signal the abstention threshold applies to: best dense similarity."""
    return max((h.dense for h in hits if h.dense is not None), default=0.0)


def compose_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    index: LoadedIndex,
    query_vector: np.ndarray,
    part_vectors: np.ndarray | None = None,
    peer_hits: Sequence[Hit] = (),
    options: ComposeOptions | None = None,
    refusal: Literal["off-topic", "too-specific"] | None = None,
    decided: bool = False,
) -> Answer:
    """Build the ``Answer`` for ``question`` from ranked ``hits`` (see module docstring).

    ``part_vectors`` embed the parts of a question that asks several things
    (``retrieval.question_parts``); the answer then covers each part. When the caller has
    ``decided`` whether to refuse (``retrieval.refusal``), ``refusal`` says why, or is None to
    answer; otherwise a best cosine under ``options.abstain_threshold`` refuses.
    """
    options = options or ComposeOptions()
    confidence = confidence_of(hits)
    searched = index.document_count
    if not decided and (not hits or confidence < options.abstain_threshold):
        refusal = "off-topic" if confidence < OFF_TOPIC_BELOW else "too-specific"
    if refusal is not None or not hits:
        related = [h for h in hits if (h.dense or 0.0) >= RELATED_AT_LEAST]
        return Answer(
            question=question,
            abstained=True,
            closest_topics=_distinct_titles(related, 3) if refusal != "off-topic" else (),
            refusal=refusal or "off-topic",
            documents_searched=searched,
            confidence=confidence,
            hits=tuple(hits),
        )
    query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
    scorer = _Scorer(question, query, index, hits, part_vectors, options.weights)
    citations = _Citations(index, options.playbooks_url)
    docs = _distinct_docs(hits, options.documents)
    candidates = _tables_with_their_section(scorer.candidates(docs, body=True))
    opening = _case_opening(scorer, hits, citations)
    subject = hits[0].chunk.doc_id if opening is not None else None
    sentences, shown = _pick_sentences(
        candidates, options, citations, opening, label=lambda c: _case_label(scorer, c, subject)
    )
    actions = _pick_actions(scorer, hits, options, citations, shown)
    peers = _pick_peers(scorer, [*hits, *peer_hits], confidence, options, citations, shown)
    return Answer(
        question=question,
        abstained=False,
        sentences=tuple(sentences),
        actions=tuple(actions),
        peers=tuple(peers),
        citations=tuple(citations.items),
        documents_searched=searched,
        confidence=confidence,
        hits=tuple(hits),
    )


class _Scorer:
    """Relevance of answer units to one question."""

    def __init__(
        self,
        question: str,
        query: np.ndarray,
        index: LoadedIndex,
        hits: Sequence[Hit],
        parts: np.ndarray | None = None,
        weights: Weights | None = None,
    ) -> None:
        self.w = weights or Weights()
        self.index = index
        self.question = question
        self.query = query
        self.parts = (
            np.asarray(parts, dtype=np.float32).reshape(-1, query.shape[0])
            if parts is not None and len(parts)
            else np.zeros((0, query.shape[0]), dtype=np.float32)
        )
        terms = set(tokenize(question))
        self.weights = {term: index.bm25.idf(term) for term in terms}
        self.wants_action = bool(_ACTION_QUESTION.search(question))
        self.doc_rank = {doc: rank for rank, doc in enumerate(_distinct_docs(hits, 50))}
        self.hit_rank = {h.chunk.id: rank for rank, h in enumerate(hits)}

    def overlap(self, words: frozenset[str]) -> float:
        total = sum(self.weights.values())
        return sum(w for t, w in self.weights.items() if t in words) / total if total else 0.0

    def names_place(self, chunk: Chunk) -> bool:
        """Whether the question names the case note's city or a name in its title."""
        record = self.index.documents.get(chunk.doc_id, {})
        names = " ".join(re.findall(r"\b[A-Z][\w'’-]*", chunk.doc_title))
        place = set(tokenize(f"{record.get('city') or ''} {names}"))
        return bool(place & set(self.weights))

    def about_cases(self, chunk: Chunk) -> bool:
        """Whether the question is about this case (names it) or about what peers did."""
        if self.names_place(chunk):
            return True
        return not self.wants_action and bool(_PEER_QUESTION.search(self.question))

    def heading_match(self, chunk: Chunk) -> float:
        """Share of the section heading's words that the question uses (0 for none)."""
        if not chunk.headings:
            return 0.0
        words = set(tokenize(chunk.headings[-1]))
        if not words:
            return 0.0
        return len(words & set(self.weights)) / len(words)

    def candidates(
        self, docs: Sequence[str], *, body: bool = False, sections: frozenset[str] | None = None
    ) -> list[_Candidate]:
        """Scored units of every section of ``docs`` (body sections, or only ``sections``)."""
        out: list[_Candidate] = []
        for doc_id in docs:
            doc_prior = 1.0 / (1.0 + 0.5 * self.doc_rank.get(doc_id, len(self.doc_rank)))
            for position in self.index.by_doc.get(doc_id, []):
                chunk = self.index.chunks[position]
                top = chunk.headings[0].casefold() if chunk.headings else ""
                if sections is not None and top not in sections:
                    continue
                if body and (top in SKIP_SECTIONS or top in ACTION_SECTIONS):
                    continue
                units, vectors = self.index.units(position)
                if not units:
                    continue
                unit_words = self.index.unit_words(position)
                similarity = vectors @ self.query
                by_part = vectors @ self.parts.T  # (units, parts)
                heading = np.asarray(self.index.heading_vectors[position], dtype=np.float32)
                heading_sim = float(heading @ self.query)
                heading_by_part = heading @ self.parts.T
                w = self.w
                section_features = self._section_features(chunk, top)
                section_weights = (
                    w.heading_words,
                    w.opening,
                    w.case_in_how_to,
                    w.pitfall_in_how_to,
                    w.background,
                    w.lesson,
                )
                section = sum(
                    weight * value
                    for weight, value in zip(section_weights, section_features, strict=True)
                )
                in_hits = 1.0 if chunk.id in self.hit_rank else 0.0
                for row, (unit, vector) in enumerate(zip(units, vectors, strict=True)):
                    words = unit_words[row]
                    overlap = self.overlap(words)
                    # Longer units carry more of the substance (names, numbers, decisions).
                    fullness = min(len(unit.text), 300) / 300
                    rest = (
                        w.words * overlap
                        + w.document * doc_prior
                        + section
                        + w.in_hits * in_hits
                        + w.fullness * fullness
                    )
                    parts = tuple(
                        w.unit * float(s) + w.heading * float(h) + rest
                        for s, h in zip(by_part[row], heading_by_part, strict=True)
                    )
                    whole = w.unit * float(similarity[row]) + w.heading * heading_sim + rest
                    score = max((whole, *parts))
                    features = (
                        float(similarity[row]),
                        heading_sim,
                        overlap,
                        doc_prior,
                        in_hits,
                        fullness,
                        *section_features,
                    )
                    out.append(
                        _Candidate(unit, chunk, position, vector, score, words, parts, features)
                    )
        return out

    def _section_features(
        self, chunk: Chunk, top: str
    ) -> tuple[float, float, float, float, float, float]:
        """heading words, opening, case in a how-to, pitfall in a how-to, background, lesson."""
        return (
            self.heading_match(chunk),
            # a guide's bottom line, or the story of the case asked about
            float(not chunk.headings and (chunk.kind == "playbook" or self.about_cases(chunk))),
            # "what do we do": the guides answer, peers illustrate
            float(self.wants_action and chunk.kind == "case-note" and not self.names_place(chunk)),
            float(self.wants_action and top in PITFALL_SECTIONS),
            # who wanted what: context, rarely the answer itself
            float(top in BACKGROUND_SECTIONS and not self.heading_match(chunk)),
            float(chunk.kind == "case-note" and top in LESSON_SECTIONS and self.about_cases(chunk)),
        )


TABLE_SECTIONS = 2  # a table is read with the section of one of this many best units
TABLE_MARGIN = 0.02  # its rows then score this far under that section's best unit


def _tables_with_their_section(candidates: list[_Candidate]) -> list[_Candidate]:
    """Rows of a table in the section of one of the best prose units score with that section.

    A row reads as "Isolate devices from the network — IT / security office: Leads; …": a
    telegraphic line whose own cosine with a question runs well below the prose around it,
    so a section that answers "who do we call first" showed its anecdotes, never its table
    of who does what. When the question matches the section (one of its prose units is among
    the ``TABLE_SECTIONS`` best), the table is the section's answer: its rows score just
    under the section's best unit.
    """
    prose = sorted((c for c in candidates if c.unit.kind != "row"), key=lambda c: -c.score)
    best: dict[tuple[str, tuple[str, ...]], float] = {}
    for c in prose[:TABLE_SECTIONS]:
        if c.chunk.headings:  # the opening paragraph holds no table
            key = (c.chunk.doc_id, c.chunk.headings)
            best[key] = max(best.get(key, -1.0), c.score)
    for c in candidates:
        if c.unit.kind == "row" and (c.chunk.doc_id, c.chunk.headings) in best:
            # the lifted rows tie: the least redundant goes first, and ``_tables_in_order``
            # shows them in the table's order
            c.score = max(c.score, best[c.chunk.doc_id, c.chunk.headings] - TABLE_MARGIN)
    return candidates


def _tables_in_order(chosen: list[list[_Candidate]]) -> list[list[_Candidate]]:
    """The rows shown from one table together, in the table's order, where its first shown
    row was (rows are picked by relevance, one at a time)."""
    rows: dict[tuple[int, int], list[list[_Candidate]]] = {}
    for group in chosen:
        if group[0].unit.kind == "row":
            rows.setdefault((group[0].position, group[0].unit.block), []).append(group)
    out: list[list[_Candidate]] = []
    for group in chosen:
        if group[0].unit.kind != "row":
            out.append(group)
            continue
        table = rows.pop((group[0].position, group[0].unit.block), None)
        if table is not None:  # the table's first shown row: all of them, in order
            out.extend(sorted(table, key=lambda g: g[0].unit.position))
    return out


def _case_opening(scorer: _Scorer, hits: Sequence[Hit], citations: _Citations) -> Sentence | None:
    """When the question is about one peer city's case, its curated summary opens the answer.

    That is when the best match is a case note and the question names its place or asks
    what other places did; a "what do we do" question is answered from the guides first.
    """
    index = scorer.index
    top = hits[0].chunk
    record = index.documents.get(top.doc_id, {})
    summary = record.get("summary")
    if top.kind != "case-note" or not summary:
        return None
    if not scorer.about_cases(top):
        return None
    positions = index.by_doc.get(top.doc_id, [])
    lead = index.chunks[positions[0]] if positions else top
    return Sentence(str(summary), citations.number(lead))


def _pick_sentences(
    candidates: list[_Candidate],
    options: ComposeOptions,
    citations: _Citations,
    opening: Sentence | None = None,
    label: Callable[[Chunk], str | None] = lambda chunk: None,
) -> tuple[list[Sentence], set[str]]:
    by_place = {_place(c): c for c in candidates}
    seen_text: set[str] = set()
    said = frozenset(tokenize(opening.text)) if opening is not None else frozenset()
    pool = []
    for c in sorted(candidates, key=lambda c: -c.score):
        # Chunks overlap by a sentence: the same text twice is one candidate; a sentence
        # that mostly restates the case's summary adds nothing under it.
        if c.unit.text in seen_text or _restates(c.words, said):
            continue
        if junk_reason(c.unit.text, standalone=False) is None:
            seen_text.add(c.unit.text)
            pool.append(c)
    length = len(opening.text) if opening is not None else 0
    shown: set[str] = set()  # texts shown so far (the same sentence may sit in two chunks)
    chosen: list[list[_Candidate]] = []  # groups shown together (a sentence and its lead-in)
    per_section: dict[tuple[str, tuple[str, ...], bool], int] = {}
    used: set[tuple[int, int, int]] = set()
    floor = 0.0
    if pool:  # filler well below the best evidence is never shown
        floor = pool[0].score - options.sentence_margin
        pool = [c for c in pool if c.score >= floor]
    vectors = np.stack([c.vector for c in pool]) if pool else np.zeros((0, 0), np.float32)
    scores = np.array([c.score for c in pool])
    by_part = np.array([c.part_scores for c in pool]).reshape(len(pool), -1)
    redundancy = np.zeros(len(pool))  # each candidate's highest cosine to what is shown
    alive = np.ones(len(pool), dtype=bool)
    parts_left = list(range(by_part.shape[1]))
    lam = options.mmr_lambda
    while alive.any() and len(chosen) < options.max_sentences:
        if parts_left:  # first, the best evidence for each part of the question
            values = by_part[:, parts_left.pop(0)]
        else:  # then maximal marginal relevance
            values = lam * scores - (1 - lam) * redundancy
        index = int(np.argmax(np.where(alive, values, -np.inf)))
        alive[index] = False
        best = pool[index]
        if _place(best) in used or redundancy[index] > 0.9:
            continue
        group = _with_lead_in(best, by_place)
        if group is None or any(_place(g) in used or g.unit.text in shown for g in group):
            continue
        core = len(group)
        for _ in range(FOLLOW_ON):
            follow = _follow_on(group[-1], by_place, used, floor)
            # chunks overlap by a sentence: a shown sentence may sit in the next chunk too
            if follow is None or follow.unit.text in shown:
                break
            group.append(follow)
        # A few sentence groups a section, and a table's rows on top.
        section = (best.chunk.doc_id, best.chunk.headings, best.unit.kind == "row")
        cap = options.table_rows if best.unit.kind == "row" else options.per_section
        if per_section.get(section, 0) >= cap:
            continue
        size = sum(len(m.unit.text) + 1 for m in group)
        while chosen and length + size > options.max_body_chars and len(group) > core:
            size -= len(group.pop().unit.text) + 1  # the story's tail goes before the sentence
        if chosen and length + size > options.max_body_chars:
            continue
        length += size
        per_section[section] = per_section.get(section, 0) + 1
        chosen.append(group)
        for member in group:
            used.add(_place(member))
            shown.add(member.unit.text)
            redundancy = np.maximum(redundancy, vectors @ member.vector)
    chosen = _tables_in_order(chosen)
    sentences = [
        Sentence(
            " ".join(m.unit.text for m in group),
            citations.number(group[-1].chunk),
            _place_of(group, label),
        )
        for group in chosen
    ]
    # The guide's opening paragraph (its bottom line) leads when it was picked at all.
    sentences = [s for g, s in zip(chosen, sentences, strict=True) if not g[0].chunk.headings] + [
        s for g, s in zip(chosen, sentences, strict=True) if g[0].chunk.headings
    ]
    if opening is not None:
        sentences.insert(0, opening)
        shown.add(opening.text)
    return sentences, shown


def _case_label(scorer: _Scorer, chunk: Chunk, subject: str | None) -> str | None:
    """The place a case note's sentence happened, to name before it ("Toronto"), unless the
    answer is about that case (it opened with its summary, or the question names it)."""
    if chunk.kind != "case-note" or chunk.doc_id == subject or scorer.names_place(chunk):
        return None
    city = str(scorer.index.documents.get(chunk.doc_id, {}).get("city") or "")
    if city and " and " not in city:
        return city.split(",")[0].strip()
    return chunk.doc_title.split(":")[0].strip() or None  # a network of cities: its name


def _place_of(group: Sequence[_Candidate], label: Callable[[Chunk], str | None]) -> str | None:
    """Where a case note's passage happened, when its text does not say."""
    place = label(group[-1].chunk)
    if place is None or any(place.split()[0] in m.unit.text for m in group):
        return None
    return place


def _place(candidate: _Candidate) -> tuple[int, int, int]:
    return (candidate.position, candidate.unit.block, candidate.unit.position)


def _with_lead_in(
    candidate: _Candidate, by_place: dict[tuple[int, int, int], _Candidate]
) -> list[_Candidate] | None:
    """The candidate alone, or with up to two sentences before it that it leans on."""
    group = [candidate]
    while leans_back(group[0].unit.text):
        unit = group[0].unit
        before = by_place.get((group[0].position, unit.block, unit.position - 1))
        if before is None or len(group) == 3 or junk_reason(before.unit.text, standalone=False):
            return None
        group.insert(0, before)
    return group


FOLLOW_ON = 2  # sentences that may carry a shown one's story on
RESTATES_AT = 0.5  # share of a sentence's words already said that makes it a restatement


def _restates(words: frozenset[str], said: frozenset[str]) -> bool:
    """Whether most of ``words`` were already said (``said``: the opening's words)."""
    return bool(words) and bool(said) and len(words & said) / len(words) >= RESTATES_AT


def _follow_on(
    candidate: _Candidate,
    by_place: dict[tuple[int, int, int], _Candidate],
    used: set[tuple[int, int, int]],
    floor: float,
) -> _Candidate | None:
    """The sentence right after ``candidate`` in its paragraph, when it carries the story on
    ("Service began in February 2020." -> "It was halted two weeks later, after…") and is
    itself relevant enough to be shown."""
    unit = candidate.unit
    if unit.kind != "sentence":
        return None
    after = by_place.get((candidate.position, unit.block, unit.position + 1))
    if after is None or after.unit.kind != "sentence" or after.score < floor:
        return None
    if _place(after) in used:
        return None
    if junk_reason(after.unit.text, standalone=False) is not None:
        return None
    return after


def _pick_actions(
    scorer: _Scorer,
    hits: Sequence[Hit],
    options: ComposeOptions,
    citations: _Citations,
    shown: set[str],
) -> list[Action]:
    playbooks = _distinct_docs([h for h in hits if h.chunk.kind == "playbook"], 4)
    candidates = scorer.candidates(playbooks, sections=ACTION_SECTIONS)
    candidates = [
        c for c in candidates if c.unit.text not in shown and not _action_junk(c.unit.text)
    ]
    candidates.sort(key=lambda c: -c.score)
    picked: list[_Candidate] = []
    for candidate in candidates:
        if any(_near_duplicate(candidate, p) for p in picked):
            continue
        picked.append(candidate)
        if len(picked) == options.max_actions:
            break
    return [Action(c.unit.text, citations.number(c.chunk)) for c in picked]


def _action_junk(text: str) -> bool:
    reason = junk_reason(text, standalone=True)
    return reason is not None and reason != "leans on text not shown"


def _near_duplicate(a: _Candidate, b: _Candidate) -> bool:
    if float(a.vector @ b.vector) > 0.9:
        return True
    union = a.words | b.words
    return bool(union) and len(a.words & b.words) / len(union) > 0.5


def _pick_peers(
    scorer: _Scorer,
    hits: Sequence[Hit],
    confidence: float,
    options: ComposeOptions,
    citations: _Citations,
    shown: set[str],
) -> list[Peer]:
    """Case notes nearly as relevant as the answer itself, each with its own summary."""
    asks_for_peers = bool(_PEER_QUESTION.search(scorer.question))
    bar = options.abstain_threshold
    if not asks_for_peers:  # unasked, a peer must be nearly as relevant as the answer
        bar = max(bar, confidence - options.peer_margin)
    best: dict[str, float] = {}
    for hit in hits:
        if hit.chunk.kind == "case-note" and hit.dense is not None and hit.dense >= bar:
            best[hit.chunk.doc_id] = max(best.get(hit.chunk.doc_id, 0.0), hit.dense)
    peers: list[Peer] = []
    for doc_id in sorted(best, key=lambda d: -best[d])[: options.max_peers]:
        peer = _peer(scorer, doc_id, citations, shown)
        if peer is not None:
            peers.append(peer)
    return peers


def _peer(scorer: _Scorer, doc_id: str, citations: _Citations, shown: set[str]) -> Peer | None:
    index = scorer.index
    record = index.documents.get(doc_id, {})
    positions = index.by_doc.get(doc_id, [])
    if not positions:
        return None
    lead = index.chunks[positions[0]]
    city = record.get("city") or lead.doc_title
    candidates = [
        c
        for c in scorer.candidates([doc_id], body=True)
        if c.chunk.headings  # the opening paragraph is what `summary` replaces
        and c.unit.text not in shown
        and junk_reason(c.unit.text) is None
    ]
    if candidates:
        top = max(candidates, key=lambda c: c.score)
        if scorer.heading_match(top.chunk) > 0 or float(top.vector @ scorer.query) >= 0.5:
            shown.add(top.unit.text)
            return Peer(city, lead.doc_title, top.unit.text, citations.number(top.chunk))
    summary = record.get("summary")
    if summary and summary not in shown:
        return Peer(city, lead.doc_title, str(summary), citations.number(lead))
    return None


def _distinct_docs(hits: Sequence[Hit], limit: int) -> list[str]:
    out: list[str] = []
    for hit in hits:
        if hit.chunk.doc_id not in out:
            out.append(hit.chunk.doc_id)
        if len(out) == limit:
            break
    return out


def _distinct_titles(hits: Sequence[Hit], limit: int) -> tuple[str, ...]:
    titles: list[str] = []
    for hit in hits:
        if hit.chunk.doc_title not in titles:
            titles.append(hit.chunk.doc_title)
        if len(titles) == limit:
            break
    return tuple(titles)
