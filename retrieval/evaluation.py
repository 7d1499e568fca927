"""Quality on a labeled question set: retrieval and the answers themselves.

Retrieval: recall@1/@5, MRR, nDCG@5, judged per document (a question lists the ids of the
files that answer it), and abstention precision/recall (a question with no ids, or
``abstain: true``, must make the advisor abstain). recall@1 counts a question that two
documents answer as half found even when the first document is one of them, so its ceiling
is below 1 on a set with such questions (``recall_at_1_ceiling``); **first right** is the
share of questions whose first document is one that answers them.

Answers: a question may list ``key_facts``, short facts a good answer must state.
**facts-in-answer** is the share of key facts present in the answer's text (its sentences,
next steps and peer-city summaries). The matcher is lenient on purpose: a fact is present
when at least 60% of its content words (stop words out, stemmed, as search tokenizes them)
appear anywhere in that text, so paraphrase in word order or grammar does not count against
an answer, but a missing name, number or decision does. **junk rate** is the share of
answers with any sentence the junk rules (``retrieval.junk``) flag. Metric functions are
pure so they can be tested on hand-made rankings and texts.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from retrieval.engine import Advisor
from retrieval.errors import RetrievalError
from retrieval.junk import answer_junk
from retrieval.models import Answer
from retrieval.refusal import MAX_UNKNOWN_NAMES
from retrieval.search import Mode
from retrieval.text import tokenize

RANK_DEPTH = 30
FACT_MATCH = 0.6  # share of a fact's content words that must appear in the answer


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    relevant: tuple[str, ...]
    key_facts: tuple[str, ...] = ()

    @property
    def must_abstain(self) -> bool:
        return not self.relevant


@dataclass(frozen=True)
class Metrics:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    ndcg_at_5: float
    first_right: float = 0.0  # the first document answers the question
    recall_at_1_ceiling: float = 0.0  # the best recall@1 any ranking could reach here
    abstain_precision: float | None = None
    abstain_recall: float | None = None
    facts_in_answer: float | None = None
    junk_rate: float | None = None


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from one YAML file or every ``*.yaml`` in a folder (a list of mappings)."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files or not all(f.exists() for f in files):
        raise RetrievalError(f"no question file at {path}")
    questions: list[EvalQuestion] = []
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        if isinstance(data, dict):
            data = data.get("questions", [])
        if not isinstance(data, list):
            raise RetrievalError(f"{file}: expected a list of questions")
        for number, item in enumerate(data, start=1):
            if not isinstance(item, dict) or not str(item.get("question", "")).strip():
                raise RetrievalError(f"{file}: entry {number} has no 'question'")
            relevant = () if item.get("abstain") else tuple(item.get("relevant") or ())
            facts = item.get("key_facts") or ()
            if not isinstance(facts, list | tuple) or not all(isinstance(f, str) for f in facts):
                raise RetrievalError(f"{file}: entry {number}: 'key_facts' must be a list of text")
            questions.append(EvalQuestion(str(item["question"]).strip(), relevant, tuple(facts)))
    return questions


def distinct_docs(doc_ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(doc_ids))


def recall_at(ranked: Sequence[str], relevant: Sequence[str], k: int) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant)) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Sequence[str]) -> float:
    return next((1.0 / r for r, d in enumerate(ranked, start=1) if d in relevant), 0.0)


def ndcg_at(ranked: Sequence[str], relevant: Sequence[str], k: int) -> float:
    gains = [1.0 / math.log2(r + 1) for r, d in enumerate(ranked[:k], start=1) if d in relevant]
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(set(relevant)), k) + 1))
    return sum(gains) / ideal if ideal else 0.0


def abstention_scores(predicted: Sequence[bool], truth: Sequence[bool]) -> tuple[float, float]:
    """Precision and recall of "abstain" as the positive class."""
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def ranking_metrics(
    rankings: Sequence[Sequence[str]], relevant: Sequence[Sequence[str]]
) -> Metrics:
    n = len(rankings)
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0)
    pairs = list(zip(rankings, relevant, strict=True))
    return Metrics(
        questions=n,
        recall_at_1=sum(recall_at(r, rel, 1) for r, rel in pairs) / n,
        recall_at_5=sum(recall_at(r, rel, 5) for r, rel in pairs) / n,
        mrr=sum(reciprocal_rank(r, rel) for r, rel in pairs) / n,
        ndcg_at_5=sum(ndcg_at(r, rel, 5) for r, rel in pairs) / n,
        first_right=sum(bool(r) and r[0] in rel for r, rel in pairs) / n,
        recall_at_1_ceiling=sum(1 / len(set(rel)) for _, rel in pairs if rel) / n,
    )


def answer_text(answer: Answer) -> str:
    """Everything an answer states: sentences, next steps and peer-city summaries."""
    parts = [s.shown for s in answer.sentences]
    parts += [a.text for a in answer.actions]
    parts += [p.summary for p in answer.peers]
    return "\n".join(parts)


def fact_present(fact: str, text_words: set[str] | frozenset[str]) -> bool:
    """Whether ``fact`` is stated: >= 60% of its content words are among ``text_words``."""
    words = set(tokenize(fact))
    if not words:
        return False
    return len(words & text_words) / len(words) >= FACT_MATCH


def facts_found(answer: Answer, facts: Sequence[str]) -> list[bool]:
    words = set(tokenize(answer_text(answer))) if not answer.abstained else set()
    return [fact_present(fact, words) for fact in facts]


def junk_in(answer: Answer) -> list[tuple[str, str]]:
    """Junk sentences of an answer (with the rule that flagged each)."""
    if answer.abstained:
        return []
    found = answer_junk([s.text for s in answer.sentences])
    found += answer_junk([p.summary for p in answer.peers])
    found += [
        (text, reason)
        for text, reason in answer_junk([a.text for a in answer.actions])
        if reason != "leans on text not shown"  # a checklist item stands under its heading
    ]
    return found


def evaluate(
    advisor: Advisor,
    questions: Sequence[EvalQuestion],
    *,
    mode: Mode = "hybrid",
    answers: bool = True,
) -> Metrics:
    """Ranking metrics over answerable questions; facts-in-answer over those with key facts;
    junk rate over the answers given; abstention P/R over all (hybrid only).

    In ``bm25`` and ``dense`` mode the answers are composed from that retriever's hits
    alone and never abstain (abstention is a property of the hybrid advisor). With
    ``answers=False`` only the ranking metrics are computed (no answer is composed).
    """
    answerable = [q for q in questions if not q.must_abstain]
    rankings = [
        distinct_docs(h.chunk.doc_id for h in advisor.search(q.question, mode=mode, k=RANK_DEPTH))
        for q in answerable
    ]
    metrics = ranking_metrics(rankings, [q.relevant for q in answerable])
    if not answers and mode != "hybrid":
        return metrics
    given_answers = {q.question: advisor.ask(q.question, mode=mode) for q in questions}
    facts = [
        found for q in answerable for found in facts_found(given_answers[q.question], q.key_facts)
    ]
    given = [a for a in given_answers.values() if not a.abstained]
    extra: dict[str, float | None] = {
        "facts_in_answer": sum(facts) / len(facts) if facts else None,
        "junk_rate": sum(bool(junk_in(a)) for a in given) / len(given) if given else 0.0,
    }
    if mode == "hybrid":
        predicted = [given_answers[q.question].abstained for q in questions]
        precision, recall = abstention_scores(predicted, [q.must_abstain for q in questions])
        extra |= {"abstain_precision": precision, "abstain_recall": recall}
    return Metrics(**{**metrics.__dict__, **extra})


def typo_variants(questions: Sequence[EvalQuestion], *, seed: int = 7) -> list[EvalQuestion]:
    """A deterministic misspelled copy: one or two character edits (drop, double, swap or
    replace a letter) in one or two lowercase words of 5+ letters per question."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test set, not a secret
    out = []
    for q in questions:
        tokens = q.question.split(" ")
        eligible = [i for i, t in enumerate(tokens) if re.fullmatch(r"[a-z]{5,}", t)]
        for i in rng.sample(eligible, k=min(len(eligible), rng.choice((1, 2)))):
            tokens[i] = _misspell(tokens[i], rng, edits=rng.choice((1, 2)))
        out.append(EvalQuestion(" ".join(tokens), q.relevant, q.key_facts))
    return out


