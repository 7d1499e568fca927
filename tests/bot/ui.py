"""Driving the check-in UI: start the app with a controllable clock, send commands, click."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path

from bot.app import build_app
from bot.services import build_services
from bot.slack.server import HttpServer
from storage.checkins import claim_checkin, mark_checkin_sent
from storage.groups import add_member
from storage.models import CheckIn, Commitment, WorkingGroup
from tests.bot.conftest import SECRET, Running, make_settings
from tests.fakes.answerer import FakeAnswerer
from tests.fakes.clock import FakeClock
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, block_action
from tests.storage.helpers import make_commitment, make_group

WEDNESDAY = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
LEAD, OWNER, STRANGER, ADMIN = "ULEAD0001", "UOWNER001", "USTRANGE1", "UADMIN001"
DM_TS = "1700000050.000100"
_names = itertools.count(1)


def start_ui(
    tmp_path: Path, slack_api: FakeSlackAPI, clock: FakeClock, *, database_url: str | None = None
) -> Running:
    overrides: dict[str, object] = {"admin_user_ids": [ADMIN]}
    if database_url:
        overrides["database_url"] = database_url
    settings = make_settings(tmp_path, slack_api, **overrides)
    answerer = FakeAnswerer()
    services = build_services(settings, advisor=answerer, clock=clock)
    app = build_app(services, token_verification=False)
    server = HttpServer(app, services, host="127.0.0.1", port=0).start_in_thread()
    return Running(services, server, SlackSender(server.url, SECRET), answerer, slack_api)


def command(
    ui: Running,
    text: str,
    *,
    user: str = OWNER,
    channel: str = "CGENERAL",
) -> str:
    """Send ``/advisor <text>``; the private reply's text (every reply comes that way)."""
    name = f"c{next(_names)}"
    status, body = ui.sender.command(
        command="/advisor",
        text=text,
        user_id=user,
        channel_id=channel,
        response_url=ui.slack_api.response_url(name),
        trigger_id="1.2.3",
        team_id=TEAM_ID,
    )
    assert status == 200, body
    reply = ui.slack_api.wait_for(f"response:{name}")[0].params
    assert reply["response_type"] == "ephemeral"
    return str(reply["text"])


def click(ui: Running, action_id: str, checkin_id: int, *, user: str = OWNER) -> str:
    """Click a check-in button; the name of the response_url it was given."""
    name = f"k{next(_names)}"
    payload = block_action(
        action_id,
        str(checkin_id),
        response_url=ui.slack_api.response_url(name),
        user=user,
        channel="DOWNER001",
        message_ts=DM_TS,
    )
    assert ui.sender.interaction(payload)[0] == 200
    return f"response:{name}"


def seed_group(ui: Running, **fields: object) -> WorkingGroup:
    with ui.services.session() as session:
        group = make_group(session, lead=LEAD, channel="CPRIV0001", now=WEDNESDAY, **fields)
        add_member(session, group_id=group.id, user_id=OWNER, now=WEDNESDAY)
    return group


def seed_checkin(ui: Running, group: WorkingGroup) -> tuple[Commitment, CheckIn]:
    """An open commitment of OWNER with a sent, unanswered check-in DM."""
    with ui.services.session() as session:
        commitment = make_commitment(
            session, group, owner=OWNER, title="Draft <camera> policy", due=date(2026, 4, 1)
        )
        row = claim_checkin(
            session,
            commitment_id=commitment.id,
            period="2026-03-02T09:00",
            scheduled_for=WEDNESDAY,
            now=WEDNESDAY,
        )
        assert row is not None
        mark_checkin_sent(
            session, checkin_id=row.id, sent_at=WEDNESDAY, dm_channel="DOWNER001", message_ts=DM_TS
        )
    return commitment, row


def checkin_row(ui: Running, checkin_id: int) -> CheckIn:
    with ui.services.session() as session:
        row = session.get(CheckIn, checkin_id)
        assert row is not None
        return row
