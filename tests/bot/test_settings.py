"""Settings: env prefix, Slack's own variable names, and a README row for every field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_prefix_and_slack_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_SEARCH_TOP_K", "5")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("ADVISOR_ADMIN_USER_IDS", "U1, U2")
    settings = Settings(_env_file=None)
    assert settings.search_top_k == 5
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert "xoxb-1" not in repr(settings)
    assert settings.admin_user_ids == ["U1", "U2"]


def test_defaults_derive_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path))
    settings = Settings(_env_file=None)
    assert settings.resolved_index_dir == tmp_path / "index"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.as_posix()}/advisor.db"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names = [f"ADVISOR_{name.upper()}"]
        if alias is not None:
            names = [str(a) for a in getattr(alias, "choices", [alias])][:1]
        if not any(f"`{n}`" in readme for n in names):
            missing.append(names[0])
    assert missing == []
