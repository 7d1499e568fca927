"""Okapi BM25 over chunks, as plain numpy arrays (CSR postings) so it persists and loads fast."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.text import tokenize


@dataclass
class BM25Index:
    """Term -> postings (chunk positions, term frequencies), plus chunk lengths."""

    vocabulary: dict[str, int]
    indptr: np.ndarray  # int64, len(vocab)+1
    postings: np.ndarray  # int32 chunk positions
    frequencies: np.ndarray  # float32 term frequencies
    lengths: np.ndarray  # float32 tokens per chunk
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> BM25Index:
        by_term: dict[str, list[tuple[int, int]]] = {}
        lengths = np.zeros(len(texts), dtype=np.float32)
        for position, text in enumerate(texts):
            tokens = tokenize(text)
            lengths[position] = len(tokens)
            for term, count in Counter(tokens).items():
                by_term.setdefault(term, []).append((position, count))
        terms = sorted(by_term)
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        for i, term in enumerate(terms):
            indptr[i + 1] = indptr[i] + len(by_term[term])
        postings = np.fromiter(
            (pos for t in terms for pos, _ in by_term[t]), dtype=np.int32, count=int(indptr[-1])
        )
        freqs = np.fromiter(
            (cnt for t in terms for _, cnt in by_term[t]), dtype=np.float32, count=int(indptr[-1])
        )
        vocabulary = {term: i for i, term in enumerate(terms)}
        return cls(vocabulary, indptr, postings, freqs, lengths, k1, b)

    @classmethod
    def updated(
        cls,
        texts: Sequence[str],
        reuse: Sequence[int],
        previous: BM25Index,
        *,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> BM25Index:
        """``build(texts)``, the same arrays, where ``reuse[i] >= 0`` says ``texts[i]`` is the
        text of ``previous``'s chunk ``reuse[i]`` (tokenized the same way): its term counts
        and length are read from ``previous``'s postings instead of tokenizing it again. An
        index update after a one-file edit tokenizes that file's chunks only."""
        if len(reuse) != len(texts):
            raise ValueError("one reuse position per text")
        wanted = np.asarray(reuse, dtype=np.int64).reshape(-1)
        old_of_new = np.full(len(texts), -1, dtype=np.int64)
        candidates = np.flatnonzero((wanted >= 0) & (wanted < previous.size))
        # each old chunk is read into one new position; a repeat of it is tokenized
        _, first = np.unique(wanted[candidates], return_index=True)
        old_of_new[candidates[first]] = wanted[candidates[first]]
        new_of_old = np.full(previous.size, -1, dtype=np.int64)
        new_of_old[old_of_new[old_of_new >= 0]] = np.flatnonzero(old_of_new >= 0)

        old_terms = np.empty(len(previous.vocabulary), dtype=object)
        for term, row in previous.vocabulary.items():
            old_terms[row] = term
        term_rows = np.repeat(np.arange(len(old_terms)), np.diff(previous.indptr))
        moved = new_of_old[previous.postings]
        kept = moved >= 0
        terms: list[str] = list(old_terms[term_rows[kept]])
        positions: list[int] = moved[kept].tolist()
        counts: list[float] = previous.frequencies[kept].tolist()
        lengths = np.zeros(len(texts), dtype=np.float32)
        lengths[old_of_new >= 0] = previous.lengths[old_of_new[old_of_new >= 0]]
        for position in np.flatnonzero(old_of_new < 0).tolist():
            tokens = tokenize(texts[position])
            lengths[position] = len(tokens)
            for term, count in Counter(tokens).items():
                terms.append(term)
                positions.append(position)
                counts.append(count)
        vocabulary, term_ids = np.unique(np.array(terms, dtype=str), return_inverse=True)
        chunk_ids = np.array(positions, dtype=np.int64)
        order = np.lexsort((chunk_ids, term_ids))  # by term, then by chunk: as ``build``
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(np.bincount(term_ids, minlength=len(vocabulary)))
        return cls(
            {str(term): i for i, term in enumerate(vocabulary)},
            indptr,
            chunk_ids[order].astype(np.int32),
            np.array(counts, dtype=np.float32)[order],
            lengths,
            k1,
            b,
        )

    @property
    def size(self) -> int:
        return len(self.lengths)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for ``query`` (zeros where no term matches)."""
        out = np.zeros(self.size, dtype=np.float32)
        if self.size == 0:
            return out
        avg = float(self.lengths.mean()) or 1.0
        norm = self.k1 * (1 - self.b + self.b * self.lengths / avg)
        for term in set(tokenize(query)):
            row = self.vocabulary.get(term)
            if row is None:
                continue
            start, end = self.indptr[row], self.indptr[row + 1]
            docs, tf = self.postings[start:end], self.frequencies[start:end]
            df = end - start
            idf = np.log(1 + (self.size - df + 0.5) / (df + 0.5))
            out[docs] += idf * tf * (self.k1 + 1) / (tf + norm[docs])
        return out

    def idf(self, term: str) -> float:
        row = self.vocabulary.get(term)
        df = 0 if row is None else int(self.indptr[row + 1] - self.indptr[row])
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))

    def save(self, path: Path) -> None:
        terms = np.array(sorted(self.vocabulary, key=self.vocabulary.__getitem__), dtype=object)
        with path.open("wb") as handle:
            np.savez(
                handle,
                terms=terms.astype(str),
                indptr=self.indptr,
                postings=self.postings,
                frequencies=self.frequencies,
                lengths=self.lengths,
                params=np.array([self.k1, self.b], dtype=np.float64),
            )

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        with np.load(path, allow_pickle=False) as data:
            vocabulary = {str(t): i for i, t in enumerate(data["terms"])}
            k1, b = (float(x) for x in data["params"])
            return cls(
                vocabulary,
                data["indptr"],
                data["postings"],
                data["frequencies"],
                data["lengths"],
                k1,
                b,
            )
