"""``advisor groups show NAME [--json]``: the stakeholder map from the admin CLI, drawn by
the real search over a playbooks folder (hash-seeded fake embedder), on both backends."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.admin import groups_app
from bot.cli.context import CliContext
from storage.engine import SessionFactory
from storage.groups import add_member
from storage.roles import set_group_topic, set_member_stakeholder
from tests.bot.stakeholders.conftest import THRESHOLD, write_map_corpus
from tests.fakes.clock import FakeClock
from tests.fakes.embedder import HashEmbedder
from tests.storage.helpers import T0, make_group

runner = CliRunner()
CONTEXT = CliContext(clock=FakeClock(T0), embedder=lambda _settings: HashEmbedder())


def env_for(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "ADVISOR_DATABASE_URL": db_url,
        "ADVISOR_PLAYBOOKS_DIR": str(write_map_corpus(tmp_path / "playbooks")),
        "ADVISOR_DATA_DIR": str(tmp_path / "data"),
        "ADVISOR_ABSTAIN_THRESHOLD": str(THRESHOLD),
        "ADVISOR_EMBEDDING_MODEL": HashEmbedder().name,
    }


def test_groups_show_json_and_text(
    db_url: str, session_factory: SessionFactory, tmp_path: Path
) -> None:
    with session_factory() as session:
        group = make_group(session, lead="ULEAD")
        set_group_topic(
            session,
            group_id=group.id,
            topic="camera footage retention",
            actor_user_id="ULEAD",
            admin_ids=(),
        )
        add_member(session, group_id=group.id, user_id="UPD", now=T0)
        set_member_stakeholder(
            session,
            group_id=group.id,
            user_id="UPD",
            stakeholder="police",
            actor_user_id="UPD",
            admin_ids=(),
            now=T0,
        )
    env = env_for(db_url, tmp_path)
    result = runner.invoke(groups_app, ["show", "privacy", "--json"], env=env, obj=CONTEXT)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["topic"] == "camera footage retention"
    assert {"user_id": "UPD", "role": "member", "stakeholder": "police"} in data["members"]
    assert data["map"]["status"] == "ok" and data["map"]["represented"] == ["police"]
    assert {"city-attorney", "records-management"} <= set(data["map"]["missing"])
    attorney = next(e for e in data["map"]["entries"] if e["id"] == "city-attorney")
    assert attorney["motive"] == "worries about destroying footage that must be preserved."
    cited = data["map"]["citations"][attorney["citation"] - 1]
    assert cited["path"] == "guides/camera-footage-retention.md"

    text = runner.invoke(groups_app, ["show", "privacy"], env=env, obj=CONTEXT)
    assert text.exit_code == 0, text.output
    assert (
        "City attorney: worries about destroying footage that must be preserved. [1]" in text.output
    )
    assert "Police department: UPD" in text.output

    missing = runner.invoke(groups_app, ["show", "nope"], env=env, obj=CONTEXT)
    assert missing.exit_code == 2 and "no working group called 'nope'" in missing.output
