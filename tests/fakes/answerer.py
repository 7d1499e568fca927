"""A deterministic stand-in for ``retrieval.engine.Advisor`` that builds real ``Answer`` values.

It records every call (question and thread context), can be told to raise or to be slow,
and can return a scripted ``Answer``. Questions containing "nothing-known" abstain.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval.errors import QuestionError
from retrieval.models import Action, Answer, Citation, Filters, Peer, Sentence

DOCUMENTS = 12


@dataclass
class AskCall:
    question: str
    context: tuple[str, ...]
    filters: Filters | None = None


def sample_answer(
    question: str, *, doc_text: str = "Start with a data-sharing agreement."
) -> Answer:
    """A grounded answer with next steps, a peer city and two cited sources."""
    return Answer(
        question=question,
        abstained=False,
        sentences=(Sentence(doc_text, 1), Sentence("Name one owner per dataset.", 2)),
        actions=(
            Action("Draft the agreement with the city attorney", 1),
            Action("Schedule a kickoff with IT", 2),
        ),
        peers=(Peer("Fake City", "Sensor registry", "Published every sensor online.", 2),),
        citations=(
            Citation(
                1,
                "data-sharing",
                "Data sharing",
                "Agreements",
                "data-sharing.md",
                "playbook",
                url="https://example.org/data-sharing",
            ),
            Citation(
                2,
                "fake-city",
                "Fake City sensors",
                "",
                "fake-city.md",
                "case-note",
                city="Fake City",
            ),
        ),
        documents_searched=DOCUMENTS,
        confidence=0.8,
    )


def abstention(question: str) -> Answer:
    return Answer(
        question=question,
        abstained=True,
        closest_topics=("Data sharing › Agreements", "Procurement"),
        documents_searched=DOCUMENTS,
    )


@dataclass
class FakeAnswerer:
    """Answers instantly (or after ``delay``); ``script`` overrides the next answers."""

    max_chars: int = 2000
    delay: float = 0.0
    error: Exception | None = None
    script: list[Answer] = field(default_factory=list)
    calls: list[AskCall] = field(default_factory=list)
    release: threading.Event | None = None  # when set, ask waits for it

    @property
    def document_count(self) -> int:
        return DOCUMENTS

    def ask(
        self, question: str, *, filters: Filters | None = None, context: Sequence[str] = ()
    ) -> Answer:
        self.calls.append(AskCall(question, tuple(context), filters))
        if not question.strip():
            raise QuestionError("The question is empty.")
        if len(question) > self.max_chars:
            raise QuestionError(f"The question is longer than {self.max_chars} characters.")
        if self.release is not None:
            self.release.wait(10)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        if self.script:
            return self.script.pop(0)
        if "nothing-known" in question:
            return abstention(question)
        return sample_answer(question)
