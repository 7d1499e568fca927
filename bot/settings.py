"""The one settings object. Only this module reads the environment.

Every field is documented in README.md's configuration table; keep the two in step
(tests/bot/test_settings.py checks that every field appears there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.documents import DEFAULT_MAX_FILE_BYTES

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

CommaList = Annotated[list[str], NoDecode]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    """Runtime configuration, read from ``ADVISOR_*`` variables and a ``.env`` file."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # ADVISOR_PORT= (empty) means "use the default", not an error
        allow_inf_nan=False,  # NaN and inf are rejected, so every bound below holds
    )

    # Content and retrieval
    playbooks_dir: Path = Path("playbooks")
    data_dir: Path = Path(".advisor")
    index_dir: Path | None = None
    embedding_model: str = BUNDLED_MODEL
    embedding_batch_size: int = Field(default=32, ge=1, le=1024)
    # onnx: ONNX Runtime, no torch at question time (exported once from the model's weights
    # into <data dir>/models); torch: sentence-transformers, the reference. Same vectors.
    embedding_backend: Literal["onnx", "torch"] = "onnx"
    # Intra-op threads of the embedding model. Unset: 1 for questions (the answer workers
    # already run in parallel) and every core for index builds (ONNX); torch's default.
    embedding_threads: int | None = Field(default=None, ge=1, le=256)
    model_cache_dir: Path | None = None  # the ONNX export; unset: <data dir>/models
    fusion: Literal["rrf", "convex"] = "rrf"
    rrf_k: int = Field(default=10, ge=1, le=1000)
    convex_alpha: float = Field(default=0.5, ge=0.0, le=1.0)
    search_top_k: int = Field(default=8, ge=1, le=100)
    abstain_threshold: float | None = Field(default=None, ge=-1.0, le=1.0)
    max_question_chars: int = Field(default=2000, ge=10, le=40_000)
    # A playbook file larger than this is refused (named, with the limit), never embedded.
    max_playbook_bytes: int = Field(default=DEFAULT_MAX_FILE_BYTES, ge=1_000, le=100_000_000)
    # Web address of the playbooks folder (e.g. a git host's tree URL); citations link to
    # the file and heading there. Unset: citations show the file path and section.
    playbooks_url: str | None = Field(default=None, pattern=r"^https?://[^\s<>|]+$")

    # Storage
    database_url: str | None = None
    # The longest one database call may wait while serving: lock and statement timeouts on
    # PostgreSQL, the busy timeout on SQLite, and the wait for a pooled connection.
    database_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    question_log_retention_days: int = Field(default=90, ge=1, le=36_500)

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
    # Socket Mode only: serve /healthz and /metrics on this port (HTTP mode serves them on
    # ADVISOR_PORT). Unset: not served. 0 picks a free port (tests).
    health_port: int | None = Field(default=None, ge=0, le=65535)
    # pydantic copies a list default for each instance; ``default_factory=list`` cost every
    # command ~8 ms at import (pydantic parses the builtin's signature from its text)
    admin_user_ids: CommaList = Field(default=[])
    curator_user_ids: CommaList = Field(default=[])
    answer_workers: int = Field(default=4, ge=1, le=64)
    # Questions waiting for a worker; past this bound (memory, not speed) askers are told
    # to ask again. A burst below it is queued and answered.
    answer_queue_limit: int = Field(default=1000, ge=1, le=100_000)
    answer_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    processed_event_ttl_hours: int = Field(default=48, ge=1, le=24 * 365)
    # Request bodies larger than this get HTTP 413 before they are read further or parsed.
    max_request_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)

    # Check-ins
    default_timezone: str = "UTC"
    reminder_delay_hours: float = Field(default=24.0, gt=0, le=24 * 365)
    escalation_overdue_days: int = Field(default=3, ge=0, le=3650)
    misfire_grace_seconds: int = Field(default=6 * 3600, ge=1, le=30 * 24 * 3600)
    scheduler_enabled: bool = True
    # The longest gap in scheduling after the leader dies: waiting processes retry the
    # scheduler's leader lock (and the leader checks it) every half of this. Same everywhere.
    scheduler_leader_check_seconds: float = Field(default=30.0, ge=0.05, le=300)
    # How often the scheduler's leader looks for groups created or changed by any process
    # (one cheap query); a change is scheduled, and what it missed is sent, within this.
    scheduler_change_poll_seconds: float = Field(default=5.0, ge=0.05, le=300)
    # Pace of the check-in jobs' chat.postMessage calls, shared by all jobs of the process:
    # below Slack's workspace-wide "several hundred per minute".
    checkin_posts_per_minute: int = Field(default=240, ge=1, le=10_000)

    # Curators' loop (issue 13). The weekly report DM'd to ADVISOR_CURATOR_USER_IDS, on this
    # schedule in ADVISOR_DEFAULT_TIMEZONE ("off": no digest), covering the last N days.
    curator_digest_schedule: str = "mon 08:00"
    curator_digest_days: int = Field(default=7, ge=1, le=366)
    # How often a running bot checks the playbooks folder and reloads a changed index
    # (0: only on `/advisor reindex`).
    reload_seconds: float = Field(default=60.0, ge=0, le=86_400)

    log_level: str = "INFO"
    # text: one readable line per record; json: one JSON object per line, extra= fields kept.
    log_format: Literal["text", "json"] = "text"

    @field_validator("admin_user_ids", "curator_user_ids", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        """A SQLite or PostgreSQL SQLAlchemy URL (the value is never echoed: it may hold a
        password)."""
        if value is None:
            return value
        try:
            from sqlalchemy.engine import make_url  # only when a URL is set: ask never pays

            backend = make_url(value.replace("postgres://", "postgresql://", 1)).get_backend_name()
        except Exception:  # SQLAlchemy raises several types for a bad URL
            backend = ""
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(
                "not a database URL this advisor can use (e.g. sqlite:///.advisor/advisor.db "
                "or postgresql+psycopg://user@host/db)"
            )
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}; use an IANA name such as Europe/Paris"
            ) from None
        return value

    @field_validator("curator_digest_schedule")
    @classmethod
    def _digest_schedule(cls, value: str) -> str:
        if value.strip().lower() == "off":
            return "off"
        from checkins.errors import InvalidSchedule
        from checkins.schedule import parse_schedule

        try:
            parse_schedule(value, timezone="UTC")
        except InvalidSchedule as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}; use one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir if self.index_dir is not None else self.data_dir / "index"

    @property
    def resolved_model_cache_dir(self) -> Path:
        """Where the ONNX export of the embedding model (and its hash) is cached."""
        cache = self.model_cache_dir
        return cache if cache is not None else self.data_dir / "models"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'advisor.db').as_posix()}"


def variable_name(field: str) -> str:
    """The environment variable that sets ``field`` (Slack's own names for its secrets)."""
    info = Settings.model_fields.get(field)
    if info is None:  # already a variable name (an alias in an error's location)
        return field if field.isupper() else f"ADVISOR_{field.upper()}"
    choices = getattr(info.validation_alias, "choices", None)
    return str(choices[0]) if choices else f"ADVISOR_{field.upper()}"


def describe_settings_error(error: ValidationError) -> str:
    """One line naming each bad variable and what is wrong, never the (maybe secret) value."""
    parts = []
    for problem in error.errors(include_input=False, include_url=False):
        field = str(problem["loc"][0]) if problem["loc"] else "settings"
        message = str(problem["msg"]).removeprefix("Value error, ")
        parts.append(f"{variable_name(field)}: {message}")
    return "bad setting " + "; ".join(parts)
