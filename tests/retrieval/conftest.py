"""Fixtures for retrieval tests: the small corpus and the fake embedder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from retrieval.engine import Advisor, SearchOptions
from tests.fakes.embedder import HashEmbedder

OpenAdvisor = Callable[..., Advisor]


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


def advisor_over(playbooks: Path, index_dir: Path, *, threshold: float = 0.2) -> Advisor:
    """An Advisor over the playbooks in ``playbooks`` with the fake embedder."""
    advisor, _, _ = Advisor.open(
        playbooks_dir=playbooks,
        index_dir=index_dir,
        embedder=HashEmbedder(),
        options=SearchOptions(abstain_threshold=threshold),
    )
    return advisor


@pytest.fixture
def open_advisor(corpus_dir: Path, tmp_path: Path) -> OpenAdvisor:
    """An Advisor over the small corpus with the fake embedder; options as keywords."""

    def make(**options: Any) -> Advisor:
        advisor, _, _ = Advisor.open(
            playbooks_dir=corpus_dir,
            index_dir=tmp_path / "idx",
            embedder=HashEmbedder(),
            options=SearchOptions(**{"abstain_threshold": 0.2, **options}),
        )
        return advisor

    return make
