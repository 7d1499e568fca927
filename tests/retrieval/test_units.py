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
