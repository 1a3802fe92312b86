"""Server options, fixed when the app is created."""

from __future__ import annotations

from dataclasses import dataclass, field

from lookalike._validation import check_int, check_real
from lookalike.server.iiif import IIIFLimits

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Options of :func:`lookalike.server.create_app`.

    Attributes
    ----------
    k_default : int, default=5
        Similar images per image when the request gives no ``k``.
    k_max : int, default=100
        Largest ``k`` a request may ask for.
    page_size_default, page_size_max : int, default=10, 100
        Images per page of ``/catalogue/v2/images``.
    model : str, optional
        The model whose vectors answer every route, bound as the collection's
        ``default_model`` (default: the collection's own default, see
        :func:`lookalike.open`).
    precompute : bool, default=True
        Compute the ``k_max`` most similar images of every image once, at start-up (one
        blockwise kNN search), so similar-image requests are lookups. Otherwise each
        request searches.
    cors_origins : tuple of str, optional
        Origins allowed by CORS on the GET routes. Default: ``("*",)`` (any origin, as
        IIIF servers do) for a read-only server, none with ``allow_labels``; ``()``
        sends no CORS headers.
    public_url : str, optional
        The address clients reach this server at (behind a proxy), used in every
        absolute URL of a response; default: the address the connection arrived on
        (the bind address), never the request's ``Host`` header.
    max_request_bytes : int, default=20 MiB
        Larger request bodies are refused with 413 before they are read.
    max_upload_pixels : int, default=24_000_000
        Uploaded query images with more pixels are refused with 413 before decoding
        (indexing takes up to 200 megapixels).
    max_concurrent_uploads : int, default=2
        Uploaded images decoded and embedded at once; more wait up to 10 s, then 503.
    max_concurrent_pictures : int, default=4
        IIIF pictures rendered at once (the others wait their turn).
    duplicate_threshold_min : float, default=0.5
        The lowest duplicate threshold a request may ask for (lower: 400).
    max_duplicate_pairs : int, default=500_000
        The most pairs a duplicate query may produce: a threshold whose pairs are
        estimated (or found) to be more is refused with 400.
    results_cache_bytes : int, default=256 MiB
        Memory for computed results (duplicate pairs, maps, clusters, the image list).
    iiif : IIIFLimits
        Largest IIIF output (default 4096 x 4096).
    cache_max_side : int, default=1024
        IIIF outputs up to this size are cached on disk under ``thumbs/iiif/``.
    allow_labels : bool, default=False
        Let ``POST /api/labels`` save same/different labels of duplicate pairs in the
        collection (the web page's buttons). Otherwise the server is read-only and that
        route answers 403.
    """

    k_default: int = 5
    k_max: int = 100
    page_size_default: int = 10
    page_size_max: int = 100
    model: str | None = None
    precompute: bool = True
    cors_origins: tuple[str, ...] | None = None
    public_url: str | None = None
    max_request_bytes: int = 20 * 1024 * 1024
    max_upload_pixels: int = 24_000_000
    max_concurrent_uploads: int = 2
    max_concurrent_pictures: int = 4
    duplicate_threshold_min: float = 0.5
    max_duplicate_pairs: int = 500_000
    results_cache_bytes: int = 256 * 1024 * 1024
    iiif: IIIFLimits = field(default_factory=IIIFLimits)
    cache_max_side: int = 1024
    allow_labels: bool = False

    def __post_init__(self) -> None:
        check_int(self.k_max, "k_max", "Settings", low=1, high=10_000)
        check_int(self.k_default, "k_default", "Settings", low=1, high=self.k_max)
        check_int(self.page_size_max, "page_size_max", "Settings", low=1, high=10_000)
        check_int(
            self.page_size_default, "page_size_default", "Settings", low=1, high=self.page_size_max
        )
        check_int(self.max_request_bytes, "max_request_bytes", "Settings", low=1024)
        check_int(self.max_upload_pixels, "max_upload_pixels", "Settings", low=1)
        check_int(self.max_concurrent_uploads, "max_concurrent_uploads", "Settings", low=1)
        check_int(self.max_concurrent_pictures, "max_concurrent_pictures", "Settings", low=1)
        check_real(
            self.duplicate_threshold_min, "duplicate_threshold_min", "Settings", low=-1, high=1
        )
        check_int(self.max_duplicate_pairs, "max_duplicate_pairs", "Settings", low=1)
        check_int(self.results_cache_bytes, "results_cache_bytes", "Settings", low=0)
        if self.cors_origins is None:
            origins = () if self.allow_labels else ("*",)
        else:
            origins = tuple(self.cors_origins)
        object.__setattr__(self, "cors_origins", origins)
        if self.public_url is not None:
            object.__setattr__(self, "public_url", self.public_url.rstrip("/") + "/")
