"""Fit the answer-evidence weights (``retrieval.answer.Weights``) on the dev set, honestly.

Each dev question with key facts is searched once with the real model (the same steps as
``Advisor.ask``); composing is then cheap, so weights can be searched directly on
facts-in-answer. The reported score is **cross-validated**: the questions are split into
folds by a fixed seed, weights are fitted on the other folds and scored on the held-out one,
so the number is what unseen questions would get, not what the dev set was tuned to.

    python -m bench.fit_answer_weights [--folds 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import CACHE, PLAYBOOKS
from retrieval.answer import ComposeOptions, Weights, compose_answer
from retrieval.documents import load_corpus
from retrieval.embeddings import SentenceTransformerEmbedder
from retrieval.engine import Advisor
from retrieval.evaluation import EvalQuestion, facts_found, junk_in, load_questions
from retrieval.index import build_index

DEV = Path("tests/data/dev_questions")
STEPS = (-0.06, -0.03, -0.015, 0.015, 0.03, 0.06)


@dataclass
class Prepared:
    question: EvalQuestion
    compose: dict[str, Any]  # compose_answer's arguments but options


def prepare(advisor: Advisor, questions: list[EvalQuestion]) -> list[Prepared]:
    return [Prepared(q, advisor.evidence(q.question).compose) for q in questions]


def score(prepared: list[Prepared], weights: Weights) -> tuple[float, float]:
    """(facts-in-answer, junk rate) over ``prepared`` with ``weights``."""
    options = ComposeOptions(weights=weights)
    found, junk = [], 0
    for p in prepared:
        answer = compose_answer(**p.compose, options=options)
        found += facts_found(answer, p.question.key_facts)
        junk += bool(junk_in(answer))
    return sum(found) / len(found), junk / len(prepared)


def fit(prepared: list[Prepared], start: Weights, rounds: int) -> Weights:
    """Coordinate search: nudge one weight at a time while facts-in-answer improves."""
    best, best_score = start, score(prepared, start)[0]
    names = [f.name for f in dataclasses.fields(Weights)]
    for _ in range(rounds):
        improved = False
        for name in names:
            for step in STEPS:
                trial = replace(best, **{name: round(getattr(best, name) + step, 3)})
                value = score(prepared, trial)[0]
                if value > best_score + 1e-9:
                    best, best_score, improved = trial, value, True
        if not improved:
            break
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    embedder = SentenceTransformerEmbedder("bundled:all-MiniLM-L6-v2")
    index, _ = build_index(load_corpus(PLAYBOOKS), embedder, CACHE / "fit-index")
    advisor = Advisor(index, embedder)
    questions = [q for q in load_questions(DEV) if q.key_facts and not q.must_abstain]
    started = time.perf_counter()
    prepared = prepare(advisor, questions)
    print(f"{len(prepared)} questions prepared in {time.perf_counter() - started:.0f}s")
    today = Weights()
    print(
        "shipped weights, all questions: facts {:.3f} junk {:.3f}".format(*score(prepared, today))
    )
    order = list(range(len(prepared)))
    random.Random(args.seed).shuffle(order)
    folds = [order[i :: args.folds] for i in range(args.folds)]
    held_today, held_fitted = [], []
    for number, fold in enumerate(folds, 1):
        test = [prepared[i] for i in fold]
        train = [prepared[i] for i in order if i not in set(fold)]
        fitted = fit(train, today, args.rounds)
        before, after = score(test, today)[0], score(test, fitted)[0]
        held_today.append(before)
        held_fitted.append(after)
        print(f"fold {number}: held-out facts {before:.3f} -> {after:.3f}")
    print(
        f"cross-validated facts-in-answer: shipped {float(np.mean(held_today)):.3f}, fitted {float(np.mean(held_fitted)):.3f}"
    )
    final = fit(prepared, today, args.rounds)
    print("weights fitted on all questions:", final)
    print("all questions with them: facts {:.3f} junk {:.3f}".format(*score(prepared, final)))


if __name__ == "__main__":
    main()
