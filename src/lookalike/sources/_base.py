"""What every source yields: an :class:`ImageRecord` per image."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lookalike._uris import record_uri, uri_path

__all__ = ["ImageRecord"]


@dataclass(frozen=True)
class ImageRecord:
    """An image a source knows about, before it is read.

    Attributes
    ----------
    uri : str
        Absolute file path, or URL for remote sources; unique within a collection. A
        path that is not valid Unicode (bytes that are not UTF-8 in a Linux file name)
        is given as a ``file://`` IRI with those bytes escaped (``lookalike._uris``):
        :attr:`path` is the real file.
    id : str, optional
        An id given by the source (e.g. a catalogue id); else derived from the content.
    metadata : dict
        Anything the source knows (title, label, manifest...), stored as JSON.
    loader : callable, optional
        ``loader(uri) -> bytes`` for remote sources; local files are read directly.
    """

    uri: str
    id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    loader: Callable[[str], bytes] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "uri", record_uri(self.uri))

    @property
    def is_local(self) -> bool:
        return self.loader is None

    @property
    def path(self) -> Path:
        """The local file (for a local record)."""
        return uri_path(self.uri) or Path(self.uri)
