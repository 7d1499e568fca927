"""The ask use-case: claim the event, show "working on it", answer in the background.

``accept`` runs right after the ack (in a listener): de-duplicates by the keys given
(``event_id``, channel message), posts the placeholder, and queues ``compose`` on the
bounded pool. ``compose`` asks the engine, logs the question, renders and delivers, and
replaces the placeholder with a short next-step message whatever goes wrong. Question text
never reaches the process log: only error types and Slack error codes do.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.exc import SQLAlchemyError

from bot import messages as msg
from bot.blocks.answer import RenderedAnswer, RenderOptions, render_answer
from bot.escape import escape_mrkdwn
from bot.gateway import SlackCallFailed
from bot.replies import Reply
from bot.services import Services
from retrieval.errors import QuestionError
from retrieval.models import Answer
from storage.events import claim_event
from storage.questions import log_question, questions_in_thread, set_answer_ts
from storage.threads import remember_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    """One question as the surfaces hand it over (identity from Slack's verified IDs)."""

    user_id: str
    text: str
    surface: str  # storage.models.Surface value
    channel_id: str | None = None
    thread_ts: str | None = None  # the thread the answer lives in, if any
    remember: bool = False  # record the thread so follow-ups need no re-tag


class ClaimFailed(Exception):
    """The database could not record an event, so it is unknown whether it was answered."""


def claim(services: Services, keys: Sequence[str]) -> bool:
    """True if none of ``keys`` was seen before (each is recorded with an expiry).

    Raises ``ClaimFailed`` (having logged the error type) when the database fails: the
    caller tells the user to ask again rather than risk answering twice.
    """
    try:
        return _claim_all(services, keys)
    except SQLAlchemyError as exc:
        log.error("event not de-duplicated: %s", type(exc).__name__)
        raise ClaimFailed from None


def _claim_all(services: Services, keys: Sequence[str]) -> bool:
    now = services.clock()
    for key in keys:
        with services.session() as session:
            if not claim_event(session, event_id=key[:64], now=now, ttl=services.event_ttl):
                return False
    return True


def accept(services: Services, question: Question, reply: Reply, *, options: RenderOptions) -> None:
    """Show the working signal and queue the answer; tell the user if the pool is full."""
    if not reply.start():
        return
    if question.remember:
        _remember(services, question)
    if not services.workers.submit(lambda: compose(services, question, reply, options=options)):
        _safely(reply.notice, msg.BUSY)


def _remember(services: Services, question: Question) -> None:
    """Record the thread for follow-ups; a database failure must not strand the placeholder."""
    if not (question.channel_id and question.thread_ts):
        return
    try:
        with services.session() as session:
            remember_thread(
                session,
                channel_id=question.channel_id,
                thread_ts=question.thread_ts,
                now=services.clock(),
            )
    except SQLAlchemyError as exc:  # the answer still goes out; only follow-ups need a re-tag
        log.warning("thread not remembered: %s", type(exc).__name__)


def compose(
    services: Services, question: Question, reply: Reply, *, options: RenderOptions
) -> None:
    """Answer, log and deliver; on any failure replace the signal with a next step."""
    once = _Once()
    timer = threading.Timer(
        services.settings.answer_timeout_seconds,
        lambda: once.run(lambda: _safely(reply.notice, msg.TIMED_OUT)),
    )
    timer.daemon = True
    timer.start()
    try:
        problem = _question_problem(services, question.text)
        if problem:
            once.run(lambda: _safely(reply.notice, msg.QUESTION_PROBLEM.format(problem=problem)))
            return
        answer = services.advisor.ask(question.text, context=_thread_context(services, question))
        log_id = _log(services, question, answer)
        rendered = render_answer(answer, replace(options, question_log_id=log_id))
        once.run(lambda: _deliver(services, reply, rendered, log_id))
    except QuestionError as exc:
        problem = escape_mrkdwn(str(exc))
        once.run(lambda: _safely(reply.notice, msg.QUESTION_PROBLEM.format(problem=problem)))
    except Exception as exc:  # whatever breaks, the user gets a next step, never silence
        _log_failure(exc)
        text = _failure_text(exc)
        once.run(lambda: _safely(reply.notice, text))
    finally:
        timer.cancel()


def _question_problem(services: Services, text: str) -> str | None:
    limit = services.settings.max_question_chars
    if len(text) > limit:
        return msg.TOO_LONG.format(length=len(text), limit=limit)
    return None


def _thread_context(services: Services, question: Question) -> tuple[str, ...]:
    if not (question.channel_id and question.thread_ts):
        return ()
    with services.session() as session:
        rows = questions_in_thread(
            session, channel_id=question.channel_id, thread_ts=question.thread_ts
        )
        return tuple(row.question for row in rows)


def _log(services: Services, question: Question, answer: Answer) -> int | None:
    with services.session() as session:
        row = log_question(
            session,
            asked_at=services.clock(),
            user_id=question.user_id,
            surface=question.surface,
            question=answer.question,  # cleaned: no NUL or control characters reach the DB
            channel_id=question.channel_id,
            thread_ts=question.thread_ts,
            abstained=answer.abstained,
            confidence=answer.confidence,
            hit_chunk_ids=[hit.chunk.id for hit in answer.hits],
            cited_doc_ids=[citation.doc_id for citation in answer.citations],
        )
        return row.id


def _deliver(
    services: Services, reply: Reply, rendered: RenderedAnswer, log_id: int | None
) -> None:
    try:
        ts = reply.finish(rendered)
    except SlackCallFailed as exc:
        _log_failure(exc)
        _safely(reply.notice, _failure_text(exc))
        return
    if ts and log_id is not None:
        with services.session() as session:
            set_answer_ts(session, question_log_id=log_id, answer_ts=ts)


def _failure_text(exc: Exception) -> str:
    if isinstance(exc, SlackCallFailed):
        return msg.SLACK_FAILED.format(code=escape_mrkdwn(exc.code))
    return msg.FAILED


def _log_failure(exc: Exception) -> None:
    """The error type and where it happened, never its message (it may quote the question)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    code = exc.code if isinstance(exc, SlackCallFailed) else ""
    log.error("answer failed: %s %s at %s", type(exc).__name__, code, where)


def _safely(send: Callable[[str], None], text: str) -> None:
    """Send a status message; if Slack refuses even that, log the code and move on."""
    try:
        send(text)
    except SlackCallFailed as exc:
        log.warning("could not tell the user (%s)", exc.code)


class _Once:
    """Runs the first action given to it; later ones (a late answer after a timeout) are dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = False

    def run(self, action: Callable[[], None]) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
        action()
