"""``advisor ask --json`` is a documented contract: ``schemas/ask.v1.schema.json``.

Real output of the real command is validated against the schema: fast, on a small corpus
with the hash-seeded fake embedder (answers, filtered answers and a refusal), and once with
the real bundled model on the shipped playbooks (``model``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.main import app
from bot.settings import Settings
from tests.conftest import SHIPPED_PLAYBOOKS
from tests.fakes.embedder import HashEmbedder

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "schemas" / "ask.v1.schema.json"
runner = CliRunner()


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def ask_json(args: list[str], obj: CliContext | None = None) -> dict[str, Any]:
    result = runner.invoke(app, ["ask", *args, "--json"], obj=obj or CliContext())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def assert_valid(validator: Draft202012Validator, answer: dict[str, Any]) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(answer)]
    assert problems == []
    numbers = {citation["number"] for citation in answer["citations"]}
    cited = [item["citation"] for key in ("sentences", "actions", "peers") for item in answer[key]]
    assert set(cited) <= numbers  # every number shown resolves to a citation


def fake_embedder(settings: Settings) -> HashEmbedder:
    return HashEmbedder(name=settings.embedding_model)


def test_the_schema_is_versioned_and_documents_every_field(
    validator: Draft202012Validator,
) -> None:
    schema = validator.schema
    assert schema["$id"].endswith(":v1") and "version 1" in schema["title"]
    assert set(schema["required"]) == set(schema["properties"])
    assert all("description" in schema["properties"][key] for key in ("sentences", "refusal"))


def test_ask_json_matches_the_schema(
    validator: Draft202012Validator,
    corpus_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(corpus_dir))
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_URL", "https://git.example.org/city/playbooks")
    fake = CliContext(embedder=fake_embedder)
    answered = ask_json(["how long should camera footage retention last?"], fake)
    filtered = ask_json(["surveillance ordinance", "--kind", "case-note"], fake)
    refused = ask_json(["zebra quasar marmalade xylophone"], fake)
    for answer in (answered, filtered, refused):
        assert_valid(validator, answer)
    assert not answered["abstained"] and answered["sentences"] and answered["citations"]
    assert answered["citations"][0]["url"].startswith("https://git.example.org/")
    assert {c["kind"] for c in filtered["citations"]} <= {"case-note"}
    assert refused["abstained"] and refused["refusal"] in ("off-topic", "too-specific")


@pytest.mark.model
def test_real_ask_json_matches_the_schema(
    validator: Draft202012Validator,
    shipped_index_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(shipped_index_dir, index_dir)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_PLAYBOOKS_DIR", str(SHIPPED_PLAYBOOKS))
    monkeypatch.setenv("ADVISOR_INDEX_DIR", str(index_dir))
    answered = ask_json(["How did other cities get police and IT to agree on camera footage?"])
    refused = ask_json(["What is the price of the Acme Vision 3000 camera in Springfield?"])
    for answer in (answered, refused):
        assert_valid(validator, answer)
    assert not answered["abstained"] and answered["peers"] and answered["actions"]
    assert refused["abstained"]
