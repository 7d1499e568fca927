"""Prometheus metrics of one running advisor, in a registry of its own.

``Metrics`` owns a ``prometheus_client.CollectorRegistry`` (never the library's global
one): ``build_services`` makes one per process and each test gets its own, so counters
never leak between them. ``/metrics`` (``bot.slack.http``, and ``bot.health_server`` in Socket
Mode) renders it in Prometheus' text format.

What is counted (no label ever holds a question, a name or free text):

* ``advisor_questions_total{surface, outcome}``: questions finished, ``outcome`` one of
  ``answered``, ``abstained`` (the advisor refused rather than guess), ``rejected`` (bad
  input: empty, too long) or ``failed`` (the asker got an error, "busy" or "took too long"
  note instead of an answer);
* ``advisor_answer_seconds{surface}``: from accepting a question to its answer delivered;
* ``advisor_slack_api_errors_total{method, error}``: Web API calls that failed after
  retries, by Slack's error code (or the connection error's type);
* ``advisor_slack_rate_limited_total{method}``: HTTP 429 answers (each one is retried);
* ``advisor_checkin_messages_total{result}``: check-in DMs, reminders, escalations and
  digests ``sent``, ``failed`` (retried later) or ``unreachable`` (owner or channel gone);
* ``advisor_scheduler_leader``: 1 while this process runs the check-in scheduler;
* ``advisor_index_documents`` and ``advisor_index_info{generation}``: the loaded index.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from storage.models import Surface

OUTCOMES = ("answered", "abstained", "rejected", "failed")
CHECKIN_RESULTS = ("sent", "failed", "unreachable")
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The advisor's counters and gauges, registered in ``registry`` (a new one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.questions = Counter(
            "advisor_questions",
            "Questions finished, by surface and outcome (answered, abstained, rejected, failed).",
            ["surface", "outcome"],
            registry=r,
        )
        self.answer_seconds = Histogram(
            "advisor_answer_seconds",
            "Seconds from accepting a question to delivering its answer, by surface.",
            ["surface"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.slack_api_errors = Counter(
            "advisor_slack_api_errors",
            "Slack Web API calls that failed after retries, by method and error code.",
            ["method", "error"],
            registry=r,
        )
        self.slack_rate_limited = Counter(
            "advisor_slack_rate_limited",
            "HTTP 429 (rate limited) answers from Slack, by method; each is retried.",
            ["method"],
            registry=r,
        )
        self.checkin_messages = Counter(
            "advisor_checkin_messages",
            "Check-in DMs, reminders, escalations and digests, by result.",
            ["result"],
            registry=r,
        )
        self.scheduler_leader = Gauge(
            "advisor_scheduler_leader",
            "1 while this process runs the check-in scheduler, else 0.",
            registry=r,
        )
        self.index_documents = Gauge(
            "advisor_index_documents", "Documents in the loaded search index.", registry=r
        )
        self.index_info = Info("advisor_index", "The loaded search index generation.", registry=r)
        for surface in Surface:  # every series exists from the start, at 0
            for outcome in OUTCOMES:
                self.questions.labels(surface=surface.value, outcome=outcome)
        for result in CHECKIN_RESULTS:
            self.checkin_messages.labels(result=result)

    # recording --------------------------------------------------------------------------------
    def question_finished(
        self, surface: str, outcome: str, *, seconds: float | None = None
    ) -> None:
        """One question's end: its outcome and, for a delivered answer, its latency."""
        self.questions.labels(surface=surface, outcome=outcome).inc()
        if seconds is not None:
            self.answer_seconds.labels(surface=surface).observe(max(0.0, seconds))

    def slack_error(self, method: str, error: str) -> None:
        self.slack_api_errors.labels(method=method, error=error).inc()

    def rate_limited(self, method: str) -> None:
        self.slack_rate_limited.labels(method=method).inc()

    def checkins_done(self, *, sent: int = 0, failed: int = 0, unreachable: int = 0) -> None:
        for result, count in (("sent", sent), ("failed", failed), ("unreachable", unreachable)):
            if count:
                self.checkin_messages.labels(result=result).inc(count)

    # watching -------------------------------------------------------------------------------
    def watch_leader(self, is_leader: Callable[[], bool]) -> None:
        """Report ``is_leader()`` at every scrape."""
        self.scheduler_leader.set_function(lambda: 1.0 if is_leader() else 0.0)

    def watch_index(self, document_count: Callable[[], int], *, generation: str | None) -> None:
        """Report the index's document count at every scrape, and its generation."""

        def documents() -> float:
            try:
                return float(document_count())
            except Exception:  # a scrape must never fail; /healthz names the problem
                return math.nan

        self.index_documents.set_function(documents)
        self.index_info.info({"generation": generation or "unknown"})

    # exposition -----------------------------------------------------------------------------
    def render(self) -> bytes:
        """Everything, in Prometheus' text exposition format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)
