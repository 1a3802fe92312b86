"""A client for catalogue images APIs shaped like the Wellcome Collection's
(``GET {base}/images/{id}?include=withSimilarFeatures``), lookalike's own server
included: images, their similar images, and records to index a remote collection.

Responses are cached on disk (keyed by URL), requests are spaced by a polite rate
limit, and transient failures (connection errors, timeouts, 429, 5xx) are retried with
exponential backoff. An unreachable server raises :class:`CatalogueUnavailable` with the
address and the reason.

Examples
--------
Against the live Wellcome Collection API (so not a doctest)::

    client = CatalogueClient("https://api.wellcomecollection.org/catalogue/v2/",
                             cache_dir="~/.cache/lookalike")
    client.similar("a2b3c4d5", k=5)     # [('e8f9g0h1', nan), ...]: the live API gives no score
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from lookalike._validation import check_int, check_real
from lookalike.errors import ImageNotFound, LookalikeError
from lookalike.sources._base import ImageRecord
from lookalike.sources.http import RETRY_STATUS, HttpClient, cache_root

__all__ = ["CatalogueClient", "CatalogueUnavailable", "from_catalogue", "is_catalogue_source"]

SIMILAR_INCLUDES = ("withSimilarFeatures", "visuallySimilar")


class CatalogueUnavailable(LookalikeError, ConnectionError):
    """The catalogue API could not be reached, or kept failing, after every retry."""


class CatalogueClient:
    """A polite, caching client of a catalogue images API.

    Parameters
    ----------
    base : str
        The API root, e.g. ``http://localhost:8000/catalogue/v2/`` or
        ``https://api.wellcomecollection.org/catalogue/v2/``.
    cache_dir : path, optional
        Where JSON responses and fetched pictures are kept; ``None``: no cache.
    rate_limit : float, default=5.0
        Most requests per second sent to the server (cache hits are free).
    retries : int, default=3
        Further attempts after a transient failure, waiting ``backoff * 2**n`` seconds
        (or the server's ``Retry-After``, at most 30 s).
    include : str, default="withSimilarFeatures"
        The include that adds similar images: ``withSimilarFeatures`` (current name,
        the live Wellcome API) or ``visuallySimilar`` (older name); lookalike accepts both.
    timeout : float, default=30.0
    backoff : float, default=0.5
    transport : httpx.BaseTransport, optional
        For tests.
    """

    def __init__(
        self,
        base: str,
        *,
        cache_dir: str | os.PathLike | None = None,
        rate_limit: float = 5.0,
        retries: int = 3,
        include: str = "withSimilarFeatures",
        timeout: float = 30.0,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        where = "CatalogueClient"
        if not isinstance(base, str) or not base.startswith(("http://", "https://")):
            raise ValueError(
                f"The 'base' parameter of {where} must be an http(s) URL. Got {base!r} instead."
            )
        self.base = base.rstrip("/") + "/"
        self.rate_limit = check_real(rate_limit, "rate_limit", where, low=0, closed="right")
        self.retries = check_int(retries, "retries", where, low=0, high=20)
        self.backoff = check_real(backoff, "backoff", where, low=0)
        if include not in SIMILAR_INCLUDES:
            allowed = " or ".join(repr(i) for i in SIMILAR_INCLUDES)
            raise ValueError(
                f"The 'include' parameter of {where} must be {allowed}. Got {include!r} instead."
            )
        self.include = include
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir is not None else None
        self._http = HttpClient(
            user_agent="lookalike (catalogue client)",
            rate=self.rate_limit,
            retries=self.retries,
            backoff=self.backoff,
            timeout=timeout,
            cache_dir=self.cache_dir,
            transport=transport,
        )
        self._services: dict[str, str] = {}  # image id -> IIIF service, from answers seen

    def __repr__(self) -> str:
        return f"CatalogueClient({self.base!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CatalogueClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the API -----------------------------------------------------------------
    def image(self, id: str, *, include_similar: bool = True, k: int = 5) -> dict[str, Any]:
        """The Image JSON of ``id``, with its similar images when ``include_similar``.

        ``k`` is sent only when it is not the catalogue's default of 5 (the live
        Wellcome API has no ``k``; lookalike's server has).

        Raises
        ------
        ImageNotFound
            The server answered 404.
        CatalogueUnavailable
        """
        k = check_int(k, "k", "CatalogueClient.image", low=1, high=10_000)
        params: dict[str, Any] = {}
        if include_similar:
            params["include"] = self.include
            if k != 5:
                params["k"] = k
        image = self._get_json(f"images/{id}", params)
        for seen in [image, *image.get(self.include, []), *image.get(_other(self.include), [])]:
            service = _iiif_service(seen)
            if service and "id" in seen:
                self._services[str(seen["id"])] = service
        return image

    def similar(self, id: str, k: int = 5) -> list[tuple[str, float]]:
        """``[(id, score), ...]``: the ``k`` images the server finds most similar to
        ``id``, best first. The score is the server's cosine ``score``, or NaN when it
        gives none (the live Wellcome API gives none).

        This is a neighbours function for growing graphs from a seed.
        """
        image = self.image(id, include_similar=True, k=k)
        hits = image.get(self.include) or image.get(_other(self.include)) or []
        return [(str(h["id"]), float(h.get("score", float("nan")))) for h in hits[:k]]

    def picture_url(self, id: str, max_side: int = 256) -> str:
        """The IIIF URL of ``id``'s picture, at most ``max_side`` px; ``id`` itself when
        the server gives no IIIF thumbnail. Free for images seen in earlier answers
        (e.g. those of :meth:`similar`), one request otherwise."""
        max_side = check_int(max_side, "max_side", "CatalogueClient.picture_url", low=16, high=8192)
        service = self._services.get(str(id))
        if service is None:
            service = _iiif_service(self.image(id, include_similar=False))
        if not service:
            return str(id)
        return f"{service}/full/!{max_side},{max_side}/0/default.jpg"

    def images(
        self,
        *,
        page_size: int = 100,
        max_pages: int | None = None,
        params: Mapping[str, str] | None = None,
        fresh: bool = False,
    ) -> Iterator[dict]:
        """Every Image of the catalogue (or those ``params`` select, e.g. ``{"query":
        "cat"}`` on the Wellcome API), following ``nextPage`` links. ``fresh``: ask the
        server for every page again instead of reading it from the cache."""
        page_size = check_int(page_size, "page_size", "CatalogueClient.images", low=1, high=100)
        query = {"pageSize": str(page_size), **(params or {})}
        url: str | None = self.base + "images?" + urlencode(query)
        pages = 0
        while url and (max_pages is None or pages < max_pages):
            body = self._get_json_url(url, cached=not fresh)
            yield from body.get("results", [])
            url = body.get("nextPage")
            pages += 1

    def records(
        self,
        *,
        max_side: int = 1024,
        limit: int | None = None,
        page_size: int = 100,
        params: Mapping[str, str] | None = None,
        fresh: bool = False,
    ) -> Iterator[ImageRecord]:
        """An :class:`ImageRecord` per image (of those ``params`` select), for
        ``Collection.index``: the id is the catalogue's, the uri the IIIF picture (at most
        ``max_side`` px), and the loader fetches it through this client (cache, retries,
        rate limit). ``fresh`` as in :meth:`images`."""
        max_side = check_int(max_side, "max_side", "CatalogueClient.records", low=16, high=8192)
        listing = self.images(page_size=page_size, params=params, fresh=fresh)
        for n, image in enumerate(listing):
            if limit is not None and n >= limit:
                return
            service = _iiif_service(image)
            if not service:
                continue
            location = image.get("thumbnail") or {}
            metadata: dict[str, Any] = {
                "source": image.get("source"),
                "catalogue": self.base,
                "iiif_service": service,
            }
            if location.get("license"):
                metadata["license"] = location["license"]
            yield ImageRecord(
                uri=f"{service}/full/!{max_side},{max_side}/0/default.jpg",
                id=str(image["id"]),
                metadata=metadata,
                loader=self.fetch_bytes,
            )

    def fetch_bytes(self, url: str) -> bytes:
        """The body of ``url`` (a picture), through the cache, retries and rate limit."""
        cached = self._http.cached(url, ".bin")
        if cached is not None:
            return cached
        data = self._request(url).content
        self._http.keep(url, data, ".bin")
        return data

    # -- transport ---------------------------------------------------------------
    def _get_json(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        query = ("?" + urlencode(params)) if params else ""
        return self._get_json_url(self.base + path + query)

    def _get_json_url(self, url: str, cached: bool = True) -> dict[str, Any]:
        hit = self._http.cached(url, ".json") if cached else None
        if hit is not None:
            return json.loads(hit)
        response = self._request(url)
        try:
            body = response.json()
        except ValueError as err:
            raise CatalogueUnavailable(f"{url} did not answer with JSON.") from err
        self._http.keep(url, response.content, ".json")
        return body

    def _request(self, url: str) -> httpx.Response:
        tries = self.retries + 1
        try:
            response = self._http.get(url)
        except httpx.TransportError as err:
            raise self._unavailable(_describe(err), tries) from err
        if response.status_code in RETRY_STATUS:  # still failing after every retry
            raise self._unavailable(f"HTTP {response.status_code}", tries)
        if response.status_code == 404:
            raise ImageNotFound(_error_text(response, f"Not found: {url}"))
        if response.status_code >= 400:
            raise ValueError(
                f"The catalogue API refused {url}: HTTP {response.status_code}: "
                + _error_text(response, response.reason_phrase)
            )
        return response

    def _unavailable(self, reason: str, tries: int) -> CatalogueUnavailable:
        return CatalogueUnavailable(
            f"Cannot reach the catalogue API at {self.base}: {reason} "
            f"({tries} {'try' if tries == 1 else 'tries'})."
        )


def is_catalogue_source(source: str | os.PathLike) -> bool:
    """An ``http(s)://`` URL of a catalogue's image list (its path ends in ``/images``),
    e.g. ``https://api.wellcomecollection.org/catalogue/v2/images?query=cat``."""
    text = os.fspath(source)
    if not text.startswith(("http://", "https://")):
        return False
    return urlsplit(text).path.rstrip("/").endswith("/images")


