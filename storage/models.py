"""The tables, as SQLModel classes (``ThingBase`` holds the fields, ``Thing`` is the table).

Every datetime column is a ``UTCDateTime`` (aware UTC in, aware UTC out, on SQLite and
PostgreSQL alike). Dates without a time (``Commitment.due_date``) are plain ``date``.
Status-like columns are short strings whose allowed values are the ``StrEnum`` classes below;
the repository functions check them. ``metadata`` is what Alembic compares against.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION


class CommitmentStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class CheckInResponse(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"


class MemberRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class Surface(StrEnum):
    MENTION = "mention"
    DM = "dm"
    COMMAND = "command"
    SHORTCUT = "shortcut"
    THREAD = "thread"
    CLI = "cli"


class _Row(Protocol):
    id: int | None


def saved_id(row: _Row) -> int:
    """``row.id`` of a row read from or written to the database (only an unsaved row has
    none, and passing one on is a bug)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} was never saved, so it has no id")
    return row.id


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    """A ``UTCDateTime`` field (nullable unless told otherwise)."""
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, index=index)
    return Field(default_factory=utcnow, sa_type=UTCDateTime, index=index, nullable=False)


def _fk(target: str, *, ondelete: str, nullable: bool = False) -> Any:
    """An indexed integer foreign key with a database-level ``ON DELETE`` rule."""
    column = Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)
    return Field(default=None, sa_column=column)


# --- working groups -----------------------------------------------------------------------


class WorkingGroupBase(SQLModel):
    name: str = Field(max_length=80, unique=True)
    channel_id: str = Field(max_length=32)
    lead_user_id: str = Field(max_length=32)
    timezone: str = Field(default="UTC", max_length=64)
    checkin_schedule: str = Field(default="mon 09:00", max_length=100)
    digest_schedule: str = Field(default="fri 15:00", max_length=100)
    working_days: str = Field(default="mon,tue,wed,thu,fri", max_length=40)
    topic: str | None = Field(default=None, max_length=300)  # what the stakeholder map is about


class WorkingGroup(WorkingGroupBase, table=True):
    """A working group: its Slack channel, lead, timezone and schedules."""

    __tablename__ = "working_group"
    id: int | None = Field(default=None, primary_key=True)
    archived: bool = Field(default=False)
    channel_error: str | None = Field(default=None, max_length=64)
    channel_error_at: datetime | None = _when()
    created_at: datetime = _when(nullable=False)


class Membership(SQLModel, table=True):
    """A user's membership of a group (role ``lead`` or ``member``)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("working_group.id", ondelete="CASCADE")
    user_id: str = Field(max_length=32, index=True)
    role: str = Field(default=MemberRole.MEMBER.value, max_length=16)
    joined_at: datetime = _when(nullable=False)
    stakeholder: str | None = Field(default=None, max_length=64)  # an id of stakeholders.yaml


# --- commitments and their follow-up ------------------------------------------------------


class CommitmentBase(SQLModel):
    owner_user_id: str = Field(max_length=32, index=True)
    title: str = Field(max_length=200)
    details: str = Field(default="", sa_type=Text)
    due_date: date


class Commitment(CommitmentBase, table=True):
    """Something a group member promised to do by a date."""

    __tablename__ = "commitment"
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("working_group.id", ondelete="CASCADE")
    status: str = Field(default=CommitmentStatus.OPEN.value, max_length=16, index=True)
    created_by: str = Field(max_length=32)
    question_log_id: int | None = _fk("question_log.id", ondelete="SET NULL", nullable=True)
    created_at: datetime = _when(nullable=False)
    updated_at: datetime = _when(nullable=False)
    completed_at: datetime | None = _when()
    # The cited playbook sections of the answer it was made from (``title``, ``section``,
    # ``path``, ``headings``), first the one its title came from; empty for typed ones.
    citations: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)


class CheckIn(SQLModel, table=True):
    """One check-in DM for one commitment in one schedule period (the idempotency key)."""

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("commitment_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = _fk("commitment.id", ondelete="CASCADE")
    period: str = Field(max_length=32)
    scheduled_for: datetime = _when(nullable=False)
    claimed_at: datetime = _when(nullable=False)
    sent_at: datetime | None = _when()
    delivery_error: str | None = Field(default=None, max_length=64)
    dm_channel: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    reminder_sent_at: datetime | None = _when()
    snoozed_until: datetime | None = _when()
    snooze_used: bool = Field(default=False)
    response: str | None = Field(default=None, max_length=16)
    note: str | None = Field(default=None, sa_type=Text)
    responded_by: str | None = Field(default=None, max_length=32)
    responded_at: datetime | None = _when()


class StatusUpdate(SQLModel, table=True):
    """A status given outside the check-in DM (``/advisor update``); the check-in of the
    period it falls in counts it (``checkin_id``) instead of asking, exactly once."""

    __tablename__ = "status_update"
    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = _fk("commitment.id", ondelete="CASCADE")
    user_id: str = Field(max_length=32)
    status: str = Field(max_length=16)  # a ``CheckInResponse``
    note: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _when(nullable=False)
    checkin_id: int | None = _fk("check_in.id", ondelete="SET NULL", nullable=True)


class AwayPeriod(SQLModel, table=True):
    """A user away until the end of ``until`` in ``timezone``: no check-ins or reminders
    scheduled before ``back_at`` (the next local midnight, as UTC)."""

    __tablename__ = "away_period"
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32, unique=True)
    until: date
    timezone: str = Field(max_length=64)
    back_at: datetime = _when(nullable=False, index=True)
    set_at: datetime = _when(nullable=False)


class Escalation(SQLModel, table=True):
    """An overdue commitment escalated to the group lead, once per period."""

    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("commitment_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = _fk("commitment.id", ondelete="CASCADE")
    period: str = Field(max_length=32)
    sent_at: datetime = _when(nullable=False)


class Digest(SQLModel, table=True):
    """A digest posted to a group's channel, once per period."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("group_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    group_id: int = _fk("working_group.id", ondelete="CASCADE")
    period: str = Field(max_length=32)
    sent_at: datetime = _when(nullable=False)


