"""Settings: env prefix, Slack's own variable names, and a README row for every field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error

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


def test_unset_user_id_lists_are_a_new_empty_list_for_each_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ADVISOR_ADMIN_USER_IDS", raising=False)
    monkeypatch.delenv("ADVISOR_CURATOR_USER_IDS", raising=False)
    first = Settings(_env_file=None)
    first.admin_user_ids.append("U1")
    first.curator_user_ids.append("U2")
    second = Settings(_env_file=None)
    assert second.admin_user_ids == [] and second.curator_user_ids == []


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


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ADVISOR_PORT", "ADVISOR_DATABASE_URL", "ADVISOR_LOG_LEVEL", "SLACK_BOT_TOKEN"):
        monkeypatch.setenv(name, "")
    settings = Settings(_env_file=None)
    assert settings.port == 3000
    assert settings.database_url is None
    assert settings.log_level == "INFO"
    assert settings.slack_bot_token is None


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ADVISOR_DEFAULT_TIMEZONE", "Mars/Olympus_Mons", "unknown timezone 'Mars/Olympus_Mons'"),
        ("ADVISOR_DEFAULT_TIMEZONE", "../../etc/passwd", "unknown timezone"),
        ("ADVISOR_LOG_LEVEL", "loud", "unknown log level 'loud'"),
        ("ADVISOR_ANSWER_TIMEOUT_SECONDS", "nan", "finite number"),
        ("ADVISOR_ABSTAIN_THRESHOLD", "NaN", "finite number"),
        ("ADVISOR_REMINDER_DELAY_HOURS", "inf", "finite number"),
        ("ADVISOR_PORT", "70000", "less than or equal to 65535"),
        ("ADVISOR_QUESTION_LOG_RETENTION_DAYS", "99999999", "less than or equal to 36500"),
        ("ADVISOR_MISFIRE_GRACE_SECONDS", "0", "greater than or equal to 1"),
        ("ADVISOR_DATABASE_TIMEOUT_SECONDS", "-1", "greater than 0"),
        ("ADVISOR_DATABASE_URL", "postgresql://[::1", "not a database URL"),
    ],
)
def test_bad_values_are_rejected_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)
    line = describe_settings_error(info.value)
    assert line.startswith(f"bad setting {variable}: ")
    assert expected in line
    assert "\n" not in line


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_LOG_LEVEL", "debug")
    assert Settings(_env_file=None).log_level == "DEBUG"


def test_a_bad_database_url_is_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISOR_DATABASE_URL", "mysql://advisor:pw-9d8e7f@db.example/advisor")
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)
    line = describe_settings_error(info.value)
    assert "ADVISOR_DATABASE_URL" in line and "pw-9d8e7f" not in line
