"""The ONNX Runtime embedder (issue 15): the same vectors as sentence-transformers, an index
either one built serves the other, and no torch at question time.

The agreement tests compare against the session's shipped index, which the torch reference
(``real_embedder``) built: chunk vectors, late-chunking unit (span) vectors and heading
vectors, on every chunk of the shipped playbooks, plus every dev question.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.answers.setup import build_embedder, configured_identity, search_options
from bot.settings import BUNDLED_MODEL, Settings
from retrieval.embeddings import SentenceTransformerEmbedder, resolve_model_path, same_vectors
from retrieval.engine import Advisor
from retrieval.evaluation import evaluate, load_questions
from retrieval.index import build_index, is_current, load_index
from retrieval.model_files import model_hash
from retrieval.onnx_embedder import OPTIMIZED_PREFIX, WEIGHTS, OnnxEmbedder, onnx_file
from tests.conftest import MODEL_CACHE_DIR
from tests.fakes.corpus import write_small_corpus
from tests.fakes.embedder import HashEmbedder

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "dev_questions"
ROOT = Path(__file__).resolve().parents[2]
AGREEMENT = 0.9999
HEAVY = ("torch", "sentence_transformers", "transformers")


def _questions() -> list[str]:
    return [q.question for q in load_questions(DEV_SET)]


def _rows_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


class _Identified(HashEmbedder):
    """A fast embedder that states an identity, for the manifest rule."""

    def __init__(self, model_hash: str, precision: str, backend: str) -> None:
        super().__init__(name="fake-model")
        self.identity = {"backend": backend, "model_hash": model_hash, "precision": precision}


# -- the compatibility rule (no model) -----------------------------------------------------


def test_same_vectors_ignores_the_backend_but_not_weights_or_precision() -> None:
    torch_fp32 = {"backend": "torch", "model_hash": "a", "precision": "float32"}
    onnx_fp32 = {"backend": "onnx", "model_hash": "a", "precision": "float32"}
    assert same_vectors(torch_fp32, onnx_fp32) and same_vectors(onnx_fp32, torch_fp32)
    assert not same_vectors(torch_fp32, {**onnx_fp32, "precision": "int8"})
    assert not same_vectors(torch_fp32, {**onnx_fp32, "model_hash": "b"})
    # built before identities were recorded: by torch, float32, from the named model
    assert same_vectors(None, onnx_fp32) and not same_vectors(
        None, {**onnx_fp32, "precision": "int8"}
    )
    assert same_vectors(None, None)  # embedders that state none (test fakes)
    assert not same_vectors(torch_fp32, None)


def test_an_index_is_reused_across_backends_and_rebuilt_for_other_weights(
    corpus_dir: Path, tmp_path: Path
) -> None:
    from retrieval.documents import load_corpus

    corpus = load_corpus(corpus_dir)
    index_dir = tmp_path / "index"
    _, first = build_index(corpus, _Identified("a", "float32", "torch"), index_dir)
    assert first.written and first.full_rebuild
    manifest = load_index(index_dir).manifest  # type: ignore[union-attr]
    assert manifest["embedder"] == {"backend": "torch", "model_hash": "a", "precision": "float32"}

    onnx = _Identified("a", "float32", "onnx")
    assert is_current(manifest, model="fake-model", file_hashes=corpus.hashes, embedder=onnx)
    _, same = build_index(corpus, onnx, index_dir)
    assert not same.written and onnx.embedded == []  # nothing re-embedded

    for other in (_Identified("a", "int8", "onnx"), _Identified("b", "float32", "onnx")):
        assert not is_current(
            manifest, model="fake-model", file_hashes=corpus.hashes, embedder=other
        )
    _, rebuilt = build_index(corpus, _Identified("a", "int8", "onnx"), index_dir)
    assert rebuilt.written and rebuilt.full_rebuild and rebuilt.chunks_reused == 0


def test_model_hash_follows_the_bytes_and_is_remembered(tmp_path: Path) -> None:
    bundled = Path(resolve_model_path(BUNDLED_MODEL))
    copy = tmp_path / "model"
    for path in bundled.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(bundled)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.stat().st_size > 1_000_000:
                target.symlink_to(path)  # the weights: same bytes, no 90 MB copy
            else:
                shutil.copy2(path, target)
    memo = tmp_path / "memo"
    first = model_hash(copy, memo)
    assert model_hash(copy, memo) == first == model_hash(copy)  # memo and full hash agree
    (copy / "README.md").write_text("edited\n", encoding="utf-8")
    edited = model_hash(copy, memo)
    assert edited != first
    assert onnx_file(memo, edited) != onnx_file(memo, first)


def test_the_onnx_backend_refuses_a_model_it_cannot_find(tmp_path: Path) -> None:
    from retrieval.errors import EmbeddingError

    with pytest.raises(EmbeddingError, match="cannot load embedding model 'no-such-model'"):
        OnnxEmbedder("no-such-model", cache_dir=tmp_path)


def test_settings_select_the_backend_and_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)
    assert settings.embedding_backend == "onnx" and settings.embedding_threads is None
    monkeypatch.setenv("ADVISOR_EMBEDDING_BACKEND", "torch")
    monkeypatch.setenv("ADVISOR_EMBEDDING_THREADS", "2")
    settings = Settings(_env_file=None)
    assert settings.embedding_backend == "torch" and settings.embedding_threads == 2
    for name, value in (("ADVISOR_EMBEDDING_BACKEND", "tf"), ("ADVISOR_EMBEDDING_THREADS", "0")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=name.removeprefix("ADVISOR_").lower()):
            Settings(_env_file=None)
        monkeypatch.delenv(name)


# -- the real model --------------------------------------------------------------------------


@pytest.mark.model
def test_the_export_is_cached_whole_under_the_model_hash(onnx_embedder: OnnxEmbedder) -> None:
    content_hash = model_hash(Path(resolve_model_path(BUNDLED_MODEL)), MODEL_CACHE_DIR)
    assert onnx_embedder.path == onnx_file(MODEL_CACHE_DIR, content_hash)
    assert onnx_embedder.identity["model_hash"] == content_hash
    exports = {p.name for p in onnx_embedder.path.parent.iterdir()} - {".export.lock"}
    optimized = {n for n in exports if n.startswith(OPTIMIZED_PREFIX)}  # test_onnx_optimized.py
    assert (
        {"model.onnx", WEIGHTS} <= exports - optimized <= {"model.onnx", WEIGHTS, "model.int8.onnx"}
    )
    assert (onnx_embedder.path.parent / WEIGHTS).stat().st_size > 80_000_000  # weights beside
    assert onnx_embedder.path.stat().st_size < 1_000_000  # the graph alone
    assert onnx_embedder.dimension == 384 and onnx_embedder.max_length == 256


@pytest.mark.model
def test_vectors_agree_with_sentence_transformers_on_the_shipped_corpus(
    onnx_embedder: OnnxEmbedder, shipped_index_dir: Path
) -> None:
    """Every shipped chunk, its answer-unit spans and its heading path, onnx against torch."""
    from retrieval.index import _unit_spans

    reference = load_index(shipped_index_dir)
    assert reference is not None and reference.manifest["embedder"]["backend"] == "torch"
    chunks = reference.chunks
    texts = [c.index_text for c in chunks]
    vectors, units = onnx_embedder.embed_spans(texts, [_unit_spans(c) for c in chunks])
    torch_vectors = reference.vectors.reconstruct_n(0, reference.vectors.ntotal)
    assert len(chunks) > 400
    assert _rows_cosine(vectors, torch_vectors).min() >= AGREEMENT
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    stacked = np.concatenate([u for u in units if len(u)])
    assert stacked.shape == reference.unit_vectors.shape
    # the reference is stored as float16; the agreement holds through that rounding
    assert _rows_cosine(stacked, reference.unit_vectors).min() >= AGREEMENT

    labels = onnx_embedder.embed([c.label for c in chunks])
    assert _rows_cosine(labels, reference.heading_vectors).min() >= AGREEMENT
    # one text at a time (no padding) gives the same vector as in a padded batch
    alone = np.stack([onnx_embedder.embed([texts[i]])[0] for i in (0, len(texts) // 2)])
    assert _rows_cosine(alone, vectors[[0, len(texts) // 2]]).min() >= AGREEMENT


@pytest.mark.model
def test_vectors_agree_on_the_dev_questions_and_a_truncated_text(
    onnx_embedder: OnnxEmbedder, real_embedder: SentenceTransformerEmbedder
) -> None:
    questions = _questions()
    long_text = "  A working group charter names who decides, and when. " * 60  # > 256 tokens
    texts = [*questions, long_text]
    assert len(questions) > 100
    cosines = _rows_cosine(onnx_embedder.embed(texts), real_embedder.embed(texts))
    assert cosines.min() >= AGREEMENT
    spans = [[(0, 40), (len(long_text) - 40, len(long_text))]]  # the second is cut off
    onnx_text, onnx_spans = onnx_embedder.embed_spans([long_text], spans)
    torch_text, torch_spans = real_embedder.embed_spans([long_text], spans)
    assert _rows_cosine(onnx_text, torch_text).min() >= AGREEMENT
    assert _rows_cosine(onnx_spans[0], torch_spans[0]).min() >= AGREEMENT


@pytest.mark.model
def test_the_onnx_advisor_answers_the_torch_index_like_torch(
    onnx_embedder: OnnxEmbedder, shipped_index_dir: Path, shipped_advisor: Advisor
) -> None:
    """An index built by torch serves ONNX queries as is, with the same dev-set metrics."""
    index = load_index(shipped_index_dir)
    assert index is not None
    assert is_current(
        index.manifest,
        model=BUNDLED_MODEL,
        file_hashes={p: f["hash"] for p, f in index.manifest["files"].items()},
        embedder=onnx_embedder,
    )
    options = search_options(Settings(_env_file=None))
    onnx_advisor = Advisor(index, onnx_embedder, options, shipped_advisor.glossary)
    questions = load_questions(DEV_SET)
    ours = evaluate(onnx_advisor, questions)
    reference = evaluate(shipped_advisor, questions)
    metrics = ("recall_at_1", "recall_at_5", "mrr", "ndcg_at_5", "facts_in_answer", "junk_rate")
    for metric in (*metrics, "abstain_precision"):
        assert abs(getattr(ours, metric) - getattr(reference, metric)) <= 0.005, metric
    assert abs(ours.abstain_recall - reference.abstain_recall) <= 0.005  # type: ignore[operator]


@pytest.mark.model
def test_the_torch_backend_still_works_behind_the_setting(
    monkeypatch: pytest.MonkeyPatch, onnx_embedder: OnnxEmbedder
) -> None:
    monkeypatch.setenv("ADVISOR_EMBEDDING_BACKEND", "torch")
    embedder = build_embedder(Settings(_env_file=None))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.identity is not None and same_vectors(embedder.identity, onnx_embedder.identity)
    # what `advisor index` compares with the manifest, from the files alone
    assert configured_identity(Settings(_env_file=None)) == embedder.identity
    question = ["Who should sit on a privacy working group?"]
    assert _rows_cosine(embedder.embed(question), onnx_embedder.embed(question))[0] >= AGREEMENT
    monkeypatch.setenv("ADVISOR_EMBEDDING_BACKEND", "onnx")
    assert isinstance(build_embedder(Settings(_env_file=None)), OnnxEmbedder)
    assert configured_identity(Settings(_env_file=None)) == onnx_embedder.identity


_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(
    m for m in sys.modules if m.split(".")[0] in {heavy!r}
)) + "\\n"))
sys.argv = ["advisor", *json.loads(sys.argv[1])]
if sys.argv[1] == "serve-advisor":  # what `advisor serve` does to get its Advisor
    import bot.cli.main, bot.slack.server
    from bot.services import load_advisor
    from bot.settings import Settings
    print(load_advisor(Settings()).document_count)
else:
    from bot.cli.main import main
    main()
"""


