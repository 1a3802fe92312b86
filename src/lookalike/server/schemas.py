"""The JSON shapes of the API as pydantic models: the Wellcome Collection catalogue's
Image and ResultList, its Error, and lookalike's own search results.

They make the OpenAPI schema at ``/openapi.json`` exact, which is what the fuzz test
and client generators read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from lookalike import ImageRow

__all__ = [
    "DigitalLocation",
    "Error",
    "Image",
    "LocationType",
    "NeighborHit",
    "NeighborsResult",
    "ResultList",
    "SimilarImage",
    "Work",
    "image_from_row",
]


class LocationType(BaseModel):
    id: str = "iiif-image"
    label: str = "IIIF Image API"
    type: Literal["LocationType"] = "LocationType"


class License(BaseModel):
    id: str
    label: str | None = None
    url: str | None = None
    type: Literal["License"] = "License"


class DigitalLocation(BaseModel):
    """Where the picture is: a IIIF Image API ``info.json`` URL on this server."""

    type: Literal["DigitalLocation"] = "DigitalLocation"
    url: str = Field(examples=["http://localhost:8000/iiif/3fa4c1d2e5b6/info.json"])
    locationType: LocationType = Field(default_factory=LocationType)
    license: License | None = None
    accessConditions: list[dict] = Field(default_factory=list)


class Work(BaseModel):
    """The work an image belongs to (for a local file: the file itself)."""

    id: str
    title: str | None = None
    type: Literal["Work"] = "Work"


class SimilarImage(BaseModel):
    """An image in a ``visuallySimilar``/``withSimilarFeatures`` list: cosine ``score``."""

    type: Literal["Image"] = "Image"
    id: str
    thumbnail: DigitalLocation
    locations: list[DigitalLocation]
    source: Work
    aspectRatio: float | None = None
    score: float


class Image(BaseModel):
    """An image as the catalogue API gives it."""

    type: Literal["Image"] = "Image"
    id: str = Field(examples=["3fa4c1d2e5b6"])
    thumbnail: DigitalLocation
    locations: list[DigitalLocation]
    source: Work
    aspectRatio: float | None = None
    visuallySimilar: list[SimilarImage] | None = Field(
        default=None, description="With include=visuallySimilar (the older name)."
    )
    withSimilarFeatures: list[SimilarImage] | None = Field(
        default=None, description="With include=withSimilarFeatures (the current name)."
    )


class ResultList(BaseModel):
    """A page of images."""

    type: Literal["ResultList"] = "ResultList"
    page: int
    pageSize: int
    totalPages: int
    totalResults: int
    results: list[Image]
    prevPage: str | None = None
    nextPage: str | None = None


class Error(BaseModel):
    """The one error shape, everywhere (the catalogue API's)."""

    type: Literal["Error"] = "Error"
    errorType: str = "http"
    httpStatus: int = Field(examples=[404])
    label: str = Field(examples=["Not Found"])
    description: str = Field(examples=["No image 'abc' in the collection."])


class NeighborHit(BaseModel):
    rank: int
    id: str
    score: float
    thumbnail: str = Field(description="The IIIF info.json URL of the image.")
    title: str | None = Field(default=None, description="Its title or file name.")


class NeighborsResult(BaseModel):
    """The ``k`` most similar images to a query, best first."""

    query: str
    model: str
    k: int
    results: list[NeighborHit]


def image_from_row(row: ImageRow, base_url: str) -> dict:
    """The catalogue Image (without similar images) of a catalog row, as a dict.

    ``base_url`` ends with ``/``; the picture is served at ``{base_url}iiif/{id}``.
    A row ingested from a remote catalogue keeps its ``source`` work and license.
    """
    meta = row.metadata or {}
    location = {
        "type": "DigitalLocation",
        "url": f"{base_url}iiif/{row.id}/info.json",
        "locationType": {"id": "iiif-image", "label": "IIIF Image API", "type": "LocationType"},
        "accessConditions": [],
    }
    if isinstance(meta.get("license"), dict) and "id" in meta["license"]:
        location["license"] = meta["license"]
    source = meta.get("source") if isinstance(meta.get("source"), dict) else None
    if not source or "id" not in source:
        source = {"id": row.id, "title": meta.get("title") or Path(row.uri).name}
    image = {
        "type": "Image",
        "id": row.id,
        "thumbnail": location,
        "locations": [location],
        "source": {"id": str(source["id"]), "title": source.get("title"), "type": "Work"},
    }
    if row.width and row.height:
        image["aspectRatio"] = row.width / row.height
    return image
