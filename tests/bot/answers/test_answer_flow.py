"""After the ack: escaping, splitting, failures that replace the placeholder, follow-ups."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from retrieval.models import Action, Answer, Citation, Sentence
from tests.bot.conftest import Running, make_settings, start, stop
from tests.bot.slack.test_http_events import answers_in, settle
from tests.fakes.answerer import FakeAnswerer, sample_answer
from tests.fakes.slack_api import Call, FakeSlackAPI
from tests.fakes.slack_requests import event_callback, mention_event, message_event

INJECTION = "<!channel> ping <@U0BOSS1> <http://evil.example|click> @here"


def all_text(params: dict) -> str:
    return json.dumps(params.get("blocks", []), ensure_ascii=False) + params.get("text", "")


def test_injection_is_escaped_in_question_echo_and_document_text(advisor: Running) -> None:
    advisor.answerer.script.append(sample_answer(INJECTION, doc_text=INJECTION))
    advisor.sender.event(event_callback(mention_event(INJECTION)))
    text = all_text(answers_in(advisor)[0])
    for live in ("<!channel>", "<@U0BOSS1>", "<http://evil.example|click>", "@here"):
        assert live not in text
    assert "&lt;!channel&gt;" in text
    assert "&lt;http://evil.example|click&gt;" in text
    assert "<https://example.org/data-sharing|" in text  # front-matter links stay live


def long_answer(question: str) -> Answer:
    sentences = tuple(Sentence(f"Step {n}: " + "plan carefully " * 40, 1) for n in range(60))
    actions = tuple(Action(f"Do thing {n} " + "x" * 200, 1) for n in range(60))
    citations = tuple(
        Citation(n, f"d{n}", f"Doc {n}", "Part", f"d{n}.md", "playbook") for n in range(1, 80)
    )
    return Answer(
        question,
        False,
        sentences=sentences,
        actions=actions,
        citations=citations,
        documents_searched=80,
    )


def test_a_long_answer_is_split_within_slack_limits(advisor: Running) -> None:
    advisor.answerer.script.append(long_answer("long?"))
    advisor.sender.event(event_callback(mention_event("long?")))
    first = answers_in(advisor)[0]
    settle(advisor)
    extra = advisor.slack_api.calls_to("chat.postMessage")[1:]  # after the placeholder
    assert extra, "the answer should need more than one message"
    for params in [first, *(call.params for call in extra)]:
        blocks = params["blocks"]
        assert len(blocks) <= 50
        assert len(json.dumps(blocks, ensure_ascii=False)) <= 40_000
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
    assert extra[-1].params["blocks"][-1]["type"] == "actions"  # buttons come last


def test_failure_after_ack_replaces_placeholder(advisor: Running) -> None:
    advisor.answerer.error = RuntimeError("embedding model crashed on secret question")
    advisor.sender.event(event_callback(mention_event("secret question")))
    update = answers_in(advisor)[0]
    placeholder_ts = advisor.slack_api.calls_to("chat.postMessage")[0]
    assert "Please ask again in a minute" in update["text"]
    assert update["ts"]
    assert placeholder_ts


def test_timeout_replaces_placeholder(tmp_path: Path, slack_api: FakeSlackAPI) -> None:
    gate = threading.Event()
    running = start(
        make_settings(tmp_path, slack_api, answer_timeout_seconds=0.3),
        FakeAnswerer(release=gate),
        slack_api,
    )
    try:
        running.sender.event(event_callback(mention_event("slow one")))
        update = answers_in(running)[0]
        assert "took too long" in update["text"]
        gate.set()
        settle(running)
        assert len(slack_api.calls_to("chat.update")) == 1  # the late answer is dropped
    finally:
        gate.set()
        stop(running)


def test_rate_limited_then_success(advisor: Running) -> None:
    advisor.slack_api.fail_next("chat.update", status=429, error="ratelimited", retry_after=1)
    advisor.sender.event(event_callback(mention_event("rate limits?")))
    updates = answers_in(advisor, 2)
    assert updates[0] == updates[1]  # the same update, retried after Retry-After


def test_slack_refusing_the_answer_tells_the_user(advisor: Running) -> None:
    advisor.slack_api.fail_next("chat.update", error="msg_too_long")
    advisor.sender.event(event_callback(mention_event("anything")))
    updates = answers_in(advisor, 2)
    assert "msg_too_long" in updates[1]["text"]


def test_follow_up_in_answered_thread_needs_no_mention(advisor: Running) -> None:
    first = mention_event("how do we retain camera footage?")
    advisor.sender.event(event_callback(first))
    answers_in(advisor)
    settle_pool = advisor.services.workers
    follow = message_event("and for body cams?", thread_ts=first["ts"])
    advisor.sender.event(event_callback(follow))
    answers_in(advisor, 2)
    assert advisor.answerer.calls[1].question == "and for body cams?"
    assert advisor.answerer.calls[1].context == ("how do we retain camera footage?",)
    assert settle_pool is advisor.services.workers


def test_messages_in_unknown_threads_are_ignored(advisor: Running) -> None:
    advisor.sender.event(event_callback(message_event("chatter", thread_ts="1600000000.0001")))
    advisor.sender.event(event_callback(message_event("top-level chatter")))
    settle(advisor)
    assert advisor.answerer.calls == []


def test_dedupe_and_threads_survive_a_restart(tmp_path: Path, slack_api: FakeSlackAPI) -> None:
    settings = make_settings(tmp_path, slack_api)
    first = mention_event("first question")
    payload = event_callback(first)
    running = start(settings, FakeAnswerer(), slack_api)
    running.sender.event(payload)
    answers_in(running)
    stop(running)
    again = start(settings, FakeAnswerer(), slack_api)
    try:
        again.sender.event(payload, retry_num=1)
        again.sender.event(event_callback(message_event("follow-up", thread_ts=first["ts"])))
        answers_in(again, 2)
        settle(again)
        assert [c.question for c in again.answerer.calls] == ["follow-up"]
    finally:
        stop(again)


def test_a_full_queue_says_busy(tmp_path: Path, slack_api: FakeSlackAPI) -> None:
    """Past ADVISOR_ANSWER_QUEUE_LIMIT waiting questions, askers are told to ask again."""
    gate = threading.Event()
    settings = make_settings(tmp_path, slack_api, answer_workers=1, answer_queue_limit=5)
    running = start(settings, FakeAnswerer(release=gate), slack_api)
    try:
        for n in range(1 + 5 + 3):  # 1 running + the queue of 5; 3 are turned away
            running.sender.event(event_callback(mention_event(f"question {n}")))
        busy = [u for u in answers_in(running, 3) if "many questions" in u["text"]]
        assert len(busy) == 3
    finally:
        gate.set()
        stop(running)


def test_a_database_failure_remembering_the_thread_still_answers(advisor: Running) -> None:
    """The placeholder is posted before the thread is recorded: a failure there must not
    leave "Working on it…" in the channel for ever."""
    with advisor.services.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE answer_thread")
    advisor.sender.event(event_callback(mention_event("retention of footage?")))
    update = answers_in(advisor)[0]
    assert "Working on it" not in update["text"]
    assert advisor.answerer.calls[0].question == "retention of footage?"


def test_a_database_failure_claiming_the_event_tells_the_user(advisor: Running, caplog) -> None:
    """Without a claim the event might be answered twice; the placeholder becomes a note."""
    with advisor.services.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE processed_event")
    mention = mention_event("secret <camera> question")
    dm = message_event("secret DM question", channel="D0001", channel_type="im")
    with caplog.at_level("WARNING"):
        advisor.sender.event(event_callback(mention))
        advisor.sender.event(event_callback(dm))
        notes = [call.params for call in advisor.slack_api.wait_for("chat.update", 2)]
        settle(advisor)
    placeholders = {
        c.params["channel"]: c.params for c in advisor.slack_api.calls_to("chat.postMessage")
    }
    assert placeholders["CGENERAL"]["thread_ts"] == mention["ts"]
    assert "thread_ts" not in placeholders["D0001"]
    assert {note["channel"] for note in notes} == {"CGENERAL", "D0001"}
    for note in notes:
        assert "something went wrong on our side" in note["text"].lower()
        assert "ask again" in note["text"]
    assert advisor.answerer.calls == []
    assert len(advisor.slack_api.calls_to("chat.postMessage")) == 2  # the placeholders only
    assert "event not de-duplicated" in caplog.text
    assert "secret" not in caplog.text and "processed_event" not in caplog.text


def test_a_later_part_failing_keeps_part_one_and_posts_the_notice_below(
    advisor: Running,
) -> None:
    failed: list[str] = []

    def refuse_first_part_two(call: Call) -> dict | None:
        if "blocks" in call.params and not failed:  # the placeholder has no blocks
            failed.append(call.params["thread_ts"])
            return {"ok": False, "error": "invalid_blocks"}
        return None

    advisor.slack_api.respond("chat.postMessage", refuse_first_part_two)
    advisor.answerer.script.append(long_answer("long?"))
    mention = mention_event("long?")
    advisor.sender.event(event_callback(mention))
    posts = advisor.slack_api.wait_for("chat.postMessage", 3)  # placeholder, part 2, notice
    settle(advisor)
    (part_one,) = [call.params for call in advisor.slack_api.calls_to("chat.update")]
    assert "Step 0" in all_text(part_one)  # part 1 stayed where the placeholder was
    notice = posts[2].params
    assert "invalid_blocks" in notice["text"]
    assert notice["thread_ts"] == mention["ts"] == failed[0]
    assert len(advisor.slack_api.calls_to("chat.postMessage")) == 3
