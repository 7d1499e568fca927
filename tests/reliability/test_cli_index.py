"""Issue 11, items 4 and 5, with the real ``advisor`` executable and the bundled model: a
damaged index is one line on ``ask`` and repaired by ``index``; a broken playbook edit keeps
its last good version and makes ``index`` exit 1; nothing prints a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import index_store
from tests.fakes.corpus import write_small_corpus
from tests.reliability.conftest import run_cli

pytestmark = [pytest.mark.separate_process, pytest.mark.model]

QUESTION = "How long should camera footage be kept by default?"


def test_damage_is_named_and_repaired_and_a_broken_edit_keeps_the_last_good_version(
    tmp_path: Path,
) -> None:
    playbooks = write_small_corpus(tmp_path / "playbooks")
    env = {
        "ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "ADVISOR_PLAYBOOKS_DIR": str(playbooks),
        "ADVISOR_INDEX_DIR": str(tmp_path / "index"),
    }
    built = run_cli(["index"], env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    generation = index_store.current_generation(tmp_path / "index")
    assert generation is not None
    (generation / "bm25.npz").write_bytes(b"PK\x03\x04 truncated")

    asked = run_cli(["ask", QUESTION], env, cwd=tmp_path)
    assert asked.returncode == 1
    lines = [line for line in asked.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in asked.stderr + asked.stdout, asked.stderr
    assert "bm25.npz is 14 bytes" in lines[0]
    assert lines[0].endswith("run `advisor index` to repair it")

    retention = playbooks / "guides" / "retention.md"
    retention.write_text(retention.read_text().replace("kind: playbook", "kind: [playbook"))
    repaired = run_cli(["index"], env, cwd=tmp_path)
    assert repaired.returncode == 1  # the broken playbook fails the run, for content CI
    assert "damaged (bm25.npz is 14 bytes" in repaired.stderr
    assert "Traceback" not in repaired.stderr
    assert "guides/retention.md:" in repaired.stderr
    assert "[the last good version stays in the index]" in repaired.stderr
    # rebuilt from scratch: the broken file's last good text came from the damaged index,
    # whose chunks still matched their checksum, and was embedded again
    answer = run_cli(["ask", QUESTION, "--json"], env, cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    cited = {citation["doc_id"] for citation in json.loads(answer.stdout)["citations"]}
    assert "footage-retention" in cited