def _run_probe(args: list[str], env: dict[str, str], cwd: Path) -> tuple[str, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=set(HEAVY)), json.dumps(args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    modules_line = [ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES ")]
    assert proc.returncode == 0 and modules_line, proc.stderr[-3000:]
    return proc.stdout, json.loads(modules_line[-1].removeprefix("MODULES "))


@pytest.mark.model
@pytest.mark.separate_process
def test_index_ask_and_serve_never_import_torch_once_the_export_exists(
    onnx_embedder: OnnxEmbedder, tmp_path: Path
) -> None:
    """The export exists (the session fixture made sure); fresh processes build the index,
    answer and load the serving Advisor without importing torch or sentence-transformers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env.update(
        ADVISOR_DATA_DIR=str(tmp_path / "data"),
        ADVISOR_MODEL_CACHE_DIR=str(MODEL_CACHE_DIR),
        ADVISOR_PLAYBOOKS_DIR=str(write_small_corpus(tmp_path / "playbooks")),
    )
    out, modules = _run_probe(["index"], env, tmp_path)
    assert "index rebuilt" in out and modules == []
    out, modules = _run_probe(
        ["ask", "How long should camera footage be kept by default?", "--json"], env, tmp_path
    )
    assert json.loads(out)["citations"] and modules == []
    out, modules = _run_probe(["serve-advisor"], env, tmp_path)
    assert out.strip() == "3" and modules == []
    manifest = load_index(tmp_path / "data" / "index").manifest  # type: ignore[union-attr]
    assert manifest["embedder"] == onnx_embedder.identity
