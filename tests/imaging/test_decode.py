"""Safe decoding: every mode to RGB, EXIF, animations, limits, draft mode, bad bytes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lookalike import imaging
from lookalike.errors import ImageDecodeError
from tests.conftest import png_with_size, skimage_photo


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP", "GIF", "BMP"])
def test_formats_decode_to_rgb(fmt):
    im = skimage_photo("chelsea")
    out = imaging.decode(encode(im, fmt))
    assert out.image.mode == "RGB"
    assert out.image.size == im.size == (out.width, out.height)
    assert out.format == fmt


@pytest.mark.parametrize("mode", ["P", "L", "LA", "RGBA", "CMYK", "1", "I;16", "I", "F"])
def test_every_mode_becomes_rgb(mode):
    base = skimage_photo("coffee").resize((64, 48))
    if mode == "I;16":
        src = Image.fromarray(np.asarray(base.convert("L"), np.uint16) * 257)
        assert src.mode == "I;16"
    else:
        src = base.convert(mode)
    fmt = "TIFF" if mode in ("CMYK", "I;16", "I", "F") else "PNG"
    out = imaging.decode(encode(src, fmt)).image
    assert out.mode == "RGB" and out.size == (64, 48)
    if mode == "I;16":  # 16-bit greyscale is scaled, not clipped to white
        assert 20 < np.asarray(out).mean() < 235


def test_transparency_is_composited_over_white():
    im = Image.new("RGBA", (10, 10), (255, 0, 0, 0))  # fully transparent red
    out = np.asarray(imaging.decode(encode(im, "PNG")).image)
    assert (out == 255).all()


def test_a_picture_held_only_in_alpha_stays_visible():
    alpha = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (32, 1))
    for colour in (255, 0):  # white or black paint through a mask
        rgba = np.dstack([np.full((32, 64, 3), colour, np.uint8), alpha])
        out = np.asarray(imaging.decode(encode(Image.fromarray(rgba, "RGBA"), "PNG")).image)
        assert out[:, :8].mean() < 40 or out[:, :8].mean() > 215
        assert abs(int(out[:, -8:].mean()) - int(out[:, :8].mean())) > 200  # a real gradient


def test_translucent_art_keeps_its_colours():
    rgb = np.asarray(skimage_photo("coffee").resize((64, 48)))
    rgba = np.dstack([rgb, np.full((48, 64), 1, np.uint8)])  # almost fully transparent
    out = np.asarray(imaging.decode(encode(Image.fromarray(rgba, "RGBA"), "PNG")).image)
    np.testing.assert_array_equal(out, rgb)


def test_exif_orientation_is_applied():
    im = Image.new("RGB", (40, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    out = imaging.decode(encode(im, "JPEG", exif=exif))
    assert out.image.size == (20, 40)
    assert (out.width, out.height) == (20, 40)


def test_animation_takes_the_first_frame():
    frames = [Image.new("RGB", (16, 16), c) for c in ("red", "blue", "green")]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    out = np.asarray(imaging.decode(buf.getvalue()).image)
    assert out[..., 0].mean() > 200 and out[..., 2].mean() < 50


def test_draft_mode_decodes_big_jpegs_small_but_reports_the_full_size():
    big = skimage_photo("astronaut").resize((2048, 2048))
    out = imaging.decode(encode(big, "JPEG"), min_side=224)
    assert (out.width, out.height) == (2048, 2048)
    assert 224 <= min(out.image.size) < 512


def test_model_input_is_square_uint8():
    pixels, decoded = imaging.load_for_model(encode(skimage_photo("rocket"), "PNG"), 224)
    assert pixels.shape == (224, 224, 3) and pixels.dtype == np.uint8
    assert decoded.format == "PNG"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"this is not an image", "not an image"),
        (png_with_size(30_000, 30_000), "too many pixels"),
        (b"%PDF-1.4\n" + b"0" * 100, "not an image"),
    ],
)
def test_bad_bytes_raise_one_clear_reason(data, reason):
    with pytest.raises(ImageDecodeError, match=reason):
        imaging.decode(data)


def test_truncated_jpeg_is_refused():
    data = encode(skimage_photo("coffee"), "JPEG")
    with pytest.raises(ImageDecodeError, match="corrupt image"):
        imaging.decode(data[: len(data) // 3])


def test_unsupported_format_is_refused():
    data = encode(Image.new("RGB", (8, 8)), "PPM")
    with pytest.raises(ImageDecodeError, match="unsupported image format: PPM"):
        imaging.decode(data)


def test_file_limits(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(encode(Image.new("RGB", (8, 8)), "PNG"))
    with pytest.raises(ImageDecodeError, match="file too large"):
        imaging.decode(path, max_bytes=10)
    with pytest.raises(ImageDecodeError, match=r"is a directory|not a regular file"):
        imaging.decode(tmp_path)


def test_pixel_hash_ignores_the_container():
    im = skimage_photo("coffee").resize((50, 40))
    a = imaging.decode(encode(im, "PNG")).image
    b = imaging.decode(encode(im, "BMP")).image
    assert imaging.pixel_hash(a) == imaging.pixel_hash(b)
    assert imaging.content_hash(encode(im, "PNG")) != imaging.content_hash(encode(im, "BMP"))
