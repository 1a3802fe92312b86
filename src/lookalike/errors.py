"""The exception hierarchy: every error lookalike raises on purpose derives from
:class:`LookalikeError`, so the CLI and the server can catch it once and print one line.
"""

__all__ = [
    "CollectionNotFound",
    "ImageDecodeError",
    "ImageNotFound",
    "IndexNotBuilt",
    "LookalikeError",
    "ModelUnavailable",
    "NoPath",
    "ParameterError",
    "StorageFull",
]


class LookalikeError(Exception):
    """Base class of every error lookalike raises on purpose."""


class CollectionNotFound(LookalikeError, FileNotFoundError):
    """The collection directory does not exist or holds no catalog."""


class ImageNotFound(LookalikeError, KeyError):
    """An image id (or path) is not in the collection."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain.
        return str(self.args[0]) if self.args else "image not found"


class ImageDecodeError(LookalikeError, ValueError):
    """A file could not be decoded safely as an image; the message says why."""


class IndexNotBuilt(LookalikeError):
    """The collection holds no vectors for the requested model yet."""


class ModelUnavailable(LookalikeError):
    """A model name is unknown, or its weights cannot be loaded here."""


class NoPath(LookalikeError):
    """No chain of similar images links two images."""


class StorageFull(LookalikeError, OSError):
    """The disk holding the collection is full: the batch being written was not
    committed, and everything committed before it is intact."""
class ParameterError(ValueError):
    """A parameter's value is not allowed: the message names the parameter and the
    function; ``name`` and ``detail`` (what is allowed, what was received) let a presenter
    name its own option instead (the CLI says ``-k``, not ``Collection.neighbors``)."""

    def __init__(self, name: str, where: str, allowed: str, value: object) -> None:
        self.name = name
        self.detail = f"must be {allowed}. Got {value!r} instead."
        super().__init__(f"The {name!r} parameter of {where} {self.detail}")
