"""The ask use-case: claim the event, show "working on it", answer in the background.

``accept`` runs right after the ack (in a listener): it shows the placeholder (unless the
caller already did), starts the question's deadline and queues ``compose`` on the bounded
pool. ``compose`` asks the engine, logs the question, renders and delivers, and replaces
the placeholder with a short next-step message whatever goes wrong.

Every question has one ``Outcome``: the first of the answer, a notice or the deadline
wins. The deadline (``ADVISOR_ANSWER_TIMEOUT_SECONDS``) runs from the placeholder, not from
when a worker picks the question up, so a question waiting behind a burst, a slow engine or
a locked database still gets a "took too long" message in time; a worker that picks up a
question whose deadline passed skips it. Question text never reaches the process log:
only error types and Slack error codes do.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from sqlalchemy.exc import SQLAlchemyError

from bot.answers.deadlines import Deadline
from bot.answers.scope import Scope, ScopeError, combine, parse_inline
from bot.blocks.answer import RenderedAnswer, RenderOptions, render_answer
from bot.services import Services
from bot.slack import messages as msg
from bot.slack.escape import escape_mrkdwn
from bot.slack.gateway import SlackCallFailed
from bot.slack.replies import Reply
from retrieval.errors import QuestionError
from retrieval.models import Answer, Filters
from storage.curation import get_channel_scope
from storage.events import claim_events
from storage.questions import log_question, questions_in_thread, set_answer_ts
from storage.threads import remember_thread

log = logging.getLogger(__name__)
# A claim slower than this (a locked or overloaded database) shows the placeholder anyway.
EARLY_PLACEHOLDER_SECONDS = 0.5


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
    """True if none of ``keys`` was seen before (all are recorded, with an expiry, at once).

    Raises ``ClaimFailed`` (having logged the error type) when the database fails, within
    the engine's bounded wait: the caller tells the user to ask again rather than risk
    answering twice.
    """
    try:
        with services.session() as session:
            claimed = claim_events(
                session,
                event_ids=[key[:64] for key in keys],
                now=services.clock(),
                ttl=services.event_ttl,
            )
    except SQLAlchemyError as exc:
        services.db_trouble.failed(exc)
        log.error("event not de-duplicated: %s", type(exc).__name__)
        raise ClaimFailed from None
    services.db_trouble.succeeded()
    return claimed


class Outcome:
    """What the asker sees after the placeholder: the first of answer, notice or deadline.

    Created when the placeholder is up; the deadline posts ``TIMED_OUT`` unless something
    else finished first.
    """

    def __init__(self, services: Services, reply: Reply) -> None:
        self._reply = reply
        self._once = _Once()
        self._deadline: Deadline = services.deadlines.at(
            services.settings.answer_timeout_seconds, lambda: self.notice(msg.TIMED_OUT)
        )

    @property
    def settled(self) -> bool:
        return self._once.done

    def finish(self, action: Callable[[], None]) -> bool:
        """Run ``action`` (deliver or tell) unless an outcome was already shown; True if it
        ran."""
        try:
            return self._once.run(action)
        finally:
            self._deadline.cancel()

    def notice(self, text: str) -> None:
        self.finish(lambda: _safely(self._reply.notice, text))

    def drop(self) -> None:
        """Nothing more will be shown (the placeholder was withdrawn or never posted)."""
        self.finish(lambda: None)


class EarlyPlaceholder:
    """The placeholder of a question whose claim is still running: posted by whoever needs
    it first, the claim's end (``ensure``) or ``EARLY_PLACEHOLDER_SECONDS`` passing while
    the database is slow; the question's ``Outcome`` (and deadline) starts with it."""

    def __init__(self, services: Services, reply: Reply) -> None:
        self._services, self._reply = services, reply
        self._lock = threading.Lock()
        self._posted: bool | None = None  # None: not tried; False: failed or abandoned
        self._outcome: Outcome | None = None
        self._timer = services.deadlines.at(EARLY_PLACEHOLDER_SECONDS, self._post_if_slow)

    def _post_if_slow(self) -> None:
        self.ensure()

    def ensure(self) -> Outcome | None:
        """Post the placeholder unless done; the outcome, or None if it cannot be posted."""
        with self._lock:
            if self._posted is None:
                self._posted = self._reply.start()
                if self._posted:
                    self._outcome = Outcome(self._services, self._reply)
            self._timer.cancel()
            return self._outcome

    def abandon(self) -> bool:
        """Post nothing from now on; True if a placeholder is already up (take it down)."""
        with self._lock:
            self._timer.cancel()
            if self._posted is None:
                self._posted = False
            elif self._outcome is not None:
                self._outcome.drop()
            return self._outcome is not None


