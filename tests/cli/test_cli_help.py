"""`lookalike --version`, and help texts that read as sentences at an 80-column terminal:
no line of help ends early because the docstring's source had a line break there, and
no text of a docstring is lost to the help's Markdown."""

from __future__ import annotations

import itertools
import re

import pytest
import typer
from typer.testing import CliRunner

import lookalike
from lookalike.cli import app

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)
BOX = "│╭╮╰╯─┃"


def premature_breaks(text: str) -> list[str]:
    """Pairs of lines where the second's first word would have fitted on the first: the
    break came from the source, not from the width."""
    lines = text.splitlines()
    found = []
    for first, second in itertools.pairwise(lines):
        boxed = first.startswith("│") and second.startswith("│")
        a, b = (first[1:-1], second[1:-1]) if boxed else (first, second)
        if not boxed and (first.startswith(tuple(BOX)) or second.startswith(tuple(BOX))):
            continue
        start = len(b) - len(b.lstrip())
        rest = b[start:].rstrip()
        if not rest or rest.startswith(("[", "-")) or start == 0 or start >= len(a):
            continue
        # The second line continues the first's text column only if the first has text
        # starting in that same column.
        if a[start - 1] != " " or a[start] == " ":
            continue
        if boxed and "  " in rest:  # the next row of a table (columns), not a wrapped text
            continue
        width = (len(a) - 1 if boxed else 79) - start  # one column of padding
        used = len(a[start:].rstrip())
        if used + 1 + len(rest.split()[0]) <= width:
            found.append(f"{first.rstrip()}\n{second.rstrip()}")
    return found


def words(text: str) -> str:
    return " ".join(re.sub(f"[{BOX}]", " ", text).split())


@pytest.mark.parametrize("name", [None, *COMMANDS])
def test_help_reads_as_sentences_at_80_columns(name):
    args = ["--help"] if name is None else [name, "--help"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert not premature_breaks(result.output), "\n\n".join(premature_breaks(result.output))
    if name is not None:
        doc = typer.main.get_command(app).commands[name].help
        for paragraph in doc.split("\n\n"):
            assert words(paragraph.replace("`", "")) in words(result.output), paragraph


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"lookalike {lookalike.__version__}\n"
