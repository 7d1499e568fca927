"""The bundled sentence-transformers model run by ONNX Runtime: no torch at question time.

``OnnxEmbedder`` is a drop-in ``Embedder``: the model's tokenizer (``tokenizers``, from the
model's own ``tokenizer.json``), truncation at the model's ``max_seq_length`` (256 for
MiniLM), its transformer run by ``onnxruntime``, then mean pooling over the attention mask
and L2 normalization in numpy, exactly as sentence-transformers does. Its vectors agree
with ``SentenceTransformerEmbedder``'s to cosine ≥ 0.9999
(``tests/retrieval/test_onnx_embedder.py``), so an index built by either serves the other.

The ``.onnx`` file is exported once from the model's own weights (``ensure_onnx``; the only
place torch and sentence-transformers are imported), checked against sentence-transformers
on a few probe texts, and cached under ``cache_dir/<content hash of the model files>/``.
The weights sit beside the graph in ``model.onnx.data`` (ONNX external data), which ONNX
Runtime memory-maps instead of parsing them out of the graph's protobuf: a session loads in
less than half the CPU time and its peak memory is ~80 MiB lower (BENCHMARKS.md, issue 15).
The weights are written first and the graph is renamed into place last, under a lock, so a
crash never leaves an export that looks whole. Nothing is downloaded.

Beside the export sits the graph ONNX Runtime optimized from it (``ensure_optimized``: its
fusions at ``ORT_ENABLE_EXTENDED``, which hold nothing specific to this CPU), saved once per
ONNX Runtime version and loaded with graph optimizations off: a session then loads in about
a third less CPU time. It is a ~0.1 MB graph that reads the export's own ``model.onnx.data``
(no second copy of the weights), and it is kept only if its outputs are bitwise those of
the export on ``PROBES``; anything wrong with it and the export is used as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from retrieval.embeddings import (
    CutOff,
    QueryCache,
    Span,
    _normalized,
    _progress,
    late_chunked,
    longest_first,
    resolve_model_path,
)
from retrieval.errors import EmbeddingError
from retrieval.model_files import model_hash, write_atomically

Precision = Literal["float32", "int8"]
EXPORT_VERSION = 2  # bump when the export changes (2: weights in external data)
WEIGHTS = "model.onnx.data"  # the float32 graph's external data, beside it
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
PROBES = (
    "How did other cities get police and IT to agree on how long camera footage is kept?",
    "privacy",
    "A data-sharing agreement names the purpose, the retention period and who may see it. " * 8,
)
AGREEMENT = 0.9999  # least cosine between an export's vectors and sentence-transformers'
OPTIMIZED_LEVEL = "extended"  # ORT_ENABLE_EXTENDED; ORT_ENABLE_ALL adds CPU-specific layouts
OPTIMIZED_PREFIX = "model.optimized-"  # optimized graphs (and refusal markers) beside the export
OPTIMIZED_MAX_BYTES = 4_000_000  # a graph that copied the weights in is refused, not cached
REFUSED = ".refused"  # marks a runtime version whose optimized graph was not the export's

log = logging.getLogger(__name__)


def model_directory(model: str) -> Path:
    """The local folder of ``model`` (``bundled:…`` or a path); ONNX needs the files on disk."""
    path = Path(resolve_model_path(model))
    if not (path / "tokenizer.json").is_file() or not (path / "config.json").is_file():
        raise EmbeddingError(
            f"cannot load embedding model {model!r}: the ONNX backend needs a local "
            "sentence-transformers folder with tokenizer.json; use the bundled default or a "
            "local path (ADVISOR_EMBEDDING_MODEL), or ADVISOR_EMBEDDING_BACKEND=torch"
        )
    return path


def onnx_file(cache_dir: Path, content_hash: str, precision: Precision = "float32") -> Path:
    name = "model.onnx" if precision == "float32" else "model.int8.onnx"
    return cache_dir / f"{content_hash[:24]}-v{EXPORT_VERSION}" / name


def ensure_onnx(model: str, cache_dir: Path, *, precision: Precision = "float32") -> Path:
    """The cached ``.onnx`` file of ``model``, exporting it first if it is not there yet."""
    model_dir = model_directory(model)
    content_hash = model_hash(model_dir, cache_dir)
    target = onnx_file(cache_dir, content_hash, precision)
    if target.is_file():
        return target
    if precision == "int8":
        source = ensure_onnx(model, cache_dir)
        _quantize(source, target)
        return target
    with _export_lock(target.parent):
        if not target.is_file():  # another process may have finished it while we waited
            export_onnx(model_dir, target)
    _remove_older_exports(cache_dir, content_hash)
    return target


@contextlib.contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    """One exporter per export folder across processes (the weights file has a fixed name)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".export.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_older_exports(cache_dir: Path, content_hash: str) -> None:
    """Exports of the same weights by an earlier ``EXPORT_VERSION`` (~110 MB each)."""
    current = f"{content_hash[:24]}-v{EXPORT_VERSION}"
    for folder in cache_dir.glob(f"{content_hash[:24]}-v*"):
        if folder.name != current and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def optimized_file(export: Path, runtime_version: str) -> Path:
    """Where the graph ONNX Runtime ``runtime_version`` optimizes from ``export`` is cached."""
    return export.with_name(f"{OPTIMIZED_PREFIX}ort{runtime_version}-{OPTIMIZED_LEVEL}.onnx")


