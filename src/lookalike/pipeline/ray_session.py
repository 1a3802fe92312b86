"""Ray for the Ray runner (:mod:`lookalike.pipeline.ray`): the one-line error without
it, the session (a new local cluster, ``auto`` or ``ray://``), and how a record travels
to a worker (its loader does not: each actor makes its own)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lookalike.errors import LookalikeError
from lookalike.sources import ImageRecord, read_object

__all__ = ["INSTALL_HINT", "RayUnavailable", "ray_session", "require_ray"]

INSTALL_HINT = 'Indexing with --engine ray needs Ray: pip install "lookalike[ray]"'


class RayUnavailable(LookalikeError, ImportError):
    """Ray is not installed (``--engine ray`` says how to install it)."""


def require_ray() -> Any:
    """The ``ray`` module (with Ray Data), or :class:`RayUnavailable` saying how to
    install it."""
    try:
        import ray
        import ray.data  # the extra is ray[data]: plain ray has no Dataset
    except ImportError as err:
        raise RayUnavailable(f"{INSTALL_HINT} ({err}).") from None
    return ray


@contextmanager
def ray_session(address: str | None = None) -> Iterator[Any]:
    """The ``ray`` module, connected: to the session this process has already, else to
    ``address`` (``"auto"``, ``"ray://head:10001"``), else to a new local cluster on this
    machine's cores (shut down on exit, as is a connection this opened)."""
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            logging_level=logging.WARNING,
            log_to_driver=False,
        )
    except (ConnectionError, ImportError, RuntimeError) as err:  # no cluster there
        where = f"the Ray cluster at {address!r}" if address else "a local Ray cluster"
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise LookalikeError(f"Cannot connect to {where}: {first}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


# -- records on the wire ------------------------------------------------------------------
# A record's loader (a IIIF client with its connection pool and lock) does not travel;
# the row says what it is, and each actor makes its own loader again.


def _to_row(position: int, record: ImageRecord) -> dict[str, Any]:
    return {
        "pos": position,
        "uri": record.uri,
        "id": record.id or "",
        "metadata": json.dumps(record.metadata),
        "remote": not record.is_local,
    }


class _Loaders:
    """The loaders of remote records, made once per actor: ``http(s)://`` through a
    :class:`~lookalike.sources.IIIFClient` (cache, rate limit, retries), as
    :func:`lookalike.sources.records_of_uris` reads catalogued URLs again; any other
    scheme (``s3://``, ``gs://``, ``hdfs://``...) through :mod:`pyarrow.fs`."""

    def __init__(self) -> None:
        self._iiif = None

    def record(self, uri: str, id_: str, metadata: dict, remote: bool) -> ImageRecord:
        if not remote:
            return ImageRecord(uri=uri, id=id_ or None, metadata=metadata)
        if uri.startswith(("http://", "https://")):
            service = metadata.get("iiif_service") == uri
            return ImageRecord(uri, id_ or None, metadata, lambda u: self._http(u, service))
        return ImageRecord(uri, id_ or None, metadata, read_object)

    def _http(self, uri: str, service: bool) -> bytes:
        if self._iiif is None:
            from lookalike.sources import IIIFClient

            self._iiif = IIIFClient()
        return self._iiif.get_image(uri, service)
