"""Server options, fixed when the app is created."""

from __future__ import annotations

from dataclasses import dataclass, field

from lookalike._validation import check_int
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
        The model whose vectors answer (default: the collection's first).
    precompute : bool, default=True
        Compute the ``k_max`` most similar images of every image once, at start-up (one
        blockwise kNN search), so similar-image requests are lookups. Otherwise each
        request searches.
    cors_origins : tuple of str, default=()
        Origins allowed by CORS; empty means no CORS headers at all.
    public_url : str, optional
        The address clients reach this server at (behind a proxy); default: the
        request's own.
    max_request_bytes : int, default=20 MiB
        Larger request bodies are refused with 413.
    max_upload_pixels : int, default=50_000_000
        Uploaded query images with more pixels are refused with 400.
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
    cors_origins: tuple[str, ...] = ()
    public_url: str | None = None
    max_request_bytes: int = 20 * 1024 * 1024
    max_upload_pixels: int = 50_000_000
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
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