def from_catalogue(url: str, *, max_side: int = 1024) -> Iterator[ImageRecord]:
    """Records of the images a catalogue lists at ``url`` (``{base}/images``, its query
    parameters kept: ``?query=...`` selects on the Wellcome API), read through a
    :class:`CatalogueClient` whose cache keeps the pictures; the list itself is asked
    for again each time, so a later run sees the images added since."""
    parts = urlsplit(url)
    base = urlunsplit(
        (parts.scheme, parts.netloc, parts.path.rstrip("/")[: -len("images")], "", "")
    )
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    page_size = params.pop("pageSize", "100")
    client = CatalogueClient(base, cache_dir=cache_root() / "catalogue")
    size = int(page_size) if page_size.isdigit() else 100
    return client.records(max_side=max_side, page_size=size, params=params, fresh=True)


def _other(include: str) -> str:
    return SIMILAR_INCLUDES[1 - SIMILAR_INCLUDES.index(include)]


def _iiif_service(image: dict) -> str:
    """The IIIF image service of an Image JSON (its thumbnail's info.json without the
    file name), or ``""``."""
    info_url = (image.get("thumbnail") or {}).get("url", "")
    return info_url[: -len("/info.json")] if info_url.endswith("/info.json") else ""


def _describe(err: httpx.TransportError) -> str:
    if isinstance(err, httpx.ConnectError):
        return f"connection failed ({err})" if str(err) else "connection failed"
    if isinstance(err, httpx.TimeoutException):
        return "timed out"
    return f"{type(err).__name__}: {err}"


def _error_text(response: httpx.Response, default: str) -> str:
    """The ``description`` of a catalogue error body, else ``default``."""
    try:
        body = response.json()
    except ValueError:
        return default
    if isinstance(body, dict) and isinstance(body.get("description"), str):
        return body["description"]
    return default
