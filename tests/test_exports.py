"""lookalike.exports: names, cut labels, elided paths, safe cells (tiny worked cases)."""

from __future__ import annotations

import pytest

from lookalike.exports import (
    clip_score,
    display_name,
    elide_middle,
    relative_paths,
    safe_cell,
    short_label,
)


@pytest.mark.parametrize(
    ("uri", "metadata", "expected"),
    [
        ("/d/photos/cat.jpg", {}, "cat.jpg"),
        (
            "/d/x.jpg",
            {"title": "  The   Garden of Earthly Delights "},
            "The Garden of Earthly Delights",
        ),
        ("https://iiif.example/b1/full/max/0/default.jpg", {"source": {"title": "A map"}}, "A map"),
        ("https://iiif.example/b1/full/max/0/default.jpg", {}, "b1"),
        ("https://x/i", {"label": "p. 3", "manifest_label": "Herbal"}, "Herbal, p. 3"),
        ("", {}, "3fa4c1d2e5b6"),
    ],
)
def test_display_name_prefers_titles_then_file_names_then_ids(uri, metadata, expected):
    assert display_name(uri, metadata, "3fa4c1d2e5b6") == expected


@pytest.mark.parametrize("width", range(16, 55))
def test_short_label_fits_and_cuts_at_a_word(width):
    text = "The Garden of Earthly Delights, left panel (detail).jpg"
    label = short_label(text, width)
    assert len(label) <= width and label.endswith("….jpg")
    head = label.removesuffix("….jpg")
    assert text.startswith(head + " ") or text.startswith(head + ",")


def test_short_label_cuts_mid_word_only_when_a_word_would_lose_half():
    # "The" would keep 3 of 8 characters: the cut falls inside "Garden" instead.
    assert short_label("The Garden of Earthly Delights.jpg", 13) == "The Gard….jpg"
    assert short_label("The Garden of Earthly Delights.jpg", 6) == "The…"


@pytest.mark.parametrize("width", range(6, 50))
def test_elided_paths_fit_and_keep_the_file_name_when_they_can(width):
    path = "archive 2021/scanned letters/box 4/letter_0042.tif"
    short = elide_middle(path, width)
    assert len(short) <= max(width, 1)
    if width >= len("…letter_0042.tif"):
        assert short.endswith("letter_0042.tif")


def test_relative_paths_and_cells():
    assert relative_paths(["/a/b/c.jpg", "https://x/y.jpg"]) == (
        "",
        ["/a/b/c.jpg", "https://x/y.jpg"],
    )
    assert relative_paths(["/a/b/c.jpg", "/a/d.jpg"]) == ("/a", ["b/c.jpg", "d.jpg"])
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@x", "\t", "\r", "a=b", 3)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@x",
        "'\t",
        "'\r",
        "a=b",
        3,
    ]
    assert clip_score(1.0000001) == 1.0 and clip_score(-1.5) == -1.0


def test_rows_to_csv_quotes_formula_cells_of_plain_rows():
    import csv
    import io

    from lookalike.exports import rows_to_csv

    text = rows_to_csv([["a1", '=HYPERLINK("x","y").jpg', 1.0]], ["id", "title", "score"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["id", "title", "score"], ["a1", '\'=HYPERLINK("x","y").jpg', "1.0"]]
