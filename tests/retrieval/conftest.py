"""Fixtures for retrieval tests: the small corpus and the fake embedder."""

from __future__ import annotations

import pytest

from tests.fakes.embedder import HashEmbedder


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()
