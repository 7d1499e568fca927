"""Questions that ask several things are split into parts that keep their topic."""

from __future__ import annotations

from retrieval.question_parts import part_spans, question_parts


def test_two_asks_keep_the_shared_preamble() -> None:
    assert question_parts(
        "we're setting up a working group — who should be on it and how often should it meet?"
    ) == [
        "we're setting up a working group — who should be on it",
        "we're setting up a working group — how often should it meet",
    ]


def test_three_asks_after_a_context_sentence() -> None:
    parts = question_parts(
        "Transportation wants video analytics on the traffic cams. What review should happen "
        "first, who signs off, and what do we publish for residents?"
    )
    assert len(parts) == 3
    assert all(p.startswith("Transportation wants video analytics") for p in parts[1:])
    assert parts[2].endswith("what do we publish for residents")


def test_a_single_question_is_not_split() -> None:
    assert question_parts("retention for ALPR footage?") == []
    assert question_parts("How did police and IT agree on how long footage is kept?") == []
    assert question_parts("what data do they collect and keep") == []  # "and keep" asks nothing new


def test_part_spans_locate_each_parts_own_words_in_the_question() -> None:
    question = (
        "Transportation wants video analytics on the traffic cams. What review should happen "
        "first, who signs off, and what do we publish for residents?"
    )
    spans = part_spans(question)
    parts = question_parts(question)
    assert len(spans) == len(parts) == 3
    pieces = [question[start:end] for start, end in spans]
    assert pieces[0] == parts[0]  # the first part holds the preamble itself
    assert pieces[1:] == ["who signs off", "what do we publish for residents"]
    assert all(part.endswith(piece) for part, piece in zip(parts, pieces, strict=True))


def test_a_single_question_has_no_part_spans() -> None:
    assert part_spans("retention for ALPR footage?") == []
    assert part_spans("what data do they collect and keep") == []
