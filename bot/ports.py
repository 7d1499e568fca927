"""The roles the Slack surface needs from other packages, as protocols.

``Answerer`` is what ``retrieval.engine.Advisor`` provides; tests pass a deterministic
fake (``tests.fakes.answerer.FakeAnswerer``) that builds real ``Answer`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from retrieval.models import Answer, Filters


class Answerer(Protocol):
    """Answers one question from the playbooks (raises ``QuestionError`` on bad input)."""

    @property
    def document_count(self) -> int: ...

    def ask(
        self, question: str, *, filters: Filters | None = None, context: Sequence[str] = ()
    ) -> Answer: ...
