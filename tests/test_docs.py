"""The docs cover the tools (after datasette's test_docs): every CLI command and option
and every HTTP route is named in the README or docs/*.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from lookalike.cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md").read_text() + "".join(
    p.read_text() for p in sorted((ROOT / "docs").glob("*.md"))
)
COMMANDS = typer.main.get_command(app).commands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_is_documented(name):
    assert f"lookalike {name}" in DOCS
    options = [o for p in COMMANDS[name].params for o in p.opts if o.startswith("--")]
    missing = [o for o in options if o != "--help" and o not in DOCS]
    assert not missing, f"lookalike {name}: undocumented options {missing}"


def test_every_route_is_documented(tmp_path):
    import lookalike
    from lookalike.server import create_app

    web = create_app(lookalike.create(tmp_path / "col"))
    builtin = {"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
    paths = {getattr(r, "path", "") for r in web.routes} - builtin - {""}
    missing = sorted(p for p in paths if p not in DOCS)
    assert not missing, f"undocumented routes: {missing}"


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_SRC = re.compile(r"""(?:src|href)=["']([^"']+)["']""")
CODE_PATH = re.compile(r"`((?:\.\.?/)?[\w.-]+(?:/[\w.-]+)*\.(?:md|png|svg|sh|py|toml))`")
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def relative_links(text: str) -> list[str]:
    """Link targets that are not URLs or in-page anchors, without their #fragment."""
    found = LINK.findall(text) + HTML_SRC.findall(text)
    targets = [t.split("#", 1)[0] for t in found if not re.match(r"[a-z][a-z0-9+.-]*:", t)]
    return [t for t in targets if t]


def test_link_finder():
    text = '[a](docs/x.md#y) ![b](img/p.png "t") [c](https://e.org/x) [d](#top) <img src="q.png">'
    assert relative_links(text) == ["docs/x.md", "img/p.png", "q.png"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_is_a_file_of_the_repository(page):
    """Everything README.md and docs/*.md point to lives in the repository (a clone has
    nothing beside it): links and images resolve to its files; no path leaves it."""
    text = page.read_text()
    missing = []
    for target in relative_links(text):
        path = (page.parent / target).resolve()
        if not path.is_relative_to(ROOT) or not path.exists():
            missing.append(target)
    # A path in backticks that climbs out of the repository (`../shared/x.md`).
    missing += [f"`{t}`" for t in CODE_PATH.findall(text) if t.startswith("../")]
    assert not missing, f"{page.name} points to what a clone does not have: {missing}"
