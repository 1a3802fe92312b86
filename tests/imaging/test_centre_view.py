"""The centre view: a uniform border trimmed, then the middle 70% of the picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from lookalike.imaging import centre_input, centre_view, load_for_model, to_model_input
from tests.conftest import skimage_photo


def test_a_uniform_border_is_trimmed_then_the_middle_kept():
    photo = skimage_photo("coffee")  # 600 x 400
    framed = ImageOps.expand(photo, border=60, fill=(30, 120, 200))
    view = centre_view(framed, grey=False)
    assert view.size == (420, 280)  # 70% of the photo, the border gone
    expected = np.asarray(photo.crop((90, 60, 510, 340)), dtype=np.int16)
    assert np.abs(np.asarray(view, dtype=np.int16) - expected).max() == 0


def test_the_view_is_grey_so_a_sepia_copy_meets_its_original():
    from lookalike.models.efficientnet_lite import EfficientNetLite0

    photo = skimage_photo("chelsea")
    sepia = ImageOps.colorize(photo.convert("L"), "#3b2a14", "#f3e3c3")
    grey = centre_view(photo)
    assert np.ptp(np.asarray(grey, dtype=np.int16), axis=2).max() == 0  # R = G = B
    model = EfficientNetLite0()

    def score(**kw) -> float:
        pair = [to_model_input(centre_view(im, **kw), model.input_size) for im in (photo, sepia)]
        a, b = model.embed(np.stack(pair))
        return float(a @ b)

    in_grey, in_colour = score(), score(grey=False)
    assert in_grey > 0.95 and in_grey - in_colour > 0.05, (in_grey, in_colour)


@pytest.mark.parametrize("name", ["coffee", "chelsea", "camera"])
def test_the_centre_input_is_the_model_input_of_the_centre_view(name):
    """Resized grey and then given three channels: the same pixels as the view's RGB."""
    photo = ImageOps.expand(skimage_photo(name), border=30, fill="white").rotate(5)
    for size in (224, 64):
        assert np.array_equal(centre_input(photo, size), to_model_input(centre_view(photo), size))


def test_the_black_corners_of_a_rotated_copy_are_left_out():
    rotated = skimage_photo("coffee").rotate(8, expand=True)  # black corners
    black = (np.asarray(rotated).max(axis=2) == 0).mean()
    view = centre_view(rotated, grey=False)  # dark pixels of the photo stay above 0
    assert black > 0.05 and (np.asarray(view).max(axis=2) == 0).mean() == 0
    w, h = rotated.size  # nothing trimmed: the picture reaches every side
    assert view.size == (int(w * 0.85) - int(w * 0.15), int(h * 0.85) - int(h * 0.15))


def test_a_small_subject_on_a_plain_background_is_not_cut_to_it():
    canvas = Image.new("RGB", (200, 100), "white")
    canvas.paste(Image.new("RGB", (40, 30), "red"), (80, 35))  # 6% of the area
    assert centre_view(canvas).size == (140, 70)
    assert centre_view(Image.new("L", (3, 2), 128)).size == (2, 1)  # tiny, never empty


def test_load_for_model_gives_the_view_asked_for():
    data = io.BytesIO()
    ImageOps.expand(skimage_photo("chelsea"), border=50, fill="white").save(data, "PNG")
    whole, decoded = load_for_model(data.getvalue(), 64)
    centre, same = load_for_model(data.getvalue(), 64, view="centre")
    assert whole.shape == centre.shape == (64, 64, 3) and decoded.width == same.width
    assert whole[0, 0].tolist() == [255, 255, 255] and centre[0, 0].tolist() != [255, 255, 255]
    with pytest.raises(
        ValueError,
        match=r"The 'view' parameter of load_for_model must be one of 'whole', 'centre'\. "
        r"Got 'middle' instead\.",
    ):
        load_for_model(data.getvalue(), 64, view="middle")
