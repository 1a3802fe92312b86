"""The IIIF request parser and renderer: pure functions, sizes worked out by hand."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lookalike.server.iiif import IIIFError, IIIFLimits, info_json, parse_request, render

W, H = 800, 600


def size_of(size: str, region: str = "full", **kw) -> tuple[int, int]:
    return parse_request(region, size, "0", "default", "jpg", width=W, height=H, **kw).size


def region_of(region: str) -> tuple[int, int, int, int]:
    return parse_request(region, "max", "0", "default", "jpg", width=W, height=H).region


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("full", (0, 0, 800, 600)),
        ("square", (100, 0, 600, 600)),
        ("10,20,30,40", (10, 20, 30, 40)),
        ("700,500,300,300", (700, 500, 100, 100)),  # clipped to the image
        ("pct:50,50,50,50", (400, 300, 400, 300)),
        ("pct:0,0,12.5,100", (0, 0, 100, 600)),
    ],
)
def test_regions(region, expected):
    assert region_of(region) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("max", (800, 600)),
        ("full", (800, 600)),
        ("400,", (400, 300)),
        (",300", (400, 300)),
        ("200,200", (200, 200)),
        ("!200,200", (200, 150)),
        ("!2000,2000", (800, 600)),  # confined sizes never exceed the region
        ("^!2000,2000", (2000, 1500)),
        ("pct:50", (400, 300)),
        ("^pct:150", (1200, 900)),
        ("^1600,", (1600, 1200)),
    ],
)
def test_sizes(size, expected):
    assert size_of(size) == expected


def test_max_respects_the_server_limits():
    limits = IIIFLimits(max_width=400, max_height=400, max_area=400 * 400)
    assert size_of("max", limits=limits) == (400, 300)
    assert size_of("^max", limits=IIIFLimits(max_width=1600, max_height=1600)) == (1600, 1200)


def test_size_applies_to_the_region():
    assert size_of("100,", region="square") == (100, 100)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("nope", "max", "0", "default", "jpg"), r"region 'nope': expected 'full'"),
        (("0,0,0,10", "max", "0", "default", "jpg"), "must be greater than 0"),
        (("900,0,10,10", "max", "0", "default", "jpg"), "lies outside the image"),
        (("full", "900,", "0", "default", "jpg"), r"wider than the region \(800 px\).*'\^900,'"),
        (("full", "800,700", "0", "default", "jpg"), r"taller than the region"),
        (("full", "pct:150", "0", "default", "jpg"), r"more than 100% needs '\^pct:150'"),
        (("full", "pct:0", "0", "default", "jpg"), "greater than 0"),
        (("full", "0,", "0", "default", "jpg"), "greater than 0"),
        (("full", ",", "0", "default", "jpg"), "give a width, a height or both"),
        (("full", "!200,", "0", "default", "jpg"), "give a width, a height or both"),
        (("full", "^99999,", "0", "default", "jpg"), r"over this server's limit \(4096x4096"),
        (("full", "big", "0", "default", "jpg"), r"size 'big': expected 'max'"),
        (("full", "max", "45", "default", "jpg"), r"rotation '45': expected 0, 90, 180 or 270"),
        (("full", "max", "0", "bitonal", "jpg"), r"quality 'bitonal': expected one of"),
        (("full", "max", "0", "default", "gif"), r"format 'gif': expected one of jpg, png"),
    ],
)
def test_bad_requests_say_which_parameter_and_why(args, match):
    with pytest.raises(IIIFError, match=match):
        parse_request(*args, width=W, height=H)


def test_iiif_error_is_a_value_error():
    assert issubclass(IIIFError, ValueError)


def decode(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def test_render_crops_scales_rotates_and_greys():
    image = Image.new("RGB", (W, H), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 400, 600))  # left half blue
    req = parse_request("0,0,400,600", "200,", "90", "gray", "png", width=W, height=H)
    out = decode(render(image, req))
    assert out.format == "PNG" and out.mode == "L"
    assert out.size == (300, 200)  # 200x300 turned by 90 degrees


def test_render_mirror_and_formats():
    image = Image.new("RGB", (W, H), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 400, 600))
    req = parse_request("full", "80,", "!0", "color", "webp", width=W, height=H)
    out = decode(render(image, req)).convert("RGB")
    assert out.size == (80, 60)
    assert out.getpixel((75, 30))[2] > 200  # blue is now on the right
    jpg = parse_request("full", "max", "180", "default", "jpg", width=W, height=H)
    assert decode(render(image, jpg)).format == "JPEG"


def test_render_from_a_reduced_decode():
    """A draft-decoded JPEG at half size gives the same region."""
    half = Image.new("RGB", (W // 2, H // 2), (0, 255, 0))
    half.paste((255, 0, 0), (200, 0, 400, 300))  # right half red
    req = parse_request("400,0,400,600", "100,", "0", "default", "png", width=W, height=H)
    out = decode(render(half, req, scale=0.5)).convert("RGB")
    assert out.size == (100, 150) and out.getpixel((50, 75))[0] > 200


def test_info_json_lists_limits_and_sizes():
    info = info_json("http://h/iiif/x", 300, 200, IIIFLimits(1000, 1000, 10**6))
    assert info["maxWidth"] == 1000 and info["maxArea"] == 10**6
    assert info["sizes"] == [{"width": 100, "height": 67}, {"width": 200, "height": 133}]
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