def _misspell(word: str, rng: random.Random, *, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("drop", "double", "swap", "replace"))
        if kind == "drop":
            word = word[:i] + word[i + 1 :]
        elif kind == "double":
            word = word[:i] + word[i] + word[i:]
        elif kind == "swap":
            word = word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
        else:
            word = word[:i] + rng.choice("aeioustrnl") + word[i + 1 :]
    return word


THRESHOLD_MARGIN = 0.003  # the least cosine between a calibrated threshold and any question


@dataclass(frozen=True)
class SignalCount:
    """What one refusal signal does on a labeled set: the must-abstain questions it refuses
    (right) and the answerable ones (wrong), each counted for every signal that fires."""

    signal: str
    right: int
    wrong: int


@dataclass(frozen=True)
class Calibration:
    threshold: float  # the calibrated cosine cut
    f1: float  # abstention F1 of the whole decision at that cut
    precision: float
    recall: float
    signals: tuple[SignalCount, ...]


def calibrate_threshold(advisor: Advisor, questions: Sequence[EvalQuestion]) -> Calibration:
    """The cosine threshold with the best F0.5 of abstaining on ``questions``, and what each
    refusal signal then contributes.

    Questions the other signals refuse anyway (unknown names, a detail the passages lack:
    ``retrieval.refusal``) abstain at any threshold.
    Candidates are midpoints between neighbouring confidences (so the threshold sits in a gap,
    not on a question) at least ``THRESHOLD_MARGIN`` from both sides, so a paraphrase's small
    shift in cosine does not flip a decision; ties go to the more balanced precision/recall.
    """
    signals = []
    for q in questions:
        text, _ = advisor.correct(advisor.validate_question(q.question))
        signals.append(advisor.signals(text, advisor.search(q.question)))
    truth = [q.must_abstain for q in questions]
    confidences = [0.0 if s.refuses(threshold=0.0) else s.dense for s in signals]
    threshold, f1 = best_threshold(confidences, truth)
    precision, recall = abstention_scores([s.refuses(threshold) for s in signals], truth)
    fired = {
        f"best cosine under {threshold:.3f}": [s.dense < threshold for s in signals],
        f"{MAX_UNKNOWN_NAMES}+ names the library never uses": [
            len(s.unknown_names) >= MAX_UNKNOWN_NAMES for s in signals
        ],
        "asks for a detail the best passages lack": [bool(s.missing_details) for s in signals],
    }
    counts = tuple(
        SignalCount(
            name,
            right=sum(f and t for f, t in zip(flags, truth, strict=True)),
            wrong=sum(f and not t for f, t in zip(flags, truth, strict=True)),
        )
        for name, flags in fired.items()
    )
    return Calibration(threshold, f1, precision, recall, counts)


def best_threshold(
    confidences: Sequence[float], must_abstain: Sequence[bool]
) -> tuple[float, float]:
    """The cut with the best F0.5 of abstaining (precision weighs double: a wrongful refusal
    costs an official an answer, a missed one shows a weak answer), and that cut's F1."""
    values = sorted(set(confidences))
    candidates = [
        (a + b) / 2 for a, b in itertools.pairwise(values) if b - a >= 2 * THRESHOLD_MARGIN
    ] or [values[0] if values else 0.0]
    best_key: tuple[float, float] = (-1.0, -1.0)
    chosen, chosen_f1 = candidates[0], 0.0
    for threshold in candidates:
        predicted = [c < threshold for c in confidences]
        precision, recall = abstention_scores(predicted, must_abstain)
        key = (round(_f_beta(precision, recall, 0.5), 9), min(precision, recall))
        if key > best_key:
            best_key, chosen, chosen_f1 = key, threshold, _f_beta(precision, recall, 1.0)
    return round(chosen, 3), chosen_f1


def _f_beta(precision: float, recall: float, beta: float) -> float:
    b2 = beta * beta
    denominator = b2 * precision + recall
    return (1 + b2) * precision * recall / denominator if denominator else 0.0
