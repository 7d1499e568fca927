"""Pure Block Kit rendering: content, escaping, and Slack's size limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from bot.blocks.answer import RenderOptions, commitment_value, render_answer, source_line
from bot.blocks.layout import split_messages, split_text, truncate
from bot.followup.my_commitments import NextCheckin
from retrieval.models import Answer, Citation, Correction, Sentence
from tests.fakes.answerer import abstention, sample_answer


def texts(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_answer_has_every_part_and_buttons() -> None:
    rendered = render_answer(sample_answer("q?"), RenderOptions(question_log_id=7, shareable=True))
    assert len(rendered.messages) == 1
    blocks = rendered.messages[0]
    text = texts(blocks)
    for part in (
        "_You asked:_ q?",
        "[1]",
        "*What to do next*",
        "*Peer cities*",
        "*Sources*",
        "Searched 12 playbooks and case notes",
    ):
        assert part in text
    buttons = [e["action_id"] for e in blocks[-1]["elements"]]
    assert buttons == [
        "feedback_helpful",
        "feedback_not_helpful",
        "make_commitment",
        "ask_person",
        "share_answer",
    ]
    assert rendered.text.startswith("Answer: Start with a data-sharing agreement.")


def test_abstention_says_so_and_lists_closest_topics() -> None:
    rendered = render_answer(abstention("x"), RenderOptions(question_log_id=1))
    text = texts(rendered.messages[0])
    assert "could not find a grounded answer" in text
    assert "Data sharing › Agreements" in text
    assert "make_commitment" not in text
    assert rendered.text == "No grounded answer found for this question."


def test_sources_link_to_the_playbook_and_only_to_safe_urls() -> None:
    safe = Citation(1, "d", "Title", "Sec", "d.md", "playbook", url="https://ok.example/d.md#sec")
    unsafe = Citation(2, "d", "T <@U1>", "", "d.md", "playbook", url="javascript:alert(1)")
    assert source_line(safe) == "[1] <https://ok.example/d.md#sec|Title › Sec>"
    assert source_line(unsafe) == "[2] T &lt;@U1&gt;"


def test_without_a_playbooks_url_sources_show_the_path_and_the_public_source() -> None:
    cited = Citation(
        3,
        "d",
        "Retention",
        "Audit logs",
        "guides/retention.md",
        "playbook",
        sources=("https://www.seattle.gov/tech", "https://example.org/2"),
    )
    assert source_line(cited) == (
        "[3] Retention › Audit logs (guides/retention.md) · "
        "<https://www.seattle.gov/tech|source: seattle.gov>"
    )
    hostile = Citation(4, "d", "T", "", "a<b>.md", "playbook", sources=("javascript:x",))
    assert "<javascript" not in source_line(hostile) and "a&lt;b&gt;.md" in source_line(hostile)


def test_no_buttons_without_a_log_id() -> None:
    rendered = render_answer(sample_answer("q"), RenderOptions())
    assert all(block["type"] != "actions" for block in rendered.messages[0])


def test_split_text_respects_limit_and_entities() -> None:
    text = ("&amp;" * 700) + "\n" + ("word " * 1000)
    pieces = split_text(text, 3000)
    assert all(len(piece) <= 3000 for piece in pieces)
    assert all(not piece.endswith("&am") for piece in pieces)
    assert "".join(pieces).count("&amp;") == 700


def test_split_text_hard_cuts_one_long_word() -> None:
    pieces = split_text("x" * 7000, 3000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_split_messages_by_count_and_size() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 2900}}] * 120
    messages = split_messages(blocks)
    assert all(len(m) <= 50 and len(json.dumps(m)) <= 40_000 for m in messages)
    assert sum(len(m) for m in messages) == 120


def test_huge_answer_never_crashes() -> None:
    sentence = Sentence("z" * 50_000, 1)
    answer = Answer("q", False, sentences=(sentence,), documents_searched=1)
    rendered = render_answer(answer, RenderOptions(question_log_id=1))
    assert len(rendered.messages) >= 2
    assert len(rendered.text) <= 3000


def test_commitment_value_fits_a_button() -> None:
    value = commitment_value(3, ["step " * 100] * 20)
    assert len(value) <= 2000
    assert json.loads(value)["q"] == 3


def test_truncate_adds_ellipsis() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


def test_a_next_checkin_date_token_label_cannot_break_out() -> None:
    """The label after ``|`` in ``<!date^…|label>``: ``>`` would end the token, ``|`` and
    ``<`` could start a link or a broadcast of their own."""
    at = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    token = NextCheckin(at, "Mon 09:00 (Zone>|<!channel> x|<http://evil.example|y>)").slack_date
    assert token.startswith(f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|")
    label = token.split("|", 1)[1]
    assert label.endswith(">") and label.count(">") == 1
    assert "|" not in label and "<" not in label
    assert "&lt;!channel&gt;" in label


def test_refusals_say_why_and_name_nearby_topics_only_when_too_specific() -> None:
    off = replace(abstention("chili?"), refusal="off-topic", closest_topics=())
    text = texts(render_answer(off, RenderOptions(question_log_id=1)).messages[0])
    assert "outside what I can answer" in text and "Nearest in the playbooks" not in text
    specific = replace(abstention("Genetec price?"), refusal="too-specific")
    text = texts(render_answer(specific, RenderOptions(question_log_id=1)).messages[0])
    assert "not the specific detail" in text and "Nearest in the playbooks" in text
    assert "Data sharing › Agreements" in text and "Ask a person" in text


def test_spelling_corrections_are_shown_escaped() -> None:
    answer = replace(
        sample_answer("how to get utilites <!channel>"),
        corrections=(Correction("utilites", "utilities"), Correction("<!here>", "here")),
    )
    text = texts(render_answer(answer, RenderOptions()).messages[0])
    assert "Searched “utilites” as “utilities”" in text
    assert "<!here>" not in text and "&lt;!here&gt;" in text


def test_a_case_passage_shows_its_place_first_in_bold_and_escaped() -> None:
    answer = replace(
        sample_answer("q?"),
        sentences=(
            Sentence("Cavoukian resigned from the advisory role.", 1, place="Toronto"),
            Sentence("The corridor offered free Wi-Fi.", 1, place="<!channel> City"),
        ),
    )
    rendered = render_answer(answer, RenderOptions())
    text = texts(rendered.messages[0])
    assert "*Toronto:* Cavoukian resigned from the advisory role. [1]" in text
    assert "<!channel>" not in text and "*&lt;!channel&gt; City:* The corridor" in text
    assert rendered.text.startswith("Answer: Toronto: Cavoukian resigned")
