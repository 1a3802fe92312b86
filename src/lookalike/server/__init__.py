"""The HTTP API: the Wellcome catalogue images API shape, a IIIF Image API service and
JSON search endpoints over a Collection (see docs/server.md)."""

from lookalike.server.app import create_app, serve
from lookalike.server.iiif import IIIFLimits
from lookalike.server.settings import Settings

__all__ = ["IIIFLimits", "Settings", "create_app", "serve"]
