"""Live re-index in a running app: a real playbook edit while questions are being asked,
content errors (last good index kept, curators told once), ``/advisor reindex`` for admins,
and two replicas each reloading on their own. The real engine over a small corpus with the
hash-seeded fake model (the real model's speed is measured in bench/bench_reload.py)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.answers.live import LiveAdvisor
from bot.app import build_app
from bot.services import Services, build_services
from bot.slack import messages as msg
from bot.slack.server import HttpServer
from retrieval.engine import Advisor, SearchOptions
from tests.bot.conftest import CURATOR, SECRET, make_settings
from tests.bot.ui import ADMIN, STRANGER
from tests.fakes.embedder import HashEmbedder
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.fakes.slack_requests import SlackSender, event_callback, mention_event

NEW_SECTION = (
    "\n## Quokka escalation\n\n"
    "The quokka escalation rule sends every deadlock to the city manager within five days.\n"
)
NEW_FACT = "city manager within five days"
FAILURES = (msg.FAILED, msg.TIMED_OUT, msg.BUSY)


@dataclass
class Replica:
    services: Services
    server: HttpServer
    sender: SlackSender
    embedder: HashEmbedder


def start_replica(
    tmp_path: Path, slack_api: FakeSlackAPI, corpus_dir: Path, db_url: str, name: str
) -> Replica:
    embedder = HashEmbedder()
    index_dir = tmp_path / "index"
    opened, _, _ = Advisor.open(
        playbooks_dir=corpus_dir,
        index_dir=index_dir,
        embedder=embedder,
        options=SearchOptions(abstain_threshold=0.2),
    )
    settings = make_settings(
        tmp_path / name,
        slack_api,
        database_url=db_url,
        playbooks_dir=corpus_dir,
        index_dir=index_dir,
        admin_user_ids=[ADMIN],
        answer_timeout_seconds=20.0,
    )
    services = build_services(settings, advisor=LiveAdvisor(opened))
    server = HttpServer(
        build_app(services, token_verification=False), services, host="127.0.0.1", port=0
    )
    server.start_in_thread()
    return Replica(services, server, SlackSender(server.url, SECRET), embedder)


@pytest.fixture
def replica(
    tmp_path: Path, slack_api: FakeSlackAPI, corpus_dir: Path, db_url: str
) -> Iterator[Replica]:
    running = start_replica(tmp_path, slack_api, corpus_dir, db_url, "one")
    try:
        yield running
    finally:
        running.server.stop()
        running.services.close()


def answer_texts(slack_api: FakeSlackAPI) -> list[str]:
    return [
        json.dumps(c.params.get("blocks", []), ensure_ascii=False) + str(c.params.get("text", ""))
        for c in slack_api.calls_to("chat.update")
    ]


def test_an_edit_saved_while_questions_are_asked_goes_live_and_none_fails(
    replica: Replica, slack_api: FakeSlackAPI, corpus_dir: Path
) -> None:
    reloader = replica.services.reloader
    assert reloader is not None
    reloader.start(0.1)
    stop, asked = threading.Event(), [0]

    def ask_continuously() -> None:
        while not stop.is_set() and asked[0] < 300:
            event = mention_event("What is the quokka escalation rule for a deadlock?")
            replica.sender.event(event_callback(event))
            asked[0] += 1
            time.sleep(0.03)

    asker = threading.Thread(target=ask_continuously)
    asker.start()
    try:
        slack_api.wait_for("chat.update", 5)
        assert not any(NEW_FACT in text for text in answer_texts(slack_api))
        charter = corpus_dir / "guides" / "charter.md"
        charter.write_text(charter.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
        deadline = time.monotonic() + 30
        while not any(NEW_FACT in t for t in answer_texts(slack_api)):
            assert time.monotonic() < deadline, "the edit never reached an answer"
            time.sleep(0.05)
        time.sleep(0.3)  # a few more questions on the new index
    finally:
        stop.set()
        asker.join()
    slack_api.wait_for("chat.update", asked[0], timeout=30)
    texts = answer_texts(slack_api)
    assert len(texts) == asked[0]  # every question was answered ...
    assert not [t for t in texts if any(f in t for f in FAILURES)]  # ... and none failed
    first_new = next(i for i, t in enumerate(texts) if NEW_FACT in t)
    # Once live, it stays live: each question reads one generation, so the only old answers
    # after the first new one are questions already in flight at the swap, at most one per
    # answer worker but the one that freed up for the new question (texts are in the order
    # the answers were posted, and a slow old answer may be posted after many new ones).
    stale = [t for t in texts[first_new:] if NEW_FACT not in t]
    assert len(stale) <= replica.services.settings.answer_workers - 1


def test_a_broken_edit_keeps_the_last_good_version_and_tells_the_curators_once(
    replica: Replica, slack_api: FakeSlackAPI, corpus_dir: Path
) -> None:
    reloader = replica.services.reloader
    assert reloader is not None
    retention = corpus_dir / "guides" / "retention.md"
    good = retention.read_text(encoding="utf-8")
    retention.write_text(good.replace("kind: playbook", "kind: memo <!here>"), encoding="utf-8")
    result = reloader.check()
    assert result is not None and result.problems and "guides/retention.md" in result.problems[0]
    answer = replica.services.advisor.ask("How long is the default footage retention period?")
    assert any("30 days" in s.text for s in answer.sentences)  # the last good version answers
    [dm] = [
        c.params for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] == CURATOR
    ]
    assert "The playbooks have errors" in dm["text"] and "guides/retention.md" in dm["text"]
    assert "<!here>" not in dm["text"] and "&lt;!here&gt;" in dm["text"]  # escaped

    assert reloader.check() is not None  # the same error again: no second DM
    retention.write_text(good, encoding="utf-8")
    fixed = reloader.check()
    assert fixed is not None and fixed.problems == () and fixed.swapped
    assert len(slack_api.calls_to("chat.postMessage")) == 1


def test_a_glossary_edit_alone_goes_live_on_the_same_index(
    replica: Replica, corpus_dir: Path
) -> None:
    reloader = replica.services.reloader
    assert reloader is not None
    before = replica.services.advisor.current  # type: ignore[attr-defined]
    assert before.search("QRX?")[0].chunk.doc_id != "guides-charter"
    (corpus_dir / "glossary.txt").write_text("QRX: working group charter\nbad line\n")
    result = reloader.check()
    assert result is not None and result.swapped and result.summary == "glossary reloaded"
    assert result.problems == (
        "glossary.txt:2: error: not an 'ABBREVIATION: meaning' line "
        "(fix: write the abbreviation (letters and digits, up to 12), a "
        "colon, its meaning)",
    )
    after = replica.services.advisor.current  # type: ignore[attr-defined]
    assert after.index is before.index  # nothing re-embedded
    assert after.search("QRX?")[0].chunk.doc_id == "guides-charter"
    again = reloader.check()
    assert again is not None and not again.swapped  # unchanged: nothing to do
    (corpus_dir / "glossary.txt").write_text("QRX: working group charter\n" * 20_000)
    unreadable = reloader.check()  # over the size limit: the glossary in use stays
    assert unreadable is not None and not unreadable.swapped
    assert "over the limit" in unreadable.problems[0]
    assert replica.services.advisor.current.glossary == after.glossary  # type: ignore[attr-defined]


def test_a_failed_build_keeps_answering_from_the_last_good_index(
    replica: Replica, slack_api: FakeSlackAPI, corpus_dir: Path
) -> None:
    reloader = replica.services.reloader
    assert reloader is not None
    charter = corpus_dir / "guides" / "charter.md"
    charter.write_text(charter.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
    replica.embedder.fail_after = len(replica.embedder.embedded)  # the model breaks mid-build
    result = reloader.check()
    assert result is not None and result.failed == "RuntimeError" and not result.swapped
    replica.embedder.fail_after = None
    answer = replica.services.advisor.ask("How long is the default footage retention period?")
    assert not answer.abstained
    dm = slack_api.calls_to("chat.postMessage")[-1].params
    assert dm["channel"] == CURATOR and "re-index failed (RuntimeError)" in dm["text"]
    assert reloader.check() is not None
    assert NEW_FACT in " ".join(
        s.text for s in replica.services.advisor.ask("quokka escalation rule?").sentences
    )


def reindex(replica: Replica, slack_api: FakeSlackAPI, user: str, name: str) -> str:
    status, body = replica.sender.command(
        command="/advisor",
        text="reindex",
        user_id=user,
        channel_id="CGENERAL",
        response_url=slack_api.response_url(name),
        trigger_id="1.2.3",
        team_id=TEAM_ID,
    )
    assert status == 200
    return body


def test_admins_reindex_now_and_others_are_refused(
    replica: Replica, slack_api: FakeSlackAPI, corpus_dir: Path
) -> None:
    assert msg.REINDEX_ADMINS_ONLY in reindex(replica, slack_api, STRANGER, "s")
    charter = corpus_dir / "guides" / "charter.md"
    charter.write_text(charter.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
    assert msg.REINDEX_STARTED in reindex(replica, slack_api, ADMIN, "a")
    done = slack_api.wait_for("response:a")[0].params["text"]
    assert done.startswith("Re-index done: index updated: 0 added, 1 changed")
    assert NEW_FACT in " ".join(
        s.text for s in replica.services.advisor.ask("quokka escalation rule?").sentences
    )


def test_each_replica_reloads_on_its_own(
    replica: Replica,
    tmp_path: Path,
    slack_api: FakeSlackAPI,
    corpus_dir: Path,
    db_url: str,
) -> None:
    other = start_replica(tmp_path, slack_api, corpus_dir, db_url, "two")
    try:
        charter = corpus_dir / "guides" / "charter.md"
        charter.write_text(charter.read_text(encoding="utf-8") + NEW_SECTION, encoding="utf-8")
        assert replica.services.reloader is not None and other.services.reloader is not None
        first = replica.services.reloader.check()
        second = other.services.reloader.check()
        assert first is not None and first.swapped and first.summary.startswith("index updated")
        assert second is not None and second.swapped
        assert second.summary == "loaded the index another process built"  # not built twice
        for running in (replica, other):
            sentences = running.services.advisor.ask("quokka escalation rule?").sentences
            assert NEW_FACT in " ".join(s.text for s in sentences)
    finally:
        other.server.stop()
        other.services.close()
