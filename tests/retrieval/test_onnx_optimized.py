"""The optimized ONNX graph cached beside the export (issue 15, fourth pass): made once per
ONNX Runtime version, reading the export's own weights, used only while it computes bitwise
what the export computes, and never in the way when anything about it is wrong.

Each test works on its own copy of the session's export (``MODEL_CACHE_DIR``), so nothing
here writes beside the shared one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.settings import BUNDLED_MODEL
from retrieval.evaluation import load_questions
from retrieval.onnx_embedder import (
    OPTIMIZED_PREFIX,
    REFUSED,
    WEIGHTS,
    OnnxEmbedder,
    _same_outputs,
    _split_weights,
    ensure_onnx,
    ensure_optimized,
    model_directory,
    optimized_file,
)
from tests.conftest import MODEL_CACHE_DIR
from tests.fakes.corpus import write_small_corpus

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "dev_questions"
ROOT = Path(__file__).resolve().parents[2]


def _runtime_version() -> str:
    import onnxruntime

    return str(onnxruntime.__version__)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A model cache holding a copy of the session's export alone (no optimized graph)."""
    cache = tmp_path / "models"
    export = ensure_onnx(BUNDLED_MODEL, MODEL_CACHE_DIR).parent  # made once, by `make install`
    folder = cache / export.name
    folder.mkdir(parents=True)
    for name in ("model.onnx", WEIGHTS):
        shutil.copy2(export / name, folder / name)
    shutil.copytree(MODEL_CACHE_DIR / "hashes", cache / "hashes")
    return cache


def _export(cache_dir: Path) -> Path:
    path = ensure_onnx(BUNDLED_MODEL, cache_dir)
    assert path.parent.parent == cache_dir  # the copy, not a new export
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _texts() -> list[str]:
    questions = [q.question for q in load_questions(DEV_SET)]
    long_text = "  A working group charter names who decides, and when. " * 60  # > 256 tokens
    return [*questions, long_text, "privacy"]


@pytest.mark.model
def test_the_optimized_graph_is_made_once_beside_the_export_and_reads_its_weights(
    cache_dir: Path,
) -> None:
    import onnx

    export = _export(cache_dir)
    weights = export.parent / WEIGHTS
    weights_before = (_digest(weights), weights.stat().st_mtime_ns)
    optimized = ensure_optimized(export, model_directory(BUNDLED_MODEL))
    assert optimized == optimized_file(export, _runtime_version())
    assert optimized.name == f"model.optimized-ort{_runtime_version()}-extended.onnx"
    assert optimized.stat().st_size < 1_000_000  # the graph alone: no second copy of weights
    assert {p.name for p in export.parent.iterdir()} == {
        "model.onnx",
        WEIGHTS,
        optimized.name,
        ".export.lock",
    }  # no temporary file left, no new weights file
    assert (_digest(weights), weights.stat().st_mtime_ns) == weights_before
    graph = onnx.load(str(optimized), load_external_data=False)
    external = [i for i in graph.graph.initializer if i.data_location == onnx.TensorProto.EXTERNAL]
    assert len(external) > 50
    locations = {e.value for i in external for e in i.external_data if e.key == "location"}
    assert locations == {WEIGHTS}
    made = optimized.stat().st_mtime_ns
    assert ensure_optimized(export, model_directory(BUNDLED_MODEL)) == optimized
    assert optimized.stat().st_mtime_ns == made  # found, not made again


@pytest.mark.model
def test_the_optimized_graph_gives_the_exports_vectors_bitwise(cache_dir: Path) -> None:
    embedder = OnnxEmbedder(BUNDLED_MODEL, cache_dir=cache_dir, threads=1, bulk_threads=1)
    export = _export(cache_dir)
    assert embedder.path == export
    assert embedder.graph == optimized_file(export, _runtime_version())
    plain = OnnxEmbedder.from_file(export, model_directory(BUNDLED_MODEL), name="plain", threads=1)
    assert plain.graph == export
    texts = _texts()
    assert len(texts) > 100  # several padded batches
    assert np.array_equal(embedder.embed(texts), plain.embed(texts))
    for text in (texts[0], texts[-2]):  # one at a time, no padding; one truncated
        assert np.array_equal(embedder.embed([text]), plain.embed([text]))
    spans = [[(0, 20), (20, len(t))] for t in texts[:8]]
    ours, our_spans = embedder.embed_spans(texts[:8], spans)
    theirs, their_spans = plain.embed_spans(texts[:8], spans)
    assert np.array_equal(ours, theirs)
    assert all(np.array_equal(a, b) for a, b in zip(our_spans, their_spans, strict=True))


@pytest.mark.model
def test_other_versions_graphs_are_removed_and_a_refused_version_is_not_retried(
    cache_dir: Path,
) -> None:
    export = _export(cache_dir)
    model_dir = model_directory(BUNDLED_MODEL)
    stale = [export.with_name(f"{OPTIMIZED_PREFIX}ort0.0.1-extended.onnx")]
    stale.append(stale[0].with_name(stale[0].name + REFUSED))
    for path in stale:
        path.write_bytes(b"an older runtime's")
    optimized = ensure_optimized(export, model_dir)
    assert optimized is not None and optimized.is_file()
    assert not any(path.exists() for path in stale)

    optimized.unlink()
    refused = optimized.with_name(optimized.name + REFUSED)
    refused.write_bytes(b"")
    assert ensure_optimized(export, model_dir) is None
    assert not optimized.exists()  # not tried again
    embedder = OnnxEmbedder(BUNDLED_MODEL, cache_dir=cache_dir, threads=1)
    assert embedder.graph == export and not optimized.exists()


