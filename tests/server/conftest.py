"""A small real collection (real photos, `test-pixels` vectors), the app over it, and
the real server on a free localhost port."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

import lookalike
from lookalike.server import Settings, create_app
from tests.conftest import PHOTOS, skimage_photo

MODEL = "test-pixels"


@pytest.fixture(scope="session")
def wide_photos(tmp_path_factory) -> Path:
    """Nine real photos, all at least 400 px wide (the notebook thumbnail width)."""
    root = tmp_path_factory.mktemp("wide")
    for i, name in enumerate(PHOTOS):
        skimage_photo(name).save(root / (f"{name}.jpg" if i % 2 == 0 else f"{name}.png"))
    skimage_photo("astronaut").resize((440, 440)).save(root / "astronaut_440.jpg", quality=70)
    skimage_photo("chelsea").save(root / "chelsea_q50.jpg", quality=50)
    skimage_photo("coffee").crop((60, 40, 540, 360)).save(root / "coffee_crop.jpg")
    return root


@pytest.fixture(scope="session")
def server_col(tmp_path_factory, wide_photos) -> lookalike.Collection:
    col = lookalike.create(tmp_path_factory.mktemp("served") / "col")
    col.index(wide_photos, model=MODEL, progress=False)
    return col


@pytest.fixture(scope="session")
def ids(server_col) -> dict[str, str]:
    """File name -> image id."""
    images = server_col.images()
    return {Path(uri).name: i for i, uri in zip(images["id"], images["uri"], strict=True)}


@pytest.fixture(scope="session")
def client(server_col) -> TestClient:
    with TestClient(create_app(server_col, settings=Settings(k_max=20))) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a thread."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(server_col):
    with LiveServer(create_app(server_col)) as server:
        yield server