def ensure_optimized(export: Path, model_dir: Path) -> Path | None:
    """The optimized graph of the float32 ``export``, made first (~0.5 s) if it is not there.

    None when there is none to use: the cache is read-only (tried again next time), or ONNX
    Runtime would not save a usable one, i.e. a graph alone computing bitwise what the export
    computes (remembered: this runtime version does not try again). Made under the export's
    lock, written to a temporary file and renamed into place; graphs of other runtime
    versions are removed then.
    """
    import onnxruntime as ort

    target = optimized_file(export, ort.__version__)
    refused = target.with_name(target.name + REFUSED)
    if target.is_file():
        return target
    if refused.exists():
        return None
    try:
        with _export_lock(export.parent):
            if not target.is_file() and not refused.exists():
                _write_optimized(export, model_dir, target)
            _remove_optimized(export.parent, keep={target.name, refused.name})
    except Exception as exc:  # an optional speed-up: any failure means the plain export
        log.info("no optimized ONNX graph beside %s (%s: %s)", export, type(exc).__name__, exc)
        return None
    return target if target.is_file() else None


def _write_optimized(export: Path, model_dir: Path, target: Path) -> None:
    """Save ONNX Runtime's optimized graph of ``export`` as ``target`` if it is usable, else
    write the refusal marker (a file system error raises); callers hold ``_export_lock``."""
    handle, temporary = tempfile.mkstemp(dir=export.parent, prefix=".optimize-", suffix=".onnx")
    os.close(handle)
    candidate = Path(temporary)
    try:
        if not _optimize(export, candidate, model_dir):
            write_atomically(target.with_name(target.name + REFUSED), b"")
            return
        _fsync(candidate)
        os.replace(candidate, target)
        _fsync_dir(target.parent)
    finally:
        candidate.unlink(missing_ok=True)


def _optimize(export: Path, candidate: Path, model_dir: Path) -> bool:
    """Write ONNX Runtime's optimized graph of ``export`` to ``candidate``; whether it is
    usable: a graph alone (its weights still read from ``WEIGHTS``) computing bitwise what
    the export computes."""
    import onnxruntime as ort

    options = _session_options(ort, threads=1, preoptimized=False)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(candidate)  # initializers keep pointing at WEIGHTS
    try:
        ort.InferenceSession(str(export), sess_options=options, providers=["CPUExecutionProvider"])
    except OSError:
        raise
    except Exception as exc:  # this runtime would not optimize or save it
        log.info("ONNX Runtime did not save an optimized graph (%s: %s)", type(exc).__name__, exc)
        return False
    size = candidate.stat().st_size
    return 0 < size <= OPTIMIZED_MAX_BYTES and _same_outputs(export, candidate, model_dir)


def _same_outputs(export: Path, candidate: Path, model_dir: Path) -> bool:
    """Whether ``candidate`` (loaded as an optimized graph) gives bitwise the token
    embeddings of ``export`` on ``PROBES``, one at a time and as one padded batch."""
    plain = OnnxEmbedder.from_file(export, model_dir, name="optimize-check", threads=1)
    optimized = OnnxEmbedder.from_file(
        export, model_dir, name="optimize-check", threads=1, optimized=candidate
    )
    if optimized.graph != candidate:  # it could not be loaded: the export stood in
        return False
    for texts in ([*PROBES], *([text] for text in PROBES)):
        encodings, _ = plain._encode(texts)
        ours, _ = plain._run(plain._session, encodings)
        theirs, _ = optimized._run(optimized._session, encodings)
        if ours.shape != theirs.shape or not np.array_equal(ours, theirs):
            return False
    return True