# --- the Slack side: question log, feedback, de-duplication, answer threads ---------------


class QuestionLog(SQLModel, table=True):
    """A question asked of the bot, what it found and whether it abstained (user IDs only)."""

    __tablename__ = "question_log"
    id: int | None = Field(default=None, primary_key=True)
    asked_at: datetime = _when(nullable=False, index=True)
    user_id: str = Field(max_length=32, index=True)
    channel_id: str | None = Field(default=None, max_length=32)
    thread_ts: str | None = Field(default=None, max_length=32)
    surface: str = Field(max_length=16)
    question: str = Field(sa_type=Text)
    abstained: bool = Field(default=False)
    confidence: float | None = None
    hit_chunk_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    cited_doc_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    answer_ts: str | None = Field(default=None, max_length=32)
    # "doc id#section" of each citation (issue 13: the curators' report counts sections)
    cited_sections: list[str] = Field(default_factory=list, sa_type=JSON)


class Feedback(SQLModel, table=True):
    """One user's verdict on one answer; a later click updates it."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("question_log_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    question_log_id: int = _fk("question_log.id", ondelete="CASCADE")
    user_id: str = Field(max_length=32)
    helpful: bool
    reason: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _when(nullable=False)
    updated_at: datetime = _when(nullable=False)


class ProcessedEvent(SQLModel, table=True):
    """A Slack ``event_id`` already handled; rows expire so the table stays small."""

    __tablename__ = "processed_event"
    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _when(nullable=False)
    expires_at: datetime = _when(nullable=False, index=True)


class AnswerThread(SQLModel, table=True):
    """A thread where the bot has answered, so follow-ups need no re-tag."""

    __tablename__ = "answer_thread"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts"),)
    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=32)
    thread_ts: str = Field(max_length=32)
    created_at: datetime = _when(nullable=False)
    last_answered_at: datetime = _when(nullable=False)


# --- curation: channel scope, Ask-a-person requests, curator digests (issue 13) ----------


class ChannelScope(SQLModel, table=True):
    """An admin's rules for one channel: whether the bot answers there, default filters."""

    __tablename__ = "channel_scope"
    channel_id: str = Field(primary_key=True, max_length=32)
    answer: bool = Field(default=True)
    kinds: list[str] = Field(default_factory=list, sa_type=JSON)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    cities: list[str] = Field(default_factory=list, sa_type=JSON)
    updated_by: str = Field(max_length=32)
    updated_at: datetime = _when(nullable=False)


class PersonRequest(SQLModel, table=True):
    """An *Ask a person* click on an answer; open until a curator marks it handled."""

    __tablename__ = "person_request"
    # one open request per person and answer: a second click (or a retried one) is the same ask
    __table_args__ = (
        Index(
            "uq_person_request_open",
            "question_log_id",
            "user_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    question_log_id: int = _fk("question_log.id", ondelete="CASCADE")
    user_id: str = Field(max_length=32)
    asked_at: datetime = _when(nullable=False, index=True)
    resolved_at: datetime | None = _when()
    resolved_by: str | None = Field(default=None, max_length=32)


class CuratorDigest(SQLModel, table=True):
    """The weekly curator digest DM, claimed once per curator and period."""

    __tablename__ = "curator_digest"
    __table_args__ = (UniqueConstraint("user_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    period: str = Field(max_length=32)
    sent_at: datetime = _when(nullable=False)
