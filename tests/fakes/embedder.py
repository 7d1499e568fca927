"""A deterministic, hash-seeded fake embedder for fast unit tests.

Each word maps to a fixed random vector (seeded by its hash); a text is the normalized sum
of its words' vectors. Texts sharing words are similar, so ranking behaves sensibly, and
it runs in microseconds. It counts what it embeds, so tests can prove re-use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from retrieval.text import tokenize


class HashEmbedder:
    def __init__(self, dimension: int = 64, name: str = "fake-hash-64") -> None:
        self._dimension = dimension
        self._name = name
        self.embedded: list[str] = []
        self.fail_after: int | None = None  # raise once this many texts have been embedded

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self._dimension).astype(np.float32)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            if self.fail_after is not None and len(self.embedded) >= self.fail_after:
                raise RuntimeError("simulated crash while embedding")
            self.embedded.append(text)
            out[row] = self._vector(text)
        return out

    def embed_spans(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Texts as ``embed``; each span as the words of its own slice (counted once, with
        its text, in ``embedded``)."""
        vectors = self.embed(texts)
        per_text = [
            np.array([self._vector(text[a:b]) for a, b in text_spans], dtype=np.float32).reshape(
                len(text_spans), self._dimension
            )
            for text, text_spans in zip(texts, spans, strict=True)
        ]
        return vectors, per_text

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for word in tokenize(text):
            vector += self._word(word)
        norm = np.linalg.norm(vector)
        return vector / norm if norm > 0 else vector
