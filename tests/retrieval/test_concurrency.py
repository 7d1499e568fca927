"""The Slack worker pool calls ``Advisor.ask`` from several threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from retrieval.engine import Advisor

pytestmark = pytest.mark.model
QUESTIONS = [
    "who decides when departments disagree in a working group?",
    "what goes in a data sharing agreement with a university?",
    "how do we patch thousands of sensors safely?",
    "what did Oakland's privacy commission do?",
]


def test_concurrent_asks_match_sequential_answers(shipped_advisor: Advisor) -> None:
    questions = [f"{q} (variant {i})" for i in range(6) for q in QUESTIONS]
    sequential = [shipped_advisor.ask(q).to_dict() for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda q: shipped_advisor.ask(q).to_dict(), questions))
    assert concurrent == sequential
