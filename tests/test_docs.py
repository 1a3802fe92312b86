"""The docs cover the tools (after datasette's test_docs): every CLI command and option
and every HTTP route is named in the README or docs/*.md."""

from __future__ import annotations

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
