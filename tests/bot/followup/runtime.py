"""The check-in jobs' runtime for tests: real sessions, a real WebClient on the fake Slack."""

from __future__ import annotations

from datetime import timedelta

from bot.followup.send import CheckinRuntime
from bot.slack.gateway import SlackGateway, build_web_client
from checkins.due import DuePolicy
from storage.engine import SessionFactory
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import FakeSlackAPI


def make_runtime(
    session_factory: SessionFactory,
    slack_api: FakeSlackAPI,
    clock: FakeClock,
    *,
    gateway: SlackGateway | None = None,
) -> CheckinRuntime:
    """A runtime with instant 5xx retries and no sleeping between database retries."""
    if gateway is None:
        gateway = SlackGateway(build_web_client(token="xoxb-test", base_url=slack_api.base_url))
    for handler in gateway.client.retry_handlers:  # keep 5xx retries instant
        if hasattr(handler, "interval_calculator"):
            handler.interval_calculator.backoff_factor = 0.0
    return CheckinRuntime(
        sessions=session_factory,
        slack=gateway,
        clock=clock,
        policy=DuePolicy(
            grace=timedelta(hours=6), reminder_delay=timedelta(hours=24), overdue_days=3
        ),
        sleep=lambda _seconds: None,
    )