@pytest.mark.model
def test_an_unloadable_optimized_graph_falls_back_to_the_export(
    cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    export = _export(cache_dir)
    optimized_file(export, _runtime_version()).write_bytes(b"not a graph")
    embedder = OnnxEmbedder(BUNDLED_MODEL, cache_dir=cache_dir, threads=1)
    assert embedder.graph == export
    assert "cannot load the optimized ONNX graph" in caplog.text
    plain = OnnxEmbedder.from_file(export, model_directory(BUNDLED_MODEL), name="plain", threads=1)
    question = ["Who should sit on a privacy working group?"]
    assert np.array_equal(embedder.embed(question), plain.embed(question))
    # the broken graph is replaced by a refusal: the next start loads the export, no warning
    broken = optimized_file(export, _runtime_version())
    assert not broken.exists() and broken.with_name(broken.name + REFUSED).exists()
    caplog.clear()
    assert OnnxEmbedder(BUNDLED_MODEL, cache_dir=cache_dir, threads=1).graph == export
    assert "cannot load the optimized ONNX graph" not in caplog.text


@pytest.mark.model
def test_the_check_refuses_a_graph_that_computes_something_else(cache_dir: Path) -> None:
    import onnx

    export = _export(cache_dir)
    model_dir = model_directory(BUNDLED_MODEL)
    optimized = ensure_optimized(export, model_dir)
    assert optimized is not None
    assert _same_outputs(export, optimized, model_dir)
    graph = onnx.load(str(optimized), load_external_data=False)
    norm = next(n for n in graph.graph.node if n.op_type == "LayerNormalization")
    epsilon = next(a for a in norm.attribute if a.name == "epsilon")
    epsilon.f = 0.5  # one layer norm computes something else
    altered = export.with_name("altered.onnx")
    onnx.save_model(graph, str(altered))
    assert not _same_outputs(export, altered, model_dir)


def test_rewriting_the_exports_weights_removes_the_graphs_that_read_them(tmp_path: Path) -> None:
    """A (re-)export writes ``WEIGHTS`` anew; optimized graphs point into the old file."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((32, 32), dtype=np.float32), name="w")
    node = helper.make_node("MatMul", ["x", "w"], ["y"])
    graph = helper.make_graph(
        [node],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 32])],
        [weight],
    )
    source = tmp_path / "one-file.onnx"
    onnx.save_model(helper.make_model(graph), str(source))
    folder = tmp_path / "export"
    folder.mkdir()
    old = [folder / f"{OPTIMIZED_PREFIX}ort1.0.0-extended.onnx", folder / f"{OPTIMIZED_PREFIX}x"]
    for path in old:
        path.write_bytes(b"reads the old weights")
    _split_weights(source, folder / "model.onnx")
    assert {p.name for p in folder.iterdir()} == {"model.onnx", WEIGHTS}


@pytest.mark.model
@pytest.mark.separate_process
def test_a_fresh_ask_makes_the_optimized_graph_and_answers_the_same_with_it(
    cache_dir: Path, tmp_path: Path
) -> None:
    """An `advisor ask` whose cache holds an unloadable graph answers from the export and
    marks that graph refused; the next, with no graph, makes it (lazily, as when `make
    install` did not) and answers identically from it; the one after finds it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env.update(
        ADVISOR_DATA_DIR=str(tmp_path / "data"),
        ADVISOR_MODEL_CACHE_DIR=str(cache_dir),
        ADVISOR_PLAYBOOKS_DIR=str(write_small_corpus(tmp_path / "playbooks")),
        PYTHONPATH=str(ROOT),
    )
    export = _export(cache_dir)
    optimized = optimized_file(export, _runtime_version())
    question = "How long should camera footage be kept by default?"
    probe = (
        "import sys\n"
        "from bot.cli.main import main\n"
        "sys.argv = ['advisor', 'ask', sys.argv[1], '--json']\n"
        "main()\n"
    )

    def ask() -> dict[str, object]:
        proc = subprocess.run(
            [sys.executable, "-c", probe, question],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        return dict(json.loads(proc.stdout))

    optimized.write_bytes(b"not a graph")  # unloadable: the export answers, and it is refused
    plain = ask()
    refused = optimized.with_name(optimized.name + REFUSED)
    assert not optimized.exists() and refused.exists()
    refused.unlink()  # as after an ONNX Runtime upgrade: no graph and no marker
    made_here = ask()
    assert optimized.is_file() and optimized.stat().st_size > 10_000
    made = optimized.stat().st_mtime_ns
    found = ask()
    assert optimized.stat().st_mtime_ns == made
    assert plain["citations"] and plain == made_here == found