def accept(
    services: Services,
    question: Question,
    reply: Reply,
    *,
    options: RenderOptions,
    outcome: Outcome | None = None,
) -> None:
    """Show the working signal (unless ``outcome`` says it is up) and queue the answer;
    tell the user if the queue is full (``ADVISOR_ANSWER_QUEUE_LIMIT``)."""
    started = time.monotonic()
    if outcome is None:
        if not reply.start():
            return
        outcome = Outcome(services, reply)
    if question.remember:
        _remember(services, question)
    job = partial(
        compose, services, question, reply, options=options, outcome=outcome, started=started
    )
    if not services.workers.submit(job):
        outcome.notice(msg.BUSY)
        _Tally(services, question, started).done("failed")


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
        services.db_trouble.failed(exc)
        log.warning("thread not remembered: %s", type(exc).__name__)


def compose(
    services: Services,
    question: Question,
    reply: Reply,
    *,
    options: RenderOptions,
    outcome: Outcome | None = None,
    started: float | None = None,
) -> None:
    """Answer, log and deliver; on any failure replace the signal with a next step.

    Counts the question once in ``services.metrics`` (``bot.metrics``): answered or
    abstained with its latency from ``started`` (``time.monotonic()`` when it was accepted),
    rejected (bad input) or failed (an error, or its deadline passed first).
    """
    tally = _Tally(services, question, started if started is not None else time.monotonic())
    outcome = outcome if outcome is not None else Outcome(services, reply)
    if outcome.settled:  # its deadline passed while it waited for a worker
        tally.done("failed")
        return
    try:
        problem = _question_problem(services, question.text)
        if problem:
            outcome.notice(msg.QUESTION_PROBLEM.format(problem=problem))
            tally.done("rejected")
            return
        text, scope = _scope(services, question)
        if scope is None:
            outcome.notice(msg.CHANNEL_ANSWERS_OFF)
            tally.done("rejected")
            return
        filters = None if scope.filters.empty else scope.filters
        context = _thread_context(services, question)
        answer = services.advisor.ask(text, filters=filters, context=context)
        log_id = _log(services, question, answer)
        shown = replace(options, question_log_id=log_id, scope=scope.describe())
        rendered = render_answer(answer, shown)
        result = "abstained" if answer.abstained else "answered"
        if not outcome.finish(lambda: _deliver(services, reply, rendered, log_id, tally, result)):
            tally.done("failed")  # the deadline's "took too long" was shown instead
    except (QuestionError, ScopeError) as exc:
        outcome.notice(msg.QUESTION_PROBLEM.format(problem=escape_mrkdwn(str(exc))))
        tally.done("rejected")
    except Exception as exc:  # whatever breaks, the user gets a next step, never silence
        if isinstance(exc, SQLAlchemyError):
            services.db_trouble.failed(exc)
        _log_failure(exc)
        outcome.notice(_failure_text(exc))
        tally.done("failed")


class _Tally:
    """Counts one question's outcome in the metrics, once (the first ``done`` wins)."""

    def __init__(self, services: Services, question: Question, started: float) -> None:
        self._metrics, self._surface, self._started = services.metrics, question.surface, started
        self._counted = False

    def done(self, outcome: str) -> None:
        if self._counted:
            return
        self._counted = True
        delivered = outcome in ("answered", "abstained")
        seconds = time.monotonic() - self._started if delivered else None
        self._metrics.question_finished(self._surface, outcome, seconds=seconds)


def _question_problem(services: Services, text: str) -> str | None:
    limit = services.settings.max_question_chars
    if len(text) > limit:
        return msg.TOO_LONG.format(length=len(text), limit=limit)
    return None


def _scope(services: Services, question: Question) -> tuple[str, Scope | None]:
    """The question without its inline scope words, and the scope it is answered in
    (``None``: an admin turned answers off in this channel)."""
    text, inline = parse_inline(question.text)
    channel = None
    if question.channel_id:
        with services.session() as session:
            channel = get_channel_scope(session, channel_id=question.channel_id)
    if channel is not None and not channel.answer:
        return text, None
    defaults = (
        Filters(kinds=tuple(channel.kinds), tags=tuple(channel.tags), cities=tuple(channel.cities))
        if channel is not None
        else None
    )
    return text, combine(defaults, inline)


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
            cited_sections=[f"{c.doc_id}#{c.section}" for c in answer.citations],
        )
        return row.id


def _deliver(
    services: Services,
    reply: Reply,
    rendered: RenderedAnswer,
    log_id: int | None,
    tally: _Tally,
    result: str,
) -> None:
    try:
        ts = reply.finish(rendered)
    except SlackCallFailed as exc:
        _log_failure(exc)
        _safely(reply.notice, _failure_text(exc))
        tally.done("failed")
        return
    tally.done(result)
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

    @property
    def done(self) -> bool:
        return self._done

    def run(self, action: Callable[[], None]) -> bool:
        """Run ``action`` if it is the first; True if it ran."""
        with self._lock:
            if self._done:
                return False
            self._done = True
        action()
        return True
