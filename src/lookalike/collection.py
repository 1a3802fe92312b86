"""The Collection: the one façade that wires sources, imaging, models, store, search and
analysis together. Each method checks its arguments and delegates to a layer, or, where
the work goes through several layers, to the function of the same name in
:mod:`lookalike._collection`.

Longer than 400 lines on purpose: it is the one class users call, every public
operation with its docstring and argument checks, and nothing else (the bodies live in
``_collection/``). Cutting the class into mixins would scatter the reference a reader
(and ``help(Collection)``) needs in one place."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from lookalike import analysis, imaging, models, search, sources
from lookalike._collection import clusters as _clusters
from lookalike._collection import duplicates as _duplicates
from lookalike._collection import graph as _graph
from lookalike._collection import knn_graph as _knn_graph
from lookalike._collection import map as _map
from lookalike._collection import neighbors as _neighbors
from lookalike._collection import path as _path
from lookalike._collection import thresholds as _thresholds
from lookalike._progress import progress_bar, progress_setting, status
from lookalike._uris import display
from lookalike._validation import check_choice, check_int, check_real
from lookalike.errors import ImageDecodeError, LookalikeError
from lookalike.pipeline import IndexReport, collection_backbone, index_records, repair_store
from lookalike.search import KnnIndex
from lookalike.store import Embeddings, ImageRow, SavedResults, Store, ThumbnailCache
from lookalike.store.health import Health, check_store
from lookalike.store.info import CollectionInfo, catalog_version, collection_info
from lookalike.store.labels import LabelledPair, LabelStore
from lookalike.store.lookup import find_image
from lookalike.store.reducing import ReduceReport, check_reduction, reduce_vectors

__all__ = ["Collection", "CollectionInfo", "create", "open", "remote_graph"]

PathLike = str | os.PathLike


class Collection:
    """A collection of images on disk, with their vectors and what is computed from them.

    Open one with :func:`lookalike.open` or make one with :func:`lookalike.create`.

    Examples
    --------
    A literal block (it needs photos; a doctest always skipped tests nothing)::

        col = lookalike.create("my-col")
        col.index("./photos")
        col.neighbors("3fa4c1d2e5b6", k=9)
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._indexes: dict[str, tuple[Embeddings, KnnIndex]] = {}
        self._saved = SavedResults(store.path)
        self.thumbs = ThumbnailCache(store.path / "thumbs")
        self._bound_model: str | None = None  # set by lookalike.open(path, model=...)

    def __repr__(self) -> str:
        counts = self._store.catalog.counts()
        return f"<Collection {str(self.root)!r}: {counts['ok']} images, models {self.models}>"

    @property
    def root(self) -> Path:
        return self._store.path

    @property
    def save_results(self) -> bool:
        """Whether clusters, maps and kNN graphs computed here are saved under
        ``index/`` (default True). A read-only server sets it False: results saved
        before are still read, new ones are only kept in memory."""
        return self._saved.writable

    @save_results.setter
    def save_results(self, value: bool) -> None:
        self._saved.writable = bool(value)

    @property
    def models(self) -> list[str]:
        """Names of the models that have vectors here, oldest first (not the vectors of
        views such as ``<model>-grey-centre``, which only serve a model's duplicate scores)."""
        return [name for name, _ in self._store.catalog.models() if not models.is_view(name)]

    def _model(self, model: str | None) -> str:
        """The canonical model name: ``model``, else the model bound by ``open``, else the
        collection's first, else the default."""
        model = self._bound_model if model is None else model
        if model is not None:
            stored = [name for name, _ in self._store.catalog.models()]
            return models.resolve(model) if model not in stored else model
        return self.models[0] if self.models else models.DEFAULT_MODEL

    # -- indexing ------------------------------------------------------------------
    def index(
        self,
        source: PathLike | Iterable[PathLike],
        *,
        model: str | None = None,
        batch_size: int = 32,
        workers: int | None = None,
        progress: bool | None = None,
        engine: str = "local",
        ray_address: str | None = None,
        ray_actors: int | None = None,
        ray_cpus: float = 1.0,
        ray_gpus: float = 0.0,
        reduce: int | None = None,
        float16: bool = False,
    ) -> IndexReport:
        """Add the images of ``source`` (folder, list file, Parquet file of paths or URLs,
        image file or paths) and embed them with ``model``; unchanged files and known
        contents are not embedded again.

        ``engine="ray"`` reads and embeds on a Ray cluster (``pip install
        "lookalike[ray]"``): a new local one, or ``ray_address`` (``"auto"``,
        ``"ray://head:10001"``), with ``ray_actors`` model copies of ``ray_cpus`` CPUs and
        ``ray_gpus`` GPUs each and ``workers`` decoding threads (default: its CPUs); the
        vectors land here, as with the local engine.

        ``reduce`` and ``float16``: then keep the model's vectors reduced, as
        :meth:`reduce` does (checked before any image is read).

        Returns an :class:`IndexReport`; bad images are listed in ``report.failed`` and
        in :meth:`info`, never raised.
        """
        check_int(batch_size, "batch_size", "Collection.index", low=1, high=4096)
        if workers is not None:
            check_int(workers, "workers", "Collection.index", low=1, high=256)
        check_choice(engine, "engine", "Collection.index", ("local", "ray"))
        if ray_actors is not None:
            check_int(ray_actors, "ray_actors", "Collection.index", low=1, high=100_000)
        check_real(ray_cpus, "ray_cpus", "Collection.index", low=0.0, high=1024.0)
        check_real(ray_gpus, "ray_gpus", "Collection.index", low=0.0, high=64.0)
        if reduce is not None:
            check_int(reduce, "reduce", "Collection.index", low=1)
        if engine == "ray":
            from lookalike.pipeline.ray import index_records_ray, require_ray

            require_ray()  # before anything else: without Ray, one line says what to do
        started = time.perf_counter()
        with progress_setting(progress):  # the model's first export shows, or not, alike
            backbone = self._backbone(model)
        check_reduction(self._store, backbone.name, reduce, _registered_dim(backbone.name))
        model_seconds = time.perf_counter() - started
        skipped: list[tuple[str, str]] = []  # what a folder's walk leaves out, and why
        records = sources.records_from(source, skipped=lambda *entry: skipped.append(entry))
        label = display(os.fsdecode(source)) if isinstance(source, str | os.PathLike) else "paths"
        if engine == "ray":
            with (
                progress_setting(progress),
                progress_bar(progress, f"indexing {label} on Ray") as bar,
            ):
                report = index_records_ray(
                    self._store,
                    records,
                    backbone,
                    spec=models.spec_of(backbone.name) or backbone.name,
                    source=label,
                    batch_size=batch_size,
                    address=ray_address,
                    actors=ray_actors,
                    num_cpus=ray_cpus,
                    num_gpus=ray_gpus,
                    workers=workers,
                    progress=bar,
                    walked=sources.local_folder(source),
                    skipped=skipped,
                )
            report.model_seconds = model_seconds
            self._indexes.pop(backbone.name, None)
            self._reduce_after_index(backbone.name, reduce, float16, progress)
            return report
        with progress_setting(progress), progress_bar(progress, f"indexing {label}") as bar:
            report = index_records(
                self._store,
                records,
                backbone,
                source=label,
                batch_size=batch_size,
                workers=workers,
                progress=bar,
                spec=models.spec_of(backbone.name),
                walked=sources.local_folder(source),
                skipped=skipped,
            )
        report.model_seconds = model_seconds
        self._indexes.pop(backbone.name, None)
        self._reduce_after_index(backbone.name, reduce, float16, progress)
        return report

    def _reduce_after_index(self, model: str, dims, float16: bool, progress) -> None:
        """``index(reduce=, float16=)``: reduce once the vectors are in (a PCA is learned
        on them); a collection kept so already encodes new vectors as it commits them."""
        if (dims is not None or float16) and model in dict(self._store.catalog.models()):
            self.reduce(dims, float16=float16, model=model, progress=progress)

    def reduce(
        self,
        dims: int | None = None,
        *,
        float16: bool = False,
        model: str | None = None,
        sample: int = 20_000,
        progress: bool | None = None,
    ) -> ReduceReport:
        """Keep ``model``'s vectors (and its centre views') smaller: projected by PCA to
        ``dims`` dimensions, learned on ``sample`` of them (centred, then re-normalised),
        and/or in ``float16``. Every search works on them as before; vectors indexed
        later, and outside query images, are projected the same way. Crash-safe: a
        process killed mid-way leaves the old vectors. See docs/reduced.md.

        Raises
        ------
        ValueError
            Neither ``dims`` nor ``float16``, or ``dims`` not within 1..the stored dim.
        """
        if dims is None and not float16:
            raise ValueError("Collection.reduce: give dims (a PCA) and/or float16=True.")
        if dims is not None:
            check_int(dims, "dims", "Collection.reduce", low=1)
        check_int(sample, "sample", "Collection.reduce", low=1)
        name = self._model(model)
        report = reduce_vectors(
            self._store, name, dims=dims, float16=float16, sample=sample, progress=progress
        )
        self._indexes.pop(name, None)
        return report

    def add(self, paths: Iterable[PathLike], **kwargs: Any) -> IndexReport:
        """Index more image files (same options as :meth:`index`)."""
        return self.index([Path(p) for p in paths], **kwargs)

    # -- reading -------------------------------------------------------------------
    def info(self) -> CollectionInfo:
        """Counts, models, failed images, and the images whose vectors were lost."""
        uris = None
        damaged: dict[str, list[tuple[str, str, str]]] = {}
        for d in self._store.damage():
            uris = uris or {r.id: r.uri for r in self._store.catalog.images()}
            damaged.setdefault(d.model, []).append((d.image_id, uris.get(d.image_id, ""), d.reason))
        return collection_info(self._store.catalog, self.root, damaged, models=self.models)

    def check(self, *, repair: bool = False) -> Health:
        """Whether the catalog is sound and every vector it names is on disk; with
        ``repair``, embed lost vectors again from their files and remove files left by
        writers that died (waits for a running ``index``). ``.ok`` says healthy."""
        health = repair_store(self._store) if repair else check_store(self._store)
        if repair:
            self._indexes.clear()
        return health

    def images(self, *, status: str | None = None):
        """Every image as a pandas DataFrame (id, uri, size, status, error, ...)."""
        import pandas as pd

        rows = self._store.catalog.images(status=status)
        return pd.DataFrame([r.__dict__ for r in rows])

    def image(self, key: str | PathLike) -> ImageRow:
        """The catalog row of an image given by id, path, or unique id prefix.

        Raises
        ------
        ImageNotFound
        """
        return find_image(self._store, key)

    def embeddings(self, model: str | None = None) -> Embeddings:
        """The vectors of ``model`` (ids + float32 matrix, memory-mapped)."""
        return self._store.embeddings(self._model(model))

    def knn_index(self, model: str | None = None) -> KnnIndex:
        """The search index over ``model``'s vectors (built once, reused)."""
        name = self._model(model)
        emb = self.embeddings(name)  # new vectors (another process indexed): a new index
        built = self._indexes.get(name)
        if built is None or built[0] is not emb:
            index = search.choose_index(emb.vectors, task="neighbors")
            built = self._indexes[name] = (emb, index)
        return built[1]

    def thumbnail(self, image: str, size: int = 256) -> Image.Image:
        """A cached thumbnail of ``image`` that fits in ``size x size``."""
        row = self.image(image)
        return self.thumbs.get(row.content_hash or row.id, row.uri, size)

    def embed_file(self, path: PathLike | bytes, model: str | None = None) -> np.ndarray:
        """The vector of an image outside the collection (a path or the file's bytes), as
        the collection keeps ``model``'s vectors (projected, if they were reduced)."""
        backbone = self._backbone(model)
        try:
            pixels, _ = imaging.load_for_model(path, backbone.input_size)
        except ImageDecodeError as err:
            if isinstance(path, bytes | bytearray):
                raise
            raise ImageDecodeError(f"Cannot read {os.fspath(path)!r}: {err}") from None
        # As the collection keeps the model's vectors (reduced by PCA, if it was).
        return self._store.project(backbone.name, backbone.embed(pixels[None]))[0]

    # -- neighbours ----------------------------------------------------------------
    def neighbors(
        self,
        image: str | None = None,
        *,
        query: PathLike | bytes | None = None,
        k: int = 9,
        model: str | None = None,
    ) -> analysis.Neighbors:
        """The ``k`` most similar images to ``image`` (an id or path in the collection)
        or to ``query`` (an outside image file), best first, with cosine scores."""
        if (image is None) == (query is None):
            raise ValueError("Give exactly one of 'image' (an id or path) or 'query' (a file).")
        k = check_int(k, "k", "Collection.neighbors", low=1, high=10_000)
        emb = self.embeddings(model)
        vector = None if query is None else self.embed_file(query, emb.model)
        return _neighbors.neighbors(
            self._store, emb, self.knn_index(emb.model), image, query, vector, k
        )

    def show_neighbors(
        self,
        image: str | analysis.Neighbors | None = None,
        *,
        query: PathLike | None = None,
        k: int = 9,
        model: str | None = None,
        ncols: int = 5,
        result: analysis.Neighbors | None = None,
    ):
        """A matplotlib grid: the query first (framed), then its neighbours with scores.
        ``result`` draws neighbours already found (by :meth:`neighbors`) instead of
        searching again; the query is then ``image``, ``query`` or, given neither, the
        collection image ``result`` is the neighbours of."""
        if isinstance(image, analysis.Neighbors):  # col.show_neighbors(col.neighbors(...))
            image, result = None, image
        if result is None:
            result = self.neighbors(image, query=query, k=k, model=model)
        return _neighbors.show_neighbors(self._store, self.thumbnail, result, image, query, ncols)

    # -- near-duplicates -------------------------------------------------------------
    def duplicates(
        self,
        threshold: float | str | None = None,
        *,
        strict: bool = False,
        exact: bool | None = None,
        scoring: str = "centre",
        model: str | None = None,
        embed_views: bool = True,
        verify: bool = True,
    ) -> analysis.Duplicates:
        """Pairs of images scoring ``>= threshold`` (default 0.78) and duplicate sets.

        ``scoring="centre"`` (default) is the mean of the root scores of the whole
        pictures and of their centre views (borders trimmed, the middle 70%): one more
        embedding per image, computed once, the first time (``embed_views=False``
        computes none: the whole picture stands in, with a note). ``"root"`` is the
        cosine of power-normalised vectors, ``"cosine"`` the plain cosine.
        ``strict`` splits chains so that every member of a set is close to its medoid;
        ``exact`` forces exact (True) or approximate (False) search (default: by size).
        ``.to_frame()`` gives the pairs, ``.groups_frame()`` the sets as DataFrames.
        ``threshold="auto"`` estimates the collection's own (:meth:`auto_threshold`;
        the estimate is in the result's ``notes``).
        ``verify`` (default) checks the geometry of the pairs scoring from 0.02 below to
        0.12 above the threshold on the images themselves (read again; see
        :mod:`lookalike.matching`): a pair whose pictures overlap only in part is
        dropped, a pair one picture of which maps inside the other is kept from 0.02
        below the threshold (``verified`` in ``to_frame()``); ``verify=False`` uses the
        scores alone.
        """
        where = "Collection.duplicates"
        check_choice(scoring, "scoring", where, analysis.SCORINGS)
        if isinstance(threshold, str) and threshold.strip().lower() == "auto":
            est = self.auto_threshold(scoring=scoring, model=model, embed_views=embed_views)
            found = _duplicates.duplicates(
                self._store,
                self.embeddings(model),
                est.threshold,
                strict,
                exact,
                scoring,
                embed_views,
                verify,
            )
            return replace(found, notes=[*found.notes, str(est)])
        t = analysis.DEFAULT_THRESHOLD if threshold is None else threshold
        t = check_real(t, "threshold", where, low=-1, high=1)
        emb = self.embeddings(model)
        return _duplicates.duplicates(
            self._store, emb, t, strict, exact, scoring, embed_views, verify
        )

    def auto_threshold(
        self,
        *,
        scoring: str = "centre",
        model: str | None = None,
        sample: int = 40,
        seed: int = 0,
        embed_views: bool = True,
        progress: bool | None = None,
    ) -> analysis.ThresholdEstimate:
        """The duplicate threshold estimated from the collection's own images, no labels
        needed: ``sample`` images are copied synthetically (resized, cropped,
        re-compressed, recoloured, captioned over) and embedded, which gives the scores
        of true copies; the nearest-neighbour scores of the collection, a mixture of
        copies and distinct pictures, give the rest (see
        :func:`lookalike.analysis.auto_threshold`). Pairs labelled with
        :meth:`label_pairs` join the evidence. The result prints the threshold with its
        expected precision and recall; ``lookalike.figures.thresholds`` draws it."""
        where = "Collection.auto_threshold"
        check_choice(scoring, "scoring", where, analysis.SCORINGS)
        sample = check_int(sample, "sample", where, low=1, high=10_000)
        emb = self.embeddings(model)
        return _thresholds.auto_threshold(
            self._store, emb, scoring, sample, seed, embed_views, progress
        )

    def show_auto_threshold(self, estimate: analysis.ThresholdEstimate | None = None, **kwargs):
        """A figure of the evidence behind :meth:`auto_threshold` (``estimate``, or one
        computed with ``kwargs``): both score distributions and the threshold."""
        return _thresholds.show_auto_threshold(estimate or self.auto_threshold(**kwargs))

    def exact_duplicates(self):
        """Identical files (same bytes) and identical decoded pixels, found without any
        model: a DataFrame with columns group, kind ("file"/"pixels"), id, uri."""
        return _duplicates.exact_duplicates(self._store)

    def dedup(
        self,
        threshold: float | str | None = None,
        *,
        keep: str = "largest",
        keep_ids: Iterable[str] = (),
        exact_only: bool = False,
        strict: bool = False,
        scoring: str = "centre",
        model: str | None = None,
        move_removed_to: PathLike | None = None,
        embed_views: bool = True,
        verify: bool = True,
    ) -> analysis.DedupPlan:
        """Decide which image of each duplicate set stays (``keep``: largest,
        largest-file, oldest, first-path, list). Returns the kept ids with the decisions.
        No file is touched unless ``move_removed_to`` names a folder: the removed files
        are then moved there (never deleted) and the catalog follows them.
        ``threshold`` (a score or ``"auto"``), ``scoring``, ``embed_views`` and
        ``verify`` as in :meth:`duplicates`."""
        check_choice(keep, "keep", "Collection.dedup", analysis.KEEP_POLICIES)
        find = {
            "strict": strict,
            "scoring": scoring,
            "model": model,
            "embed_views": embed_views,
            "verify": verify,
        }
        wanted = [self.image(k).id for k in keep_ids]
        if exact_only:
            groups = _duplicates.exact_groups(self._store)
        else:
            groups = self.duplicates(threshold, **find).groups
        return _duplicates.dedup(self._store, groups, keep, wanted, move_removed_to)

    def pair_score(
        self, a: str, b: str, *, scoring: str = "centre", model: str | None = None
    ) -> float:
        """The duplicate score (``scoring``: centre, root or cosine) of two images."""
        check_choice(scoring, "scoring", "Collection.pair_score", analysis.SCORINGS)
        return _duplicates.pair_score(self._store, self.embeddings(model), a, b, scoring)

    def show_pair(self, a: str, b: str, *, scoring: str = "centre", model: str | None = None):
        """The two images side by side, with their ids and their duplicate score."""
        check_choice(scoring, "scoring", "Collection.show_pair", analysis.SCORINGS)
        emb = self.embeddings(model)
        return _duplicates.show_pair(self._store, self.thumbnail, emb, a, b, scoring)

    def show_threshold_bands(
        self,
        bands: Iterable[float] = analysis.DEFAULT_BANDS,
        *,
        per_band: int = 4,
        scoring: str = "centre",
        model: str | None = None,
        seed: int = 0,
    ):
        """A contact sheet of pairs sampled per similarity band, with their scores: look
        at it to choose a duplicate threshold."""
        where = "Collection.show_threshold_bands"
        bands = sorted(check_real(b, "bands", where, low=-1, high=1) for b in bands)
        per_band = check_int(per_band, "per_band", where, low=1, high=20)
        check_choice(scoring, "scoring", where, analysis.SCORINGS)
        emb = self.embeddings(model)
        return _duplicates.show_threshold_bands(
            self._store, self.thumbnail, emb, bands, per_band, scoring, seed
        )

    def label_pairs(self, pairs: Iterable[tuple[str, str, bool]], *, source: str = "") -> None:
        """Store pairs labelled same (True) or different (False) for :meth:`calibrate`."""
        pairs = [(self.image(a).id, self.image(b).id, bool(same)) for a, b, same in pairs]
        LabelStore(self._store.catalog).add(pairs, source=source)

    def calibrate(
        self,
        labels: PathLike | None = None,
        *,
        target_precision: float | None = None,
        scoring: str = "centre",
        model: str | None = None,
        embed_views: bool = True,
    ) -> analysis.Calibration:
        """The threshold that maximises F1 (or reaches ``target_precision``) on pairs
        labelled same/different: from a CSV (a, b, label) or the collection's labels.
        ``scoring`` and ``embed_views`` as in :meth:`duplicates` (only the labelled
        images need centre views)."""
        where = "Collection.calibrate"
        if target_precision is not None:
            check_real(target_precision, "target_precision", where, low=0, high=1, closed="right")
        check_choice(scoring, "scoring", where, analysis.SCORINGS)
        emb = self.embeddings(model)
        return _duplicates.calibrate(
            self._store, emb, labels, target_precision, scoring, embed_views
        )

    # -- similarity graphs and paths -----------------------------------------------
    def graph(
        self,
        seed: str | None = None,
        *,
        depth: int = 2,
        k: int = 5,
        all: bool = False,
        mutual: bool = False,
        model: str | None = None,
        max_nodes: int = 10_000,
    ):
        """The graph of images similar to ``seed``, grown breadth-first ``depth`` levels
        with ``k`` neighbours per image (see :func:`lookalike.analysis.expand_seed`), or
        with ``all=True`` the kNN graph of the whole collection. Returns a
        ``networkx.Graph``: node attributes ``path`` (and ``depth``), edge attribute
        ``similarity``."""
        if all == (seed is not None):
            raise ValueError("Give either a 'seed' image or all=True, not both or neither.")
        emb = self.embeddings(model)
        k = self._check_graph_k(k, len(emb), "Collection.graph")
        check_int(depth, "depth", "Collection.graph", low=0)
        whole = self.knn_graph(k, mutual=mutual, model=emb.model) if all else None
        index = None if all else self.knn_index(emb.model)
        return _graph.graph(self._store, emb, seed, depth, k, whole, index, max_nodes)

    @staticmethod
    def _check_graph_k(k: object, n_images: int, where: str) -> int:
        k = check_int(k, "k", where, low=1, high=1000)
        if k >= n_images:
            raise ValueError(f"k={k} should be < n_images={n_images}.")
        return k

    def knn_graph(
        self, k: int = 10, *, mutual: bool = False, model: str | None = None
    ) -> analysis.KnnGraph:
        """The kNN graph of the whole collection, its islands bridged by a spanning tree;
        built once per model and ``k``, saved under ``index/<model>/``, rebuilt when the
        vectors change."""
        emb = self.embeddings(model)
        k = self._check_graph_k(k, len(emb), "Collection.knn_graph")
        return _knn_graph.knn_graph(self._saved, self.root, emb, k, mutual)

    def path(
        self,
        a: str,
        b: str,
        *,
        method: str = "shortest",
        steps: int | None = None,
        k: int = 10,
        model: str | None = None,
    ) -> analysis.ImagePath:
        """The chain of similar images from ``a`` to ``b`` over the collection's kNN
        graph: ``method`` "shortest" (least total distance), "fewest" (steps) or
        "smooth" (smallest largest step); ``steps`` caps the number of steps."""
        check_choice(method, "method", "Collection.path", analysis.paths.METHODS)
        if steps is not None:
            check_int(steps, "steps", "Collection.path", low=1, high=analysis.paths.MAX_STEPS)
        ra, rb = self.image(a), self.image(b)
        if ra.id == rb.id:
            raise ValueError(f"A and B are the same image ({ra.id!r}): give two different images.")
        graph = self.knn_graph(k, model=model)  # built (and saved) under its own status line
        return _path.path(self._store, graph, ra, rb, method, steps)

    def show_graph(self, g, *, thumbnails: bool = True, size: int = 128):
        """Draw a graph from :meth:`graph`: spring layout, thumbnails on the nodes, the
        seed framed, edges shaded by similarity."""
        return _graph.show_graph(g, self.thumbnail, thumbnails, size)

    def show_path(self, a, b: str | None = None, **kwargs: Any):
        """Draw a path (an :class:`ImagePath`, or the ids ``a`` and ``b`` and the
        options of :meth:`path`) as a strip of images with each step's similarity."""
        p = a if isinstance(a, analysis.ImagePath) else self.path(a, b, **kwargs)
        return _path.show_path(self._store, self.thumbnail, p)

    # -- clusters, maps and model comparison ----------------------------------------
    def clusters(
        self, k: int = 10, *, model: str | None = None, random_state: int | None = 0
    ) -> analysis.Clusters:
        """k-medoids clusters on cosine distance (FasterPAM; sampled, CLARA-style, above
        30k images): labels, medoid ids, sizes. Saved in the collection and reused until
        the vectors change."""
        k = check_int(k, "k", "Collection.clusters", low=1)
        emb = self.embeddings(model)
        if k > len(emb):
            raise ValueError(f"k={k} should be <= n_images={len(emb)}.")
        return _clusters.clusters(self._saved, emb, k, random_state)

    def scan_k(
        self,
        ks: Iterable[int] = range(2, 31),
        *,
        model: str | None = None,
        random_state: int | None = 0,
    ) -> analysis.KScan:
        """k-medoids for every k in ``ks``: inertia, distortion and silhouette per k, and
        the suggested k (the kneedle elbow of the inertia curve). Saved like clusters."""
        ks = [check_int(k, "ks", "Collection.scan_k", low=1) for k in ks]
        return _clusters.scan_k(self._saved, self.embeddings(model), ks, random_state)

    def show_elbow(
        self,
        ks: Iterable[int] = range(2, 31),
        *,
        model: str | None = None,
        random_state: int | None = 0,
        result: analysis.KScan | None = None,
    ):
        """The k-selection figure: inertia, distortion and silhouette against k (of the
        scan ``result`` if given, else of :meth:`scan_k`)."""
        if result is None:
            result = self.scan_k(ks, model=model, random_state=random_state)
        return _clusters.show_elbow(result, self.root.name, self._model(model))

    def show_representatives(
        self,
        k: int = 10,
        *,
        model: str | None = None,
        random_state: int | None = 0,
        ncols: int | None = None,
        result: analysis.Clusters | None = None,
    ):
        """The medoid of every cluster in a grid (largest cluster first; at most 5 a row
        unless ``ncols``), named by title or file name, with its cluster's size; of the
        clusters ``result`` if given, else of :meth:`clusters`."""
        if result is None:
            result = self.clusters(k, model=model, random_state=random_state)
        return _clusters.show_representatives(
            self._store, self.thumbnail, result, self.root.name, ncols
        )

    def show_neighborhood(
        self,
        image: str,
        *,
        k: int = 10,
        n: int = 15,
        model: str | None = None,
        random_state: int | None = 0,
        result: analysis.Clusters | None = None,
    ):
        """``image`` (e.g. a medoid, framed) and the ``n - 1`` members of its cluster most
        similar to it, with cosine scores; the clusters ``result`` if given, else
        :meth:`clusters`."""
        n = check_int(n, "n", "Collection.show_neighborhood", low=1, high=1000)
        if result is None:
            result = self.clusters(k, model=model, random_state=random_state)
        emb = self.embeddings(model)
        return _clusters.show_neighborhood(self._store, self.thumbnail, result, emb, image, n)

    def map(
        self, method: str = "umap", *, model: str | None = None, random_state: int | None = 0
    ) -> analysis.Projection:
        """2-D coordinates of every image (``"pca"``, ``"tsne"`` or ``"umap"``), cached per
        model and method."""
        method = check_choice(method, "method", "Collection.map", analysis.maps.METHODS)
        return _map.map(self._saved, self.embeddings(model), method, random_state)

    def show_map(
        self,
        method: str = "umap",
        *,
        model: str | None = None,
        atlas: bool = True,
        clusters: int | None = None,
        highlight: str | None = None,
        neighbors: int = 0,
        cells: int | None = None,
        spread: bool = True,
        random_state: int | None = 0,
        result: analysis.Projection | None = None,
    ):
        """The map (``result`` if given, else :meth:`map`) as an image atlas (thumbnails
        snapped to a ``cells x cells`` grid) or as points; coloured by ``clusters`` (k) if
        given; ``highlight`` an image (black star) and its ``neighbors`` nearest images
        (red). ``spread`` lays the atlas out by rank along each axis
        (:func:`lookalike.analysis.equalize`) so that clumps and outliers do not leave it
        empty."""
        neighbors = check_int(neighbors, "neighbors", "Collection.show_map", low=0, high=10_000)
        if atlas and cells is not None:
            cells = check_int(cells, "cells", "Collection.show_map", low=1, high=200)
        if result is None:
            result = self.map(method, model=model, random_state=random_state)
        emb = self.embeddings(result.model)
        labels = None
        if clusters is not None:
            labels = self.clusters(clusters, model=emb.model, random_state=random_state).labels
        index = self.knn_index(emb.model) if highlight is not None and neighbors else None
        return _map.show_map(
            self._store,
            self.thumbnail,
            result,
            emb,
            labels,
            highlight,
            index,
            neighbors,
            atlas,
            cells,
            spread,
            self.root.name,
        )

    def compare_models(self, model_a: str, model_b: str, *, k: int = 4) -> analysis.ModelComparison:
        """For the images both models embedded: how many of each image's ``k`` nearest
        neighbours the two models share; ``.table`` counts k, k-1, ..., 0, and
        ``.per_image()`` drills down."""
        k = check_int(k, "k", "Collection.compare_models", low=1)
        ea, eb = self.embeddings(model_a), self.embeddings(model_b)
        with status(f"comparing the {k} nearest neighbours of {ea.model} and {eb.model}"):
            return analysis.compare_models(
                ea.ids, ea.vectors, eb.ids, eb.vectors, k=k, model_a=ea.model, model_b=eb.model
            )

    # -- more models and sources -------------------------------------------------------
    def import_vectors(
        self,
        path: PathLike,
        *,
        model: str,
        ids: PathLike | None = None,
        id_column: str = "id",
        vector_column: str = "vector",
    ):
        """Import vectors computed elsewhere as ``model``: ``.npy`` (+ ``ids``), Parquet,
        or a pickled ``{image_path: vector}`` dict; all or nothing (see
        :mod:`lookalike.pipeline.imports`). Returns an
        :class:`~lookalike.pipeline.imports.ImportReport`.
        """
        from lookalike.models.precomputed import read_vectors
        from lookalike.pipeline.imports import import_vectors

        data = read_vectors(path, ids=ids, id_column=id_column, vector_column=vector_column)
        report = import_vectors(self._store, data, model, expected_dim=_registered_dim(model))
        self._indexes.pop(model, None)
        return report

    # -- what presenters need (the CLI and the server import nothing below this) ------
    @property
    def default_model(self) -> str:
        """The model that answers when a method is given none: the one bound by
        ``open(path, model=...)`` or set here, else the collection's first model."""
        return self._model(None)

    @default_model.setter
    def default_model(self, model: str | None) -> None:
        self._bound_model = model

    @property
    def version(self) -> tuple:
        """Changes when images are indexed (counts, models, runs): a key for caches."""
        return catalog_version(self._store.catalog, self.models)

    def image_rows(self, *, status: str | None = "ok") -> list[ImageRow]:
        """Every image's catalog row (``ImageRow``), in catalog order."""
        return self._store.catalog.images(status=status)

    def labels(self) -> list[LabelledPair]:
        """The pairs labelled same/different (see :meth:`label_pairs`)."""
        return LabelStore(self._store.catalog).all()

    def cluster_members(
        self, clusters: analysis.Clusters, cluster: int, *, model: str | None = None
    ) -> list[tuple[str, float]]:
        """``(id, score)`` of every member of ``cluster``: its medoid first, then by
        cosine similarity to it."""
        row, size = int(clusters.medoids[cluster]), int(clusters.sizes[cluster])
        vectors = self.embeddings(model).vectors
        rows, scores = analysis.cluster_neighborhood(vectors, clusters, row, size)
        return [(str(clusters.ids[r]), float(s)) for r, s in zip(rows, scores, strict=True)]

    def all_neighbors(self, k: int, *, model: str | None = None) -> analysis.NeighborTable:
        """Every image's ``k`` most similar other images: one blockwise self-search."""
        emb = self.embeddings(model)
        return analysis.all_neighbors(self.knn_index(emb.model), emb.vectors, emb.ids, k)

    def _backbone(self, model: str | None) -> models.Backbone:
        """The backbone that embeds new images as ``model``, built again from the spec
        the collection recorded for it (imported vectors have none)."""
        return collection_backbone(self._store.catalog, self._model(model))


