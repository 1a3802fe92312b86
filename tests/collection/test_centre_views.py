"""The centre-view vectors behind the default duplicate score, through a real collection
(the test-pixels descriptor): made by indexing from the same decode, stored under their
own name, incremental; and, for a collection indexed without them, computed once when
first asked for, with the fall-backs and their notes. The real model's scores:
test_centre_scores_real_model.py; one decode per image: test_one_pass_views.py.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import ImageOps

import lookalike
from lookalike.models import get_backbone
from lookalike.pipeline import index_records
from lookalike.pipeline.views import centre_vectors
from lookalike.sources import records_from
from tests.conftest import skimage_photo

MODEL = "test-pixels"
CENTRE = "test-pixels-grey-centre"


@pytest.fixture()
def photos(tmp_path, photos_dir):
    root = tmp_path / "photos"
    shutil.copytree(photos_dir, root)
    return root


@pytest.fixture()
def col(tmp_path, photos):
    c = lookalike.create(tmp_path / "col")
    c.index(photos, model=MODEL, progress=False)
    return c


@pytest.fixture()
def lazy_col(tmp_path, photos):
    """A collection indexed without centre views (as collections made before they were
    embedded at index time): the first duplicate score computes them."""
    c = lookalike.create(tmp_path / "lazy")
    index_records(c._store, records_from(photos), get_backbone(MODEL), views=False)
    return c


def centre_runs(col) -> list[dict]:
    return [r for r in col._store.catalog.runs() if r["model"] == CENTRE]


def test_indexing_stores_the_centre_views_under_their_own_name(col, photos, tmp_path):
    emb, centre = col.embeddings(), col.embeddings(CENTRE)
    assert list(centre.ids) == list(emb.ids) and col.models == [MODEL]
    assert not centre_runs(col)  # from the indexing pass itself: no run of their own
    found = col.duplicates(verify=False)
    assert found.method == "exact, centre scores" and found.notes == []
    assert not centre_runs(col) and col.embeddings(CENTRE).ids.tolist() == centre.ids.tolist()
    # the same vectors as the pass over the files that computed them before
    lazy = lookalike.create(tmp_path / "lazy")
    index_records(lazy._store, records_from(photos), get_backbone(MODEL), views=False)
    lazy.duplicates()
    by_id = lazy.embeddings(CENTRE).positions()
    rows = [by_id[i] for i in centre.ids]
    np.testing.assert_allclose(lazy.embeddings(CENTRE).vectors[rows], centre.vectors, atol=1e-6)
    # an added image gets its centre view when it is indexed
    extra = tmp_path / "coffee_framed.jpg"
    ImageOps.expand(skimage_photo("coffee"), border=40, fill="white").save(extra)
    report = col.add([extra], model=MODEL, progress=False)
    assert report.views_embedded == 1
    assert len(col.embeddings(CENTRE)) == len(col.embeddings()) == len(emb) + 1
    assert not centre_runs(col)


def test_centre_views_are_stored_under_their_own_name_and_computed_once(lazy_col):
    col = lazy_col
    found = col.duplicates(verify=False)
    assert found.method == "exact, centre scores" and found.notes == []
    assert col.models == [MODEL] and col._model(None) == MODEL  # a view is no model
    emb, centre = col.embeddings(), col.embeddings(CENTRE)
    assert list(centre.ids) == list(emb.ids) and centre.dim == emb.dim
    assert list((col.root / "vectors" / CENTRE).glob("*.npy"))
    assert not np.allclose(centre.vectors, emb.vectors)  # another picture: the middle
    runs = centre_runs(col)
    assert len(runs) == 1 and runs[0]["n_embedded"] == len(emb)
    again = col.duplicates()
    assert len(centre_runs(col)) == 1  # nothing embedded the second time
    assert again.pairs[["a", "b"]].values.tolist() == found.pairs[["a", "b"]].values.tolist()
    views = centre_vectors(col._store, emb)
    assert views.vectors is col.embeddings(CENTRE).vectors  # the memory map, no copy
    assert col.images()["status"].eq("ok").all()  # the catalog rows are untouched


def test_new_images_get_their_centre_view_on_the_next_call_only(lazy_col, tmp_path):
    col = lazy_col
    col.duplicates()
    extra = tmp_path / "coffee_framed.jpg"
    ImageOps.expand(skimage_photo("coffee"), border=40, fill="white").save(extra)
    index_records(col._store, records_from([extra]), get_backbone(MODEL), views=False)
    assert len(col.embeddings(CENTRE)) == len(col.embeddings()) - 1
    col.pair_score(col.image(extra).id, col.image(extra).id)  # only the image asked for
    runs = centre_runs(col)
    assert len(runs) == 2 and runs[-1]["n_embedded"] == 1
    col.duplicates()
    assert len(centre_runs(col)) == 2 and len(col.embeddings(CENTRE)) == len(col.embeddings())


def test_a_missing_file_falls_back_to_the_whole_picture_with_a_note(lazy_col, photos):
    col = lazy_col
    gone = col.image(photos / "rocket_crop.jpg").id
    (photos / "rocket_crop.jpg").unlink()
    found = col.duplicates(0.5, verify=False)
    assert found.notes == [
        "1 of 9 images have no centre view (1 file not found): their whole-picture "
        "vector stands in for it."
    ]
    assert "note: 1 of 9 images have no centre view" in str(found)
    assert col.image(gone).status == "ok" and gone in set(found.pairs["a"]) | set(found.pairs["b"])
    emb = col.embeddings()
    views = centre_vectors(col._store, emb, embed=False)
    row = emb.positions()[gone]
    np.testing.assert_array_equal(views.vectors[row], emb.vectors[row])
    np.testing.assert_array_equal(views.vectors[[row]][0], emb.vectors[row])
    others = [r for r in range(len(emb)) if r != row]
    np.testing.assert_array_equal(views.vectors[others], col.embeddings(CENTRE).vectors)


def test_without_embedding_nothing_is_written_and_a_note_says_so(lazy_col):
    col = lazy_col
    found = col.duplicates(embed_views=False, verify=False)
    assert CENTRE not in dict(col._store.catalog.models()) and not centre_runs(col)
    assert found.notes == [
        "9 of 9 images have no centre view (none is computed here; `lookalike "
        "duplicates` computes them): their whole-picture vector stands in for it."
    ]
    # with the whole picture standing in, the centre score is the root score
    root = col.duplicates(scoring="root")
    np.testing.assert_allclose(found.pairs["score"], root.pairs["score"], atol=1e-6)


def test_imported_vectors_have_no_centre_view_and_are_root_scored(col, tmp_path):
    ids = list(col.embeddings().ids)
    np.save(tmp_path / "v.npy", np.random.default_rng(0).normal(size=(len(ids), 8)))
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    col.import_vectors(tmp_path / "v.npy", ids=tmp_path / "ids.txt", model="ext")
    found = col.duplicates(-1, model="ext", verify=False)
    assert found.method == "exact, root scores" and len(found) == len(ids) * (len(ids) - 1) // 2
    assert found.notes == [
        "The ext vectors were imported, with no model to embed centre views: these are root scores."
    ]
    assert "ext-grey-centre" not in dict(col._store.catalog.models())
    # the figures name the score they drew
    bands = col.show_threshold_bands(model="ext", per_band=1)
    assert bands._suptitle.get_text().startswith("Pairs per band of root score (ext,")
    pair = col.show_pair(ids[0], ids[1], model="ext")
    assert pair._suptitle.get_text().startswith("root score ")


def test_a_bad_scoring_is_the_one_line_error(lazy_col):
    col = lazy_col
    for where, call in [
        ("Collection.duplicates", lambda: col.duplicates(scoring="mean")),
        ("Collection.show_threshold_bands", lambda: col.show_threshold_bands(scoring="mean")),
        ("Collection.pair_score", lambda: col.pair_score("a", "b", scoring="mean")),
    ]:
        with pytest.raises(
            ValueError,
            match=rf"^The 'scoring' parameter of {where} must be one of 'centre', 'root', "
            r"'cosine'\. Got 'mean' instead\.$",
        ):
            call()
    assert CENTRE not in dict(col._store.catalog.models())
