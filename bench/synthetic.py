"""A synthetic ~100k-chunk corpus and index, built through the real code paths.

Run from the repo root: ``python -m bench.synthetic [--chunks 100000] [--force]``.

What is synthesized (BENCHMARKS.md repeats this):

- **Texts.** The 42 shipped documents are kept as they are. Synthetic documents are copies of
  a shipped document (round robin) with about 25% of the words of 4+ letters replaced by words
  drawn from a Zipf-distributed vocabulary of 40,000 made-up words, a made-up city in the
  title and front matter, and the same kind and tags. Markdown structure (headings, lists,
  tables) is unchanged, so the real chunker cuts them like the originals.
- **Vectors.** Shipped chunks get their real all-MiniLM-L6-v2 embeddings. A synthetic chunk
  gets ``c * v + sqrt(1 - c^2) * u``, re-normalized, where ``v`` is the real embedding of the
  shipped chunk it was copied from (same document, same heading path), ``u`` a random unit
  vector and ``c`` uniform in [0.75, 0.90] (its cosine to the source chunk). Its answer-unit
  vectors (one per sentence, list item or table row) are made the same way from that chunk
  vector, one noisy copy per unit; heading vectors are embedded for real (few distinct).

The index is written by ``retrieval.index.build_index`` (real chunking, BM25 build, faiss
write, manifest) with ``SyntheticEmbedder`` standing in for the model at build time; its
``name`` is the bundled model's, so the real ``SentenceTransformerEmbedder`` embeds queries
against it and ``load_index``/``search``/``compose_answer`` run unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import BUNDLED_MODEL, CACHE, PLAYBOOKS, write_result
from retrieval.chunking import chunk_document
from retrieval.documents import Corpus, load_corpus
from retrieval.index import load_index
from retrieval.models import Document

VOCABULARY = 40_000
REPLACE_RATE = 0.25
COSINE = (0.75, 0.90)
SEED = 20240601
_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["th", "sh", "ch", "qu"]


def made_up_words(count: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in words:
            words.add(word)
            out.append(word)
    return out


def real_vectors(corpus: Corpus) -> dict[str, np.ndarray]:
    """Real MiniLM embeddings of the shipped chunks (``index_text`` -> vector), cached."""
    chunks = [c for doc in corpus.documents for c in chunk_document(doc)]
    texts = [c.index_text for c in chunks]
    key = hashlib.sha256("\x1e".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"real-vectors-{key}.npy"
    if path.exists():
        vectors = np.load(path)
    else:
        from retrieval.embeddings import SentenceTransformerEmbedder

        vectors = SentenceTransformerEmbedder(BUNDLED_MODEL).embed(texts)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    return dict(zip(texts, vectors, strict=True))


def synthetic_documents(
    corpus: Corpus, target_chunks: int, *, seed: int = SEED
) -> tuple[list[Document], dict[str, str]]:
    """Synthetic documents until shipped + synthetic chunks reach ``target_chunks``.

    Also returns, for each synthetic chunk's ``index_text``, the ``index_text`` of the
    shipped chunk it was copied from.
    """
    rng = random.Random(seed)
    vocab = made_up_words(VOCABULARY, rng)
    cum = np.cumsum(1.0 / np.arange(1, VOCABULARY + 1)).tolist()
    cities = made_up_words(2000, random.Random(seed + 1))
    shipped = {doc.id: chunk_document(doc) for doc in corpus.documents}
    total = sum(len(c) for c in shipped.values())
    docs: list[Document] = []
    source_of: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        if rng.random() >= REPLACE_RATE:
            return match.group(0)
        return rng.choices(vocab, cum_weights=cum)[0]

    number = 0
    while total < target_chunks:
        src = corpus.documents[number % len(corpus.documents)]
        city = cities[number % len(cities)].capitalize() + " " + str(number // len(cities) + 1)
        body = _WORD.sub(swap, src.body)
        doc = dataclasses.replace(
            src,
            id=f"syn-{number:06d}-{src.id}",
            title=f"{src.title} ({city})",
            path=f"synthetic/{number:06d}-{src.id}.md",
            body=body,
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
            city=city,
        )
        originals = shipped[src.id]
        by_heading = {}
        for c in originals:
            by_heading.setdefault(c.headings, c)
        pieces = chunk_document(doc)
        for chunk in pieces:
            source = by_heading.get(chunk.headings) or rng.choice(originals)
            source_of[chunk.index_text] = source.index_text
        docs.append(doc)
        total += len(pieces)
        number += 1
    return docs, source_of


class SyntheticEmbedder:
    """Real vectors for shipped chunks, noisy copies of them for synthetic chunks."""

    def __init__(
        self, real: dict[str, np.ndarray], source_of: dict[str, str], *, seed: int = SEED
    ) -> None:
        self.real = real
        self.source_of = source_of
        self.rng = np.random.default_rng(seed)
        self._dimension = len(next(iter(real.values())))
        self._real_model: Any = None

    @property
    def name(self) -> str:
        return BUNDLED_MODEL  # same vector space as the real model: queries use the real one

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        missing = []
        for i, text in enumerate(texts):
            vector = self.real.get(text)
            if vector is not None:
                out[i] = vector
            elif text in self.source_of:
                out[i] = self._noisy(self.real[self.source_of[text]])
            else:
                missing.append(i)  # a heading path: few and short, embedded for real
        if missing:
            out[missing] = self._model().embed([texts[i] for i in missing])
        return out

    def embed_spans(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        vectors = self.embed(texts)
        units = [
            np.array([self._noisy(v) for _ in s], dtype=np.float32).reshape(len(s), self._dimension)
            for v, s in zip(vectors, spans, strict=True)
        ]
        return vectors, units

    def _noisy(self, base: np.ndarray) -> np.ndarray:
        noise = self.rng.standard_normal(self._dimension).astype(np.float32)
        noise /= np.linalg.norm(noise)
        c = self.rng.uniform(*COSINE)
        v = c * base + np.sqrt(1 - c * c) * noise
        return v / np.linalg.norm(v)

    def _model(self) -> Any:
        if self._real_model is None:
            from retrieval.embeddings import SentenceTransformerEmbedder

            self._real_model = SentenceTransformerEmbedder(BUNDLED_MODEL)
        return self._real_model


def index_dir(chunks: int) -> Path:
    return CACHE / f"synthetic-{chunks // 1000}k"


def ensure_index(chunks: int = 100_000, *, force: bool = False) -> dict[str, object]:
    """Build the synthetic index unless an up-to-date one exists; returns build facts."""
    from retrieval.index import build_index

    target = index_dir(chunks)
    params = {
        "chunks": chunks,
        "vocabulary": VOCABULARY,
        "replace_rate": REPLACE_RATE,
        "cosine": list(COSINE),
        "seed": SEED,
    }
    facts_path = target / "bench-params.json"
    if not force and facts_path.exists() and load_index(target) is not None:
        facts = json.loads(facts_path.read_text())
        if facts.get("params") == params:
            return facts
    started = time.perf_counter()
    corpus = load_corpus(PLAYBOOKS)
    real = real_vectors(corpus)
    t_real = time.perf_counter()
    docs, source_of = synthetic_documents(corpus, chunks)
    t_gen = time.perf_counter()
    big = Corpus(root=corpus.root, documents=[*corpus.documents, *docs])
    embedder = SyntheticEmbedder(real, source_of)
    _, report = build_index(big, embedder, target, rebuild=True)
    t_build = time.perf_counter()
    facts = {
        "params": params,
        "documents": len(big.documents),
        "chunks_total": report.chunks_total,
        "seconds_real_vectors": t_real - started,
        "seconds_generate": t_gen - t_real,
        "seconds_build_index": t_build - t_gen,
        "bytes_on_disk": sum(p.stat().st_size for p in target.rglob("*") if p.is_file()),
    }
    facts_path.write_text(json.dumps(facts, indent=2))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    facts = ensure_index(args.chunks, force=args.force)
    write_result(f"synthetic_{args.chunks // 1000}k_build", {"facts": facts})
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
