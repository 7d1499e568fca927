"""The curators' weekly digest DM (exactly once, paced, links), App Home for curators, and
Ask-a-person requests closed with "Mark handled": through the running app, on both backends."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from apscheduler.util import ref_to_obj

from bot.answers.buttons import PERSON_HANDLED
from bot.blocks import answer as ids
from bot.curation import digest
from bot.curation.source import CurationSource
from bot.scheduling.rate_limit import TokenBucket
from bot.scheduling.specs import (
    CURATOR_DIGEST_JOB_ID,
    CURATOR_SWEEP_JOB_ID,
    JOB_CURATOR_DIGEST,
    desired_jobs,
)
from bot.slack import messages as msg
from storage.curation import open_person_requests
from storage.questions import log_question
from tests.bot.conftest import CURATOR, Running
from tests.bot.ui import ADMIN, OWNER, STRANGER, WEDNESDAY
from tests.fakes.embedder import HashEmbedder
from tests.fakes.slack_requests import block_action, event_callback

CURATOR2 = "UCURATOR2"
URL = "https://git.example.org/city/playbooks"


@pytest.fixture
def curated(ui_db: Running, corpus_dir: Path) -> Running:
    ui_db.services.curation = CurationSource(
        playbooks_dir=corpus_dir, embed=HashEmbedder().embed, retention_days=90, days=7
    )
    with ui_db.services.session() as session:
        for days, text in ((2, "drone footage at protests"), (1, "protests drone footage")):
            log_question(
                session,
                asked_at=WEDNESDAY - timedelta(days=days),
                user_id="UASKER01",
                surface="mention",
                question=text,
                abstained=True,
            )
    return ui_db


def runtime(running: Running, *, schedule: str = "wed 09:00") -> digest.CuratorDigestRuntime:
    services = running.services
    return digest.CuratorDigestRuntime(
        sessions=services.sessions,
        slack=services.slack,
        clock=services.clock,
        source=services.curation,  # type: ignore[arg-type]
        curators=(CURATOR, CURATOR2),
        schedule=schedule,
        timezone="UTC",
        grace=timedelta(hours=12),
        playbooks_url=URL,
        post_limiter=TokenBucket(per_second=1000, burst=10),
        sleep=lambda seconds: None,
    )


def dms(running: Running) -> list[dict]:
    return [
        c.params
        for c in running.slack_api.calls_to("chat.postMessage")
        if c.params.get("channel") in (CURATOR, CURATOR2)
    ]


def test_the_digest_goes_to_each_curator_exactly_once(curated: Running) -> None:
    rt = runtime(curated)
    assert digest.send_curator_digests(rt) == 2
    assert digest.send_curator_digests(rt) == 0  # a second run (or replica) sends nothing
    sent = dms(curated)
    assert sorted(p["channel"] for p in sent) == [CURATOR, CURATOR2]
    body = json.dumps(sent[0]["blocks"], ensure_ascii=False)
    assert sent[0]["text"] == msg.CURATOR_DIGEST_FALLBACK
    assert "The curators' weekly report" in body
    assert "“protests drone footage” (also: “drone footage at protests”) · 2×" in body
    assert f"<{URL}/guides/retention.md|Camera footage retention>" in body  # never cited: a link


def test_a_failed_dm_is_retried_at_the_next_run_and_not_before(curated: Running) -> None:
    curated.slack_api.fail_next("chat.postMessage", error="internal_error")
    rt = runtime(curated)
    assert digest.send_curator_digests(rt) == 1
    assert digest.send_curator_digests(rt) == 1  # the released claim goes out now
    assert digest.send_curator_digests(rt) == 0
    assert sorted(p["channel"] for p in dms(curated)[-2:]) == [CURATOR, CURATOR2]


def test_nothing_is_sent_outside_the_schedule_grace(curated: Running) -> None:
    assert digest.send_curator_digests(runtime(curated, schedule="mon 09:00")) == 0  # 2 days ago
    assert dms(curated) == []


def test_the_digest_is_a_scheduler_job_by_its_stable_name() -> None:
    specs = {
        s.id: s for s in desired_jobs([], sweep_minutes=5, curator_digest=("mon 08:00", "UTC"))
    }
    assert specs[CURATOR_DIGEST_JOB_ID].func == JOB_CURATOR_DIGEST == "bot.jobs:run_curator_digest"
    assert specs[CURATOR_SWEEP_JOB_ID].func == JOB_CURATOR_DIGEST
    assert "day_of_week='mon'" in repr(specs[CURATOR_DIGEST_JOB_ID].trigger)
    assert ref_to_obj(JOB_CURATOR_DIGEST) is digest.run_curator_digest
    assert CURATOR_DIGEST_JOB_ID not in {s.id for s in desired_jobs([], sweep_minutes=5)}


def test_app_home_shows_the_report_to_curators_and_admins_only(curated: Running) -> None:
    for user in (CURATOR, ADMIN, OWNER):
        event = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
        curated.sender.event(event_callback(event))
    views = curated.slack_api.wait_for("views.publish", 3)
    by_user = {c.params["user_id"]: json.dumps(c.params["view"], ensure_ascii=False) for c in views}
    for user in (CURATOR, ADMIN):
        assert "For curators: what to work on" in by_user[user]
        assert "protests drone footage" in by_user[user]
    assert "For curators" not in by_user[OWNER]


def test_ask_a_person_stays_open_until_a_curator_marks_it_handled(curated: Running) -> None:
    with curated.services.session() as session:
        row = log_question(
            session, asked_at=WEDNESDAY, user_id=OWNER, surface="mention", question="who?"
        )
    url = curated.slack_api.response_url("ask")
    curated.sender.interaction(
        block_action(ids.ASK_PERSON, str(row.id), response_url=url, user=OWNER)
    )
    curated.slack_api.wait_for("response:ask")
    tagged = curated.slack_api.wait_for("chat.postMessage")[-1].params
    handled = tagged["blocks"][-1]["elements"][0]
    assert handled["action_id"] == PERSON_HANDLED
    with curated.services.session() as session:
        assert len(open_person_requests(session, since=WEDNESDAY - timedelta(days=1))) == 1

    def click(user: str, name: str) -> str:
        url = curated.slack_api.response_url(name)
        payload = block_action(PERSON_HANDLED, handled["value"], response_url=url, user=user)
        curated.sender.interaction(payload)
        return str(curated.slack_api.wait_for(f"response:{name}")[0].params["text"])

    assert click(STRANGER, "s") == msg.PERSON_CURATORS_ONLY
    assert click(CURATOR, "c") == msg.PERSON_HANDLED.format(curator=f"<@{CURATOR}>")
    assert click(ADMIN, "a") == msg.PERSON_ALREADY_HANDLED
    with curated.services.session() as session:
        assert open_person_requests(session, since=WEDNESDAY - timedelta(days=1)) == []


def test_later_sweeps_in_the_grace_window_do_not_rebuild_the_report(curated: Running) -> None:
    """Regression: every sweep within the misfire grace rebuilt the whole report (corpus
    read, questions embedded) even when every curator had their digest already."""
    embedded: list[int] = []

    def counting_embed(texts: list[str]) -> np.ndarray:
        embedded.append(len(texts))
        return HashEmbedder().embed(texts)

    assert curated.services.curation is not None
    curated.services.curation.embed = counting_embed
    rt = runtime(curated)
    assert digest.send_curator_digests(rt) == 2
    built = len(embedded)
    assert built >= 1  # the two unanswered questions were grouped
    assert digest.send_curator_digests(rt) == 0
    assert len(embedded) == built  # nothing rebuilt for nobody