def _registered_dim(name: str) -> int | None:
    """The dimension of a model the registry knows, or None (unknown model, or a dimension
    known only once the model is loaded)."""
    try:
        canonical = models.resolve(name)
    except LookalikeError:
        return None
    return {m.name: m.dim for m in models.list_models()}[canonical] or None


def create(path: PathLike) -> Collection:
    """Create a collection directory at ``path`` (or open the one already there)."""
    return Collection(Store.create(path))


def open(
    path: PathLike, *, model: str | None = None
) -> Collection:  # mirrors lookalike.open("my-col"), shadowing the builtin on purpose
    """Open the collection at ``path``; ``model`` answers every method given no model
    (default: the collection's first model).

    Raises
    ------
    CollectionNotFound
    """
    col = Collection(Store.open(path))
    col.default_model = model
    return col


def remote_graph(url: str, seed: str, *, depth: int = 2, k: int = 5):
    """The graph grown from ``seed`` through a remote catalogue images API at ``url``
    (as :meth:`Collection.graph`; node ``path`` attributes are picture URLs)."""
    from lookalike.sources.catalogue import CatalogueClient

    what = f"growing the graph from {seed} through {url} ({depth} levels)"
    with CatalogueClient(url) as client, status(what):
        return analysis.seed_graph(client.similar, seed, depth=depth, k=k, paths=client.picture_url)
