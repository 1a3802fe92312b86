"""The uri of a local file, for any name the operating system allows.

A catalog holds text, and a Linux file name is bytes: ``latin1-\\xe9t\\xe9.jpg`` is legal
but is not UTF-8, and Python names it with lone surrogates (``os.fsdecode``) that no
database, terminal or JSON encoder accepts. So a file's uri is its absolute path, as it
always was, when that path is valid Unicode; otherwise a ``file://`` IRI whose
undecodable bytes are written ``%XX`` and whose ``%`` signs are written ``%25``
(``file:///photos/latin1-%E9t%E9.jpg``): readable, printable, and decoded back to the
exact bytes by :func:`uri_path`. The two forms never collide (a path starts with ``/``
or a drive, never with ``file://``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote_to_bytes

__all__ = ["display", "is_remote", "path_uri", "record_uri", "uri_path"]

FILE_PREFIX = "file://"
_REMOTE = ("http://", "https://")
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_remote(uri: str) -> bool:
    """Whether ``uri`` is an ``http(s)://`` URL (not a local file)."""
    return uri.startswith(_REMOTE)


def _is_text(text: str) -> bool:
    return _SURROGATE.search(text) is None


def _byte_escape(ch: str) -> str:
    # surrogateescape: U+DC80..U+DCFF stand for the undecodable bytes 0x80..0xFF.
    data = ch.encode("utf-8", "surrogateescape" if "\udc80" <= ch <= "\udcff" else "surrogatepass")
    return "".join(f"%{b:02X}" for b in data)


def path_uri(path: str | bytes | os.PathLike) -> str:
    """The uri of the local file ``path`` (made absolute): the path itself when it is
    valid Unicode, else a ``file://`` IRI (see the module docstring). A ``file://`` uri
    given as ``path`` comes back in its canonical form.

    >>> path_uri("/photos/café.jpg")
    '/photos/café.jpg'
    >>> path_uri(b"/photos/latin1-\\xe9t\\xe9 100%.jpg")
    'file:///photos/latin1-%E9t%E9 100%25.jpg'
    """
    if isinstance(path, str) and path.startswith(FILE_PREFIX):
        path = uri_path(path)  # type: ignore[assignment]
    text = str(Path(os.fsdecode(path)).absolute())
    if _is_text(text):
        return text
    escaped = _SURROGATE.sub(lambda m: _byte_escape(m.group()), text.replace("%", "%25"))
    return FILE_PREFIX + ("" if escaped.startswith("/") else "/") + escaped


def uri_path(uri: str) -> Path | None:
    """The local path of ``uri`` (either form of :func:`path_uri`), or None for an
    ``http(s)://`` URL.

    >>> uri_path("file:///photos/latin1-%E9t%E9 100%25.jpg") == Path(
    ...     os.fsdecode(b"/photos/latin1-\\xe9t\\xe9 100%.jpg"))
    True
    """
    if is_remote(uri):
        return None
    if not uri.startswith(FILE_PREFIX):
        return Path(uri)
    text = os.fsdecode(unquote_to_bytes(uri[len(FILE_PREFIX) :]))
    if os.name == "nt" and re.match(r"/[A-Za-z]:", text):
        text = text[1:]
    return Path(text)


def record_uri(uri: str) -> str:
    """``uri`` as a catalog can hold it: unchanged if it is valid Unicode; a local path
    with undecodable bytes as its ``file://`` IRI; an ``http(s)://`` URL with them
    percent-encoded (what they stand for in a URL)."""
    if _is_text(uri):
        return uri
    if is_remote(uri):
        return _SURROGATE.sub(lambda m: _byte_escape(m.group()), uri)
    return path_uri(uri)


def display(text: str) -> str:
    """``text`` on one printable line: control characters (a newline in a file name)
    and undecodable bytes written as escapes, for reports and terminals.

    >>> print(display("two\\nlines\\t.jpg"), display(os.fsdecode(b"latin1-\\xe9.jpg")))
    two\\nlines\\t.jpg latin1-\\xe9.jpg
    """
    if text.isprintable():
        return text
    return "".join(_printable(ch) for ch in text)


def _printable(ch: str) -> str:
    if ch.isprintable():
        return ch
    if "\udc80" <= ch <= "\udcff":  # an undecodable byte, as os.fsdecode names it
        return f"\\x{ord(ch) - 0xDC00:02x}"
    return ch.encode("unicode_escape").decode("ascii")
