"""The one HTTP client of the remote sources (IIIF, catalogue APIs, a Parquet list at a
URL): a polite rate limit, retries with exponential backoff that honour the server's
``Retry-After``, and a disk cache keyed by URL under one cache root.

The sources map what is left after the retries (a connection error, a status) to their
own errors; this module only moves bytes.

Why not hishel (2.0) for the cache: its default mode does ignore HTTP freshness as the
sources need (a picture fetched once is reused offline whatever headers its server sent),
but it keeps every answer in one SQLite database (1 GiB by default, then evicting) that the
processes of a Ray run would all write to; it answers from inside the transport, so the
rate limit would have to move into a transport below it to keep cache hits free; and it
has no per-request "fetch afresh but keep" for a catalogue's list of images, which is
asked for again on every run. A URL-keyed file per answer, written atomically, keeps those
behaviours in a dozen lines.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import threading
import time
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import httpx
import tenacity

from lookalike._files import write_atomic

__all__ = ["RETRY_STATUS", "DiskCache", "HttpClient", "cache_root", "retry_after"]

#: Answers worth another attempt: too many requests, and a server error that may pass.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: The longest ``Retry-After`` honoured: a server asking for more is given up on sooner.
MAX_RETRY_AFTER = 30.0
CHUNK_BYTES = 1 << 20  # a download is written to its file this much at a time


def cache_root() -> Path:
    """Where remote sources keep what they fetched: ``$LOOKALIKE_CACHE``, else
    ``$XDG_CACHE_HOME/lookalike``, else ``~/.cache/lookalike`` (one folder per source
    below it: ``iiif/``, ``catalogue/``)."""
    if os.environ.get("LOOKALIKE_CACHE"):
        return Path(os.environ["LOOKALIKE_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "lookalike"


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or
    None when it is absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = datetime.now(UTC).timestamp() if now is None else now
    return max(0.0, when.timestamp() - now)


class DiskCache:
    """Answers kept on disk, one file per URL (``{root}/ab/abcd...{suffix}``)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).expanduser()

    def path(self, url: str, suffix: str = "") -> Path:
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.root / key[:2] / f"{key}{suffix}"

    def get(self, url: str, suffix: str = "") -> bytes | None:
        try:
            return self.path(url, suffix).read_bytes()
        except OSError:
            return None

    def put(self, url: str, data: bytes, suffix: str = "") -> None:
        # Not fsynced: a cache entry lost in a power cut is fetched again.
        write_atomic(self.path(url, suffix), data, fsync=False)


class HttpClient:
    """GET with a rate limit shared by all threads and retries of transient failures.

    Parameters
    ----------
    user_agent : str
    rate : float, default=5.0
        At most this many requests per second (all threads together); 0: no limit.
    retries : int, default=3
        Extra attempts after a connection error or an answer in :data:`RETRY_STATUS`,
        waiting ``backoff * 2**n`` seconds, or the server's ``Retry-After`` (at most
        30 s).
    backoff : float, default=0.5
    timeout : float, default=30.0
    cache_dir : path-like, optional
        A :class:`DiskCache` there, for :meth:`cached`; ``None``: no cache.
    transport : httpx.BaseTransport, optional
        For tests.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        rate: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 30.0,
        cache_dir: str | os.PathLike | None = None,
        transport: httpx.BaseTransport | None = None,
        retry_status: Collection[int] = RETRY_STATUS,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.retry_status = frozenset(retry_status)
        self.cache = DiskCache(cache_dir) if cache_dir is not None else None
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
            headers={"User-Agent": user_agent},
        )
        self._lock = threading.Lock()
        self._next = 0.0

    def get(self, url: str) -> httpx.Response:
        """The answer to ``GET url`` after the retries: a success, an error status not
        worth retrying, or the last retried one (429, 5xx) once attempts run out.

        Raises
        ------
        httpx.TransportError
            When the last attempt could not reach the server.
        """
        return self._retrying()(self._attempt, url)

    def download(self, url: str, file: BinaryIO) -> httpx.Response:
        """``GET url`` as :meth:`get` does, a 200 answer's body streamed into ``file``
        rather than held in memory (``file`` emptied before each attempt, so a body cut
        short and tried again is not written twice). The answer comes back closed: its
        status and headers tell what happened, its body is in ``file`` or was not read.

        Raises
        ------
        httpx.TransportError
            When the last attempt could not reach the server or was cut short.
        """
        return self._retrying()(self._download_attempt, url, file)

    def _retrying(self) -> tenacity.Retrying:
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.retries + 1),
            retry=(
                tenacity.retry_if_exception_type(httpx.TransportError)
                | tenacity.retry_if_result(lambda r: r.status_code in self.retry_status)
            ),
            wait=self._wait,
            # Out of attempts: give back the last answer, or raise the last error.
            retry_error_callback=lambda state: state.outcome.result(),
        )

    def cached(self, url: str, suffix: str = "") -> bytes | None:
        """What the cache holds for ``url``, or None (a miss, or no cache)."""
        return self.cache.get(url, suffix) if self.cache is not None else None

    def keep(self, url: str, data: bytes, suffix: str = "") -> None:
        """Put ``data`` in the cache for ``url`` (nothing when there is no cache)."""
        if self.cache is not None:
            self.cache.put(url, data, suffix)

    def close(self) -> None:
        self._http.close()

    def _attempt(self, url: str) -> httpx.Response:
        self._wait_turn()
        return self._http.get(url)

    def _download_attempt(self, url: str, file: BinaryIO) -> httpx.Response:
        self._wait_turn()
        with self._http.stream("GET", url) as response:
            if response.status_code == 200:
                file.seek(0)
                file.truncate()
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    file.write(chunk)
            return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            asked = retry_after(outcome.result().headers.get("Retry-After"))
            if asked is not None:
                return min(asked, MAX_RETRY_AFTER)
        return self.backoff * 2 ** (state.attempt_number - 1)

    def _wait_turn(self) -> None:
        """Space requests ``interval`` apart, whatever thread sends them."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)
