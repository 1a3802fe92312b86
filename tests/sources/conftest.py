"""Fixtures of the sources' tests."""

from __future__ import annotations

import pytest

from tests.sources.test_iiif import Server


@pytest.fixture()
def server():
    """A real HTTP server on localhost (:class:`tests.sources.test_iiif.Server`)."""
    s = Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()
