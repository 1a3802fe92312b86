"""The local runner: reader -> embedder -> writer in this process, the reader's threads
decoding ahead while the model embeds, each batch timed."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from lookalike.models import Backbone
from lookalike.pipeline.embedder import Embedder
from lookalike.pipeline.job import IndexJob, one_writer
from lookalike.pipeline.reader import batches, read_records
from lookalike.pipeline.report import IndexReport
from lookalike.sources import ImageRecord
from lookalike.store import Store

__all__ = ["index_records"]


@one_writer
def index_records(
    store: Store,
    records: Iterable[ImageRecord],
    backbone: Backbone,
    *,
    source: str = "",
    batch_size: int = 32,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    update_catalog: bool = True,
    spec: str | None = None,
    walked: str | None = None,
    skipped: list[tuple[str, str]] | None = None,
    views: bool = True,
) -> IndexReport:
    """Read, embed and store ``records``; skip what the store already has.

    Parameters
    ----------
    records : iterable of ImageRecord
        Drawn as they are read (a folder is walked while it is indexed).
    backbone : Backbone
        Its ``view`` says what part of each picture it embeds.
    progress : callable, optional
        Called as ``progress(done, seen)`` after each batch (``seen``: the records
        drawn so far; the whole source at the end).
    update_catalog : bool, default=True
        With False only vectors are stored (keyed by content hash): the image rows,
        their status and places stay as the catalog has them, and an image that cannot
        be read is only listed in ``report.failed``. For embedding another view of
        images already indexed.
    spec : str, optional
        What builds ``backbone`` in another process (:func:`lookalike.models.spec_of`),
        recorded with the model: with its first vectors, or now if it has some (the
        place of a model file may have changed).
    walked, skipped : str and list, optional
        The uri of the folder ``records`` come from and the ``(uri, reason)`` its walk
        left out (filled while ``records`` is drawn): recorded in the catalog in place
        of that folder's last list (see ``Catalog.skipped``); unreadable folders are
        also reported as failed.
    views : bool, default=True
        Also embed the centre view of every picture read (from the same decode) with
        ``CentreView(backbone)``, stored under its name, for the near-duplicate score.
        Only for a backbone of the whole picture.

    Returns
    -------
    IndexReport
    """
    job = IndexJob(
        store,
        backbone,
        source=source,
        spec=spec,
        update_catalog=update_catalog,
        views=views,
        walked=walked,
        skipped=skipped,
        progress=progress,
    )
    embedder = Embedder(backbone, centre=job.centre)
    reader = read_records(
        job.todo(records),
        backbone.input_size,
        workers=workers or os.cpu_count() or 1,
        prefetch=4 * batch_size,
        view=backbone.view,
        centre=job.centre,
    )
    with job.writer() as writer:
        for batch in batches(reader, batch_size):
            vectors = embedder.embed(
                batch.items, skip=writer.embedded, skip_centre=writer.centre_done
            )
            writer.write(batch, vectors)
            job.wrote(len(batch.items))
    return job.finish()
