"""Answer units: sentences, list items with folded bold labels, table rows, with spans."""

from __future__ import annotations

from retrieval.units import answer_units

TEXT = """The bottom line: keep footage briefly. Extend only with a hold.

- **Inventory.** Ask every department to list its tools. Repeat it every year.
- Publish a register entry for each tool.

| Extension | Who can do it | Required record |
|---|---|---|
| Evidentiary hold | Police investigator | Case number |
| Litigation hold | City attorney | Matter number |

```
code is never quoted
```
"""


def test_sentences_items_and_rows_read_on_their_own() -> None:
    units = answer_units(TEXT)
    assert [u.text for u in units] == [
        "The bottom line: keep footage briefly.",
        "Extend only with a hold.",
        "Inventory: Ask every department to list its tools.",
        "Repeat it every year.",
        "Publish a register entry for each tool.",
        "Evidentiary hold — Who can do it: Police investigator; Required record: Case number.",
        "Litigation hold — Who can do it: City attorney; Required record: Matter number.",
    ]
    assert [u.kind for u in units] == ["sentence"] * 2 + ["item"] * 3 + ["row"] * 2


def test_spans_point_at_the_source_text_and_places_link_neighbours() -> None:
    units = answer_units(TEXT)
    for unit in units:
        raw = TEXT[unit.start : unit.end]
        assert raw.strip() and unit.text.split()[-1].strip(".")[:4] in raw
    blocks = [(u.block, u.position) for u in units]
    assert blocks[:5] == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]
    assert blocks[5:] == [(2, 0), (2, 1)]


def test_a_bold_label_with_nothing_after_it_stays_as_written() -> None:
    (unit,) = answer_units("- **Weak mandate:** Coordinate on smart-city issues.")
    assert unit.text == "Weak mandate: Coordinate on smart-city issues."


def test_a_table_without_a_header_separator_is_not_turned_into_rows() -> None:
    assert answer_units("| a | b |\n| c | d |") == []


PHRASE_LIST = """Helsinki's register listed its first systems:

- a parking chatbot;
- a chatbot for maternity clinic services;
- a book recommendation service at **Oodi**, the central library; and
- [health center](https://example.org) chatbots.

Staff answer questions about each entry."""


def test_a_list_of_phrases_reads_as_one_line_under_its_lead_in() -> None:
    units = answer_units(PHRASE_LIST)
    (whole,) = [u for u in units if u.kind == "list"]
    assert whole.text == (
        "Helsinki's register listed its first systems: a parking chatbot; a chatbot for "
        "maternity clinic services; a book recommendation service at Oodi, the central "
        "library; health center chatbots."
    )
    # its span runs from the lead-in to the list's end, for the pooled vector
    assert PHRASE_LIST[whole.start :].startswith("Helsinki's register")
    assert PHRASE_LIST[: whole.end].endswith("chatbots.")
    # the items stay units of their own (junk rules keep them out of answers), in order
    items = [u for u in units if u.kind == "item"]
    assert [u.position for u in items] == [0, 1, 2, 3] and whole.position == 4
    assert whole.block == items[0].block == 1
    assert units[-1].text == "Staff answer questions about each entry."


def test_a_list_of_sentences_or_without_a_lead_in_is_not_joined() -> None:
    sentences = "Do these first:\n\n- Name an owner.\n- Publish the policy.\n- Train staff."
    assert [u.kind for u in answer_units(sentences)] == ["sentence", "item", "item", "item"]
    no_lead_in = "We met twice.\n\n- a parking chatbot;\n- a library chatbot."
    assert "list" not in [u.kind for u in answer_units(no_lead_in)]
    separated = "Systems:\n\n| a | b |\n|---|---|\n| x | y |\n\n- a parking chatbot;\n- a bot."
    assert "list" not in [u.kind for u in answer_units(separated)]


def test_a_phrase_list_too_long_to_read_as_one_line_is_left_as_items() -> None:
    items = "\n".join(
        f"- item number {n} with several more words to make it long;" for n in range(9)
    )
    text = f"The register holds:\n\n{items}"
    assert "list" not in [u.kind for u in answer_units(text)]
