"""The one settings object. Only this module reads the environment.

Every field is documented in README.md's configuration table; keep the two in step
(tests/bot/test_settings.py checks that every field appears there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """Runtime configuration, read from ``ADVISOR_*`` variables and a ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Content and retrieval
    playbooks_dir: Path = Path("playbooks")
    data_dir: Path = Path(".advisor")
    index_dir: Path | None = None
    embedding_model: str = BUNDLED_MODEL
    embedding_batch_size: int = Field(default=32, ge=1, le=1024)
    fusion: Literal["rrf", "convex"] = "rrf"
    rrf_k: int = Field(default=10, ge=1)
    convex_alpha: float = Field(default=0.5, ge=0.0, le=1.0)
    search_top_k: int = Field(default=8, ge=1, le=100)
    abstain_threshold: float | None = None
    max_question_chars: int = Field(default=2000, ge=10)
    # Web address of the playbooks folder (e.g. a git host's tree URL); citations link to
    # the file and heading there. Unset: citations show the file path and section.
    playbooks_url: str | None = Field(default=None, pattern=r"^https?://[^\s<>|]+$")

    # Storage
    database_url: str | None = None
    question_log_retention_days: int = Field(default=90, ge=1)

    # Slack (Slack's own variable names, without the ADVISOR_ prefix)
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "ADVISOR_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "ADVISOR_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "ADVISOR_SLACK_APP_TOKEN")
    )
    slack_api_url: str = DEFAULT_SLACK_API_URL
    host: str = "0.0.0.0"  # noqa: S104 - HTTP mode must be reachable by Slack or a proxy
    port: int = Field(default=3000, ge=1, le=65535)
    admin_user_ids: CommaList = Field(default_factory=list)
    curator_user_ids: CommaList = Field(default_factory=list)
    answer_workers: int = Field(default=4, ge=1, le=64)
    answer_timeout_seconds: float = Field(default=30.0, gt=0)
    processed_event_ttl_hours: int = Field(default=48, ge=1)

    # Check-ins
    default_timezone: str = "UTC"
    reminder_delay_hours: float = Field(default=24.0, gt=0)
    escalation_overdue_days: int = Field(default=3, ge=0)
    misfire_grace_seconds: int = Field(default=6 * 3600, ge=1)
    scheduler_enabled: bool = True
    # The longest gap in scheduling after the leader dies: waiting processes retry the
    # scheduler's leader lock (and the leader checks it) every half of this. Same everywhere.
    scheduler_leader_check_seconds: float = Field(default=30.0, ge=0.05, le=300)
    # Pace of the check-in jobs' chat.postMessage calls, shared by all jobs of the process:
    # below Slack's workspace-wide "several hundred per minute".
    checkin_posts_per_minute: int = Field(default=240, ge=1)

    log_level: str = "INFO"

    @field_validator("admin_user_ids", "curator_user_ids", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir if self.index_dir is not None else self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'advisor.db').as_posix()}"
