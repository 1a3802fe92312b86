"""IIIF Presentation manifests and collections (2.x and 3.0) as a source of images.

Every image of every canvas of a manifest becomes an :class:`ImageRecord` whose ``uri``
is the image's IIIF Image API service (or the image URL when it has no service), with the
canvas label, the canvas id and the manifest in its metadata. Collections are walked
recursively (embedded or referenced manifests and sub-collections, up to
``max_manifests`` manifests).

Images are fetched at a bounded size through the Image API
(``{service}/full/!{size},{size}/0/default.jpg``), kept in an on-disk cache
(``$LOOKALIKE_CACHE/iiif``, see below), with retries and backoff on network errors, 429
and 5xx answers, and at most ``rate`` requests per second to be polite to the server.
Before anything is indexed the first image is fetched, so an unreachable image server is
one error, not a collection full of failed images.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from lookalike.errors import LookalikeError
from lookalike.sources._base import ImageRecord
from lookalike.sources.http import HttpClient, cache_root

__all__ = ["IIIFClient", "NotIIIF", "SourceUnavailable", "from_iiif", "is_iiif_source"]

DEFAULT_SIZE = 1024
USER_AGENT = "lookalike (IIIF source; +https://pypi.org/project/lookalike/)"


class NotIIIF(LookalikeError, ValueError):
    """The JSON is not a IIIF Presentation manifest or collection."""


class SourceUnavailable(LookalikeError):
    """A remote source (manifest or image server) could not be reached."""


def is_iiif_source(source: str | os.PathLike) -> bool:
    """URLs (``http://``, ``https://``) and local ``.json`` files."""
    text = os.fspath(source)
    return text.startswith(("http://", "https://")) or text.lower().endswith(".json")


class IIIFClient:
    """HTTP for IIIF: JSON documents and images, retries, rate limit, image cache.

    Parameters
    ----------
    size : int, default=1024
        Images are asked for at most ``size x size`` pixels (aspect kept).
    rate : float, default=5.0
        At most this many requests per second (all threads together).
    retries : int, default=3
        Extra attempts after a network error, a 429 or a 5xx answer.
    backoff : float, default=0.5
        Seconds before the first retry, doubled each time (or the server's Retry-After,
        at most 30 s).
    timeout : float, default=30.0
    cache_dir : path-like, optional
        Image cache; default ``$LOOKALIKE_CACHE/iiif`` (``~/.cache/lookalike/iiif``).
    """

    def __init__(
        self,
        *,
        size: int = DEFAULT_SIZE,
        rate: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 30.0,
        cache_dir: str | os.PathLike | None = None,
    ) -> None:
        self.size = size
        self.cache_dir = Path(cache_dir) if cache_dir else cache_root() / "iiif"
        self._http = HttpClient(
            user_agent=USER_AGENT,
            rate=rate,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            cache_dir=self.cache_dir,
        )

    def image_url(self, uri: str, service: bool) -> str:
        if not service:
            return uri
        return f"{uri.rstrip('/')}/full/!{self.size},{self.size}/0/default.jpg"

    def get_json(self, url: str) -> Any:
        data = self._get(url)
        try:
            return json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise NotIIIF(f"{url} is not JSON, so not a IIIF manifest or collection.") from err

    def get_image(self, uri: str, service: bool = True) -> bytes:
        """The image bytes (from the cache when it has them)."""
        url = self.image_url(uri, service)
        data = self._http.cached(url, ".bin")
        if data is None:
            data = self._get(url)
            self._http.keep(url, data, ".bin")
        return data

    def _get(self, url: str) -> bytes:
        try:
            response = self._http.get(url)
        except httpx.TransportError as err:
            reason = str(err) or type(err).__name__
            raise SourceUnavailable(f"Cannot reach {url}: {reason}") from err
        if response.status_code != 200:
            raise SourceUnavailable(f"{url} answered HTTP {response.status_code}.")
        return response.content

    def close(self) -> None:
        self._http.close()


def from_iiif(
    source: str | os.PathLike,
    *,
    client: IIIFClient | None = None,
    max_manifests: int = 1000,
    check_first: bool = True,
) -> list[ImageRecord]:
    """The images of a IIIF manifest or collection (a URL or a local ``.json`` file).

    Raises
    ------
    NotIIIF
        If the document (or one it refers to) is not a IIIF Presentation 2.x or 3.0
        manifest or collection, or holds no image.
    SourceUnavailable
        If a document or the first image cannot be fetched.
    """
    client = client or IIIFClient()
    text = os.fspath(source)
    if text.startswith(("http://", "https://")):
        doc, origin = client.get_json(text), text
    else:
        path = Path(text)
        if not path.is_file():
            raise FileNotFoundError(f"Source {text!r} is not a folder or a file.")
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise NotIIIF(f"{text} is not JSON, so not a IIIF manifest or collection.") from err
        origin = str(path.absolute())
    state = {"seen": {_id(doc)}, "manifests": 0, "max": max_manifests}
    records = list(_walk(doc, origin, client, state))
    if not records:
        raise NotIIIF(f"{text}: the IIIF document has no images.")
    if check_first:
        first = records[0]
        first.loader(first.uri)  # type: ignore[misc]  # an unreachable server fails here
    return records


def _kind(doc: Any) -> tuple[str, int]:
    """("manifest" | "collection", major version) or raise NotIIIF."""
    if not isinstance(doc, dict):
        raise NotIIIF("not a JSON object")
    context = doc.get("@context", "")
    contexts = " ".join(context if isinstance(context, list) else [str(context)])
    kind = doc.get("type") or doc.get("@type") or ""
    kind = kind.split(":")[-1].lower() if isinstance(kind, str) else ""
    version = 3 if "presentation/3" in contexts or "type" in doc else 2
    if kind in ("manifest", "collection"):
        return kind, version
    raise NotIIIF(f"not a IIIF Presentation manifest or collection (type {kind or 'missing'!r})")


def _walk(doc, origin: str, client, state: dict) -> Iterator[ImageRecord]:
    """Records of a manifest, or of the manifests under a collection (depth first, at
    most ``state["max"]`` manifests, each document once)."""
    try:
        kind, version = _kind(doc)
    except NotIIIF as err:
        raise NotIIIF(f"{origin}: {err}.") from None
    if kind == "manifest":
        if state["manifests"] < state["max"]:
            state["manifests"] += 1
            yield from _manifest_records(doc, origin, version, client)
        return
    for member in _collection_members(doc, version):
        if state["manifests"] >= state["max"]:
            return
        ident = _id(member)
        if ident is not None and ident in state["seen"]:
            continue
        state["seen"].add(ident)
        inline = any(k in member for k in ("sequences", "items", "manifests", "collections"))
        child = member if inline or ident is None else client.get_json(ident)
        yield from _walk(child, ident or origin, client, state)


def _collection_members(doc: dict, version: int) -> list[dict]:
    if version == 3:
        return [m for m in doc.get("items", []) if isinstance(m, dict)]
    members = [*doc.get("manifests", []), *doc.get("collections", []), *doc.get("members", [])]
    return [m if isinstance(m, dict) else {"@id": m} for m in members]


def _manifest_records(doc: dict, origin: str, version: int, client) -> Iterator[ImageRecord]:
    manifest = _id(doc) or origin
    manifest_label = _label(doc.get("label"))
    if version == 3:
        canvases = doc.get("items", [])
    else:
        canvases = [c for seq in doc.get("sequences", []) for c in seq.get("canvases", [])]
    for canvas in canvases:
        if not isinstance(canvas, dict):
            continue
        for body in _flatten_choices(_bodies(canvas, version)):
            service = _service_id(body.get("service"))
            uri = service or _id(body)
            if not uri:
                continue
            metadata = {
                "label": _label(canvas.get("label")),
                "canvas": _id(canvas),
                "manifest": manifest,
                "manifest_label": manifest_label,
                "iiif_service": service,
            }
            has_service = service is not None
            yield ImageRecord(
                uri=uri,
                metadata=metadata,
                loader=lambda u, s=has_service: client.get_image(u, s),
            )


def _bodies(canvas: dict, version: int) -> list:
    """The painted resources of a canvas (3.0: annotation bodies; 2.x: image resources)."""
    if version == 3:
        return [
            annotation.get("body")
            for page in canvas.get("items", [])
            if isinstance(page, dict)
            for annotation in page.get("items", [])
            if isinstance(annotation, dict)
        ]
    return [image.get("resource") for image in canvas.get("images", []) if isinstance(image, dict)]


def _flatten_choices(bodies: list) -> Iterator[dict]:
    for body in bodies:
        if isinstance(body, list):
            yield from _flatten_choices(body)
        elif isinstance(body, dict):
            kind = str(body.get("type") or body.get("@type") or "")
            if kind in ("Choice", "oa:Choice"):
                options = body.get("items") or [body.get("default"), *body.get("item", [])]
                yield from _flatten_choices([o for o in options if o][:1])
            else:
                yield body


def _id(obj: Any) -> str | None:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        value = obj.get("id") or obj.get("@id")
        return value if isinstance(value, str) else None
    return None


def _service_id(service: Any) -> str | None:
    """The first IIIF Image API service's id (2.x: a dict or list; 3.0: a list)."""
    for s in service if isinstance(service, list) else [service]:
        if isinstance(s, dict):
            kind = str(s.get("type") or s.get("@type") or "") + str(s.get("profile") or "")
            context = str(s.get("@context") or "")
            if "image" in (kind + context).lower() or not kind:
                ident = _id(s)
                if ident:
                    return ident.rstrip("/")
    return None


def _label(label: Any) -> str | None:
    """A label as one string: 2.x string / {@value} / list, 3.0 language map."""
    if label is None:
        return None
    if isinstance(label, str):
        return label
    if isinstance(label, list):
        parts = [_label(x) for x in label]
        return "; ".join(p for p in parts if p) or None
    if isinstance(label, dict):
        if "@value" in label:
            return str(label["@value"])
        for lang in ("en", "none", *label):
            if lang in label:
                return _label(label[lang])
    return str(label)