def _refuse(graph: Path) -> None:
    """A cached graph that would not load: replaced by a refusal marker (best effort), so
    later starts load the export straight away instead of failing on it again."""
    with contextlib.suppress(OSError), _export_lock(graph.parent):
        write_atomically(graph.with_name(graph.name + REFUSED), b"")
        graph.unlink(missing_ok=True)


def _remove_optimized(folder: Path, keep: Collection[str] = ()) -> None:
    """Optimized graphs and refusal markers in ``folder`` other than ``keep``'s (other
    runtime versions', or all of them when the weights they read are rewritten)."""
    for path in folder.glob(f"{OPTIMIZED_PREFIX}*"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def export_onnx(model_dir: Path, target: Path) -> None:
    """Export the model's transformer (token embeddings out) to ``target``, its weights to
    ``WEIGHTS`` beside it; ``target`` appears last, whole (callers hold ``_export_lock``).

    Imports torch and sentence-transformers (seconds); the export is checked against
    sentence-transformers' own vectors on ``PROBES`` before it is put in place.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - dependencies of this package
        raise EmbeddingError(f"exporting the model to ONNX needs torch: {exc}") from exc

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    transformer = model[0].auto_model
    if not isinstance(transformer, torch.nn.Module):  # the library types it loosely
        raise EmbeddingError(f"{model_dir} has no transformer module to export")
    transformer.eval()

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            inner: Any = self.inner  # a registered submodule (torch types attributes loosely)
            return inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "token_embeddings")}
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".onnx")
    os.close(handle)
    graph = Path(temporary).with_suffix(".graph.onnx")
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
            torch.onnx.export(
                TokenEmbeddings().eval(),
                (sample, sample, torch.zeros_like(sample)),
                temporary,
                input_names=list(INPUTS),
                output_names=["token_embeddings"],
                dynamic_axes=axes,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,  # one self-contained file, no onnxscript
            )
        _split_weights(Path(temporary), graph)
        reference = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True)
        _check_agreement(graph, model_dir, np.asarray(reference, dtype=np.float32))
        _fsync(target.parent / WEIGHTS)
        _fsync(graph)
        os.replace(graph, target)
        _fsync_dir(target.parent)
    finally:
        Path(temporary).unlink(missing_ok=True)
        graph.unlink(missing_ok=True)


def _split_weights(source: Path, graph: Path) -> None:
    """Rewrite the one-file export ``source`` as ``graph`` plus ``WEIGHTS`` in its folder."""
    import onnx

    exported = onnx.load(str(source))
    _remove_optimized(graph.parent)  # they read the weights about to be rewritten
    (graph.parent / WEIGHTS).unlink(missing_ok=True)  # a crashed export's, never a live one's
    onnx.save_model(
        exported,
        str(graph),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=WEIGHTS,
        size_threshold=1024,
    )


def _check_agreement(path: Path, model_dir: Path, reference: np.ndarray) -> None:
    probe = OnnxEmbedder.from_file(path, model_dir, name="export-check", threads=1)
    cosines = np.sum(probe.embed(list(PROBES)) * reference, axis=1)
    if float(cosines.min()) < AGREEMENT:
        raise EmbeddingError(
            f"the ONNX export disagrees with sentence-transformers (cosine {cosines.min():.6f})"
        )


def _quantize(source: Path, target: Path) -> None:
    """onnxruntime's dynamic int8 quantization of the float32 export, atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".quant-", suffix=".onnx")
    os.close(handle)
    try:
        quantize_dynamic(str(source), temporary, weight_type=QuantType.QInt8)
        _fsync(Path(temporary))
        os.replace(temporary, target)
        _fsync_dir(target.parent)
    finally:
        Path(temporary).unlink(missing_ok=True)


class OnnxEmbedder:
    """The model's transformer in ONNX Runtime, tokenized, pooled and normalized in numpy.

    ``threads`` is ONNX Runtime's intra-op thread count for questions (default 1: the answer
    workers already run in parallel). ``bulk_threads`` (default: all cores) serves calls of
    more than one batch, i.e. index builds, through a second session made for that call.
    """

    def __init__(
        self,
        model: str,
        *,
        cache_dir: Path,
        batch_size: int = 32,
        threads: int | None = None,
        bulk_threads: int | None = None,
        precision: Precision = "float32",
        cache_size: int = 512,
    ) -> None:
        model_dir = model_directory(model)
        content_hash = model_hash(model_dir, cache_dir)
        path = ensure_onnx(model, cache_dir, precision=precision)
        optimized = ensure_optimized(path, model_dir) if precision == "float32" else None
        self._setup(
            path,
            model_dir,
            name=model,
            batch_size=batch_size,
            threads=threads,
            bulk_threads=bulk_threads,
            cache_size=cache_size,
            optimized=optimized,
        )
        self._identity = {"backend": "onnx", "model_hash": content_hash, "precision": precision}

    @classmethod
    def from_file(
        cls,
        path: Path,
        model_dir: Path,
        *,
        name: str,
        threads: int | None = None,
        optimized: Path | None = None,
    ) -> OnnxEmbedder:
        """An embedder over an ``.onnx`` file already on disk (no cache, no export), run
        from its ``optimized`` graph if one is given and loads."""
        self = cls.__new__(cls)
        self._setup(
            path,
            model_dir,
            name=name,
            batch_size=32,
            threads=threads,
            bulk_threads=threads,
            optimized=optimized,
        )
        self._identity = {"backend": "onnx", "model_hash": "", "precision": "float32"}
        return self

    def _setup(
        self,
        path: Path,
        model_dir: Path,
        *,
        name: str,
        batch_size: int,
        threads: int | None,
        bulk_threads: int | None,
        cache_size: int = 512,
        optimized: Path | None = None,
    ) -> None:
        from tokenizers import Tokenizer

        self._name = name
        self.batch_size = batch_size
        self.path = path  # the export: what the vectors are of
        self.graph = optimized or path  # what sessions load (see _new_session)
        self.threads = threads or 1
        self.bulk_threads = bulk_threads or threads or os.cpu_count() or 1
        config = _read_json(model_dir / "config.json")
        st_config = _read_json(model_dir / "sentence_bert_config.json", default={})
        _check_pooling(model_dir)
        limit = int(config.get("max_position_embeddings", 512))
        self.max_length = min(int(st_config.get("max_seq_length") or limit), limit)
        self._lowercase = bool(st_config.get("do_lower_case", False))
        self._dimension = int(config["hidden_size"])
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=self.max_length, strategy="longest_first")
        pad_id = int(config.get("pad_token_id") or 0)
        pad_token = tokenizer.id_to_token(pad_id) or "[PAD]"
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)  # to the longest text
        self._tokenizer = tokenizer
        try:
            self._session = self._new_session(self.threads)
        except Exception as exc:
            raise EmbeddingError(
                f"cannot load the ONNX model {path} ({type(exc).__name__}); delete it to "
                "export it again"
            ) from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cache = QueryCache(cache_size)

    def _new_session(self, threads: int) -> Any:
        """A session on the optimized graph, or on the export if there is none or it fails
        to load (then the export serves from here on)."""
        import onnxruntime as ort

        if self.graph != self.path:
            try:
                return ort.InferenceSession(
                    str(self.graph),
                    sess_options=_session_options(ort, threads=threads, preoptimized=True),
                    providers=["CPUExecutionProvider"],
                )
            except Exception as exc:
                log.warning(
                    "cannot load the optimized ONNX graph %s (%s); using %s",
                    self.graph,
                    type(exc).__name__,
                    self.path,
                )
                _refuse(self.graph)
                self.graph = self.path
        return ort.InferenceSession(
            str(self.path),
            sess_options=_session_options(ort, threads=threads, preoptimized=False),
            providers=["CPUExecutionProvider"],
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def identity(self) -> dict[str, str]:
        """What the vectors depend on, recorded in the index manifest (see
        ``retrieval.embeddings.same_vectors``)."""
        return dict(self._identity)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        cached = self._cache.get(texts)
        if cached is not None:
            return cached
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        try:
            session = self._session_for(len(texts))
            for batch in _progress(self._batches(texts), progress):
                encodings, _ = self._encode([texts[i] for i in batch])
                tokens, mask = self._run(session, encodings)
                out[batch] = _mean_pooled(tokens, mask)
        except EmbeddingError:
            raise
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {type(exc).__name__}") from exc
        self._cache.put(texts, out)
        return out

    def embed_spans(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """As ``SentenceTransformerEmbedder.embed_spans``: each text's vector and, from the
        same pass, one vector per ``(start, end)`` span, mean-pooled over the tokens whose
        characters fall in it; a span cut off by truncation is embedded on its own."""
        session = self._session_for(len(texts))

        def pool(batch: list[int], out: np.ndarray, by_span: list[np.ndarray], cut: CutOff) -> None:
            encodings, leads = self._encode([texts[i] for i in batch])
            tokens, mask = self._run(session, encodings)
            pooled = _mean_pooled(tokens, mask)
            offsets = np.array([e.offsets for e in encodings], dtype=np.int64)
            real = mask.astype(bool) & (offsets[:, :, 1] > offsets[:, :, 0])
            for row, index in enumerate(batch):
                out[index] = pooled[row]
                starts, ends = offsets[row, :, 0], offsets[row, :, 1]
                for column, (start, end) in enumerate(spans[index]):
                    start, end = start - leads[row], end - leads[row]
                    inside = real[row] & (starts < end) & (ends > start)
                    if inside.any():
                        by_span[index][column] = _normalized(tokens[row][inside].mean(axis=0))
                    else:
                        cut.append(
                            (index, column, texts[index][start + leads[row] : end + leads[row]])
                        )

        return late_chunked(
            texts,
            spans,
            dimension=self._dimension,
            batches=self._batches(texts),
            pool=pool,
            embed=self.embed,
            progress=progress,
        )

    def _batches(self, texts: Sequence[str]) -> list[list[int]]:
        return longest_first(texts, self.batch_size)

    def _session_for(self, count: int) -> Any:
        """The question session, or for more than one batch a bulk one with more threads."""
        if count <= self.batch_size or self.bulk_threads == self.threads:
            return self._session
        return self._new_session(self.bulk_threads)  # dropped after the call: no RSS kept

    def _encode(self, texts: list[str]) -> tuple[list[Any], list[int]]:
        # sentence-transformers strips each text (and lowercases it if configured) first.
        leads = [len(t) - len(t.lstrip()) for t in texts]
        stripped = [t.strip() for t in texts]
        if self._lowercase:
            stripped = [t.lower() for t in stripped]
        if len(stripped) == 1:
            return [self._tokenizer.encode(stripped[0])], leads
        return self._tokenizer.encode_batch(stripped), leads

    def _run(self, session: Any, encodings: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (tokens,) = session.run(["token_embeddings"], feed)
        return np.asarray(tokens, dtype=np.float32), mask


def _session_options(ort: Any, *, threads: int, preoptimized: bool) -> Any:
    """Question sessions' options: ``threads`` intra-op threads, sequential; every graph
    optimization for the export, none for a graph that is already optimized."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    level = ort.GraphOptimizationLevel
    options.graph_optimization_level = (
        level.ORT_DISABLE_ALL if preoptimized else level.ORT_ENABLE_ALL
    )
    options.log_severity_level = 3
    return options


def _mean_pooled(tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' mean pooling and ``Normalize`` module, in numpy."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (tokens * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _check_pooling(model_dir: Path) -> None:
    """Only mean pooling followed by normalization is reproduced here; refuse the rest."""
    modules = _read_json(model_dir / "modules.json", default=[])
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    pooling = next((m for m in modules if str(m.get("type", "")).endswith("Pooling")), None)
    config = _read_json(model_dir / pooling["path"] / "config.json") if pooling else {}
    modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v]
    if kinds != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise EmbeddingError(
            f"the ONNX backend supports transformer + mean pooling + normalize models only "
            f"(found {kinds}, {modes}); use ADVISOR_EMBEDDING_BACKEND=torch"
        )


def _read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if default is not None:
            return default
        raise EmbeddingError(f"model file missing: {path}") from None


def _fsync(path: Path) -> None:
    path.chmod(0o644)  # mkstemp makes it private; the export is no secret
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
