#!/usr/bin/env python3
"""Builds the small codec test fixtures in Tests/CodecsTests/Fixtures from one CC0 drone photo.

Source: ../shared/datasets/drone-exif/seneca-sensefly-cc0/IMG_0447.jpg (OpenDroneMap Seneca set, CC0 1.0).
Needs Pillow and numpy (pip install pillow numpy). Run from the repo root:
    python3 scripts/make_codec_fixtures.py
Each JPEG variant has a lossless PNG reference (`*.ref.png`) decoded by Pillow, which the tests compare against.
"""
import os, subprocess, sys
from PIL import Image

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets", "drone-exif",
                   "seneca-sensefly-cc0", "IMG_0447.jpg")
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "CodecsTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)

base = Image.open(SRC).convert("RGB").crop((1200, 900, 1200 + 960, 900 + 640)).resize((243, 161), Image.LANCZOS)
# Odd sizes on purpose (243x161): not a multiple of the 8/16-pixel MCU.


def write_adam7_png(img, path):
    """An Adam7-interlaced 8-bit RGB PNG, written by hand (Pillow writes only non-interlaced PNG)."""
    import struct, zlib
    w, h = img.size
    px = img.convert("RGB").tobytes()
    raw = bytearray()
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        xs = range(x0, w, dx)
        if len(xs) == 0:
            continue
        for y in range(y0, h, dy):
            raw.append(0)
            for x in xs:
                raw += px[(y * w + x) * 3:(y * w + x) * 3 + 3]
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1))
    data += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    open(path, "wb").write(data)

def save_jpeg(img, name, ref=True, **kw):
    path = os.path.join(OUT, name)
    img.save(path, "JPEG", quality=90, **kw)
    if not ref:
        return  # same pixels as baseline.ref.png
    ref = Image.open(path)
    ref.load()
    ref_mode = "L" if img.mode == "L" else "RGB"
    if ref.mode == "CMYK":
        # Pillow stores CMYK inverted (Adobe convention); its RGB conversion is the reference.
        ref = ref.convert("RGB")
    ref.convert(ref_mode).save(path.replace(".jpg", ".ref.png"))

save_jpeg(base, "baseline.jpg")
save_jpeg(base, "progressive.jpg", ref=False, progressive=True)
save_jpeg(base, "restart.jpg", ref=False, restart_marker_blocks=4)
save_jpeg(base.convert("L"), "gray.jpg")
save_jpeg(base.convert("CMYK"), "cmyk.jpg")

# EXIF orientation 6 (rotate 90° clockwise to display): stored sideways, reference is upright.
exif = Image.Exif()
exif[0x0112] = 6
sideways = base.transpose(Image.Transpose.ROTATE_90)  # what a camera held on its side stores
sideways.save(os.path.join(OUT, "orientation6.jpg"), "JPEG", quality=90, exif=exif.tobytes())
from PIL import ImageOps
up = ImageOps.exif_transpose(Image.open(os.path.join(OUT, "orientation6.jpg")))
up.convert("RGB").save(os.path.join(OUT, "orientation6.ref.png"))

# PNG variants: the RGB reference is base itself.
base.save(os.path.join(OUT, "rgb.png"))
base.convert("L").save(os.path.join(OUT, "gray.png"))
base.convert("LA").save(os.path.join(OUT, "gray_alpha.png"))
rgba = base.convert("RGBA"); rgba.putalpha(255); rgba.save(os.path.join(OUT, "rgba.png"))
base.convert("P", palette=Image.ADAPTIVE, colors=64).save(os.path.join(OUT, "palette.png"))
base.convert("P", palette=Image.ADAPTIVE, colors=64).convert("RGB").save(os.path.join(OUT, "palette.ref.png"))
# 16-bit gray: value v stored as v * 257.
import numpy as np
g = np.asarray(base.convert("L"), dtype=np.uint16) * 257
Image.fromarray(g.astype(np.uint16)).save(os.path.join(OUT, "gray16.png"))
write_adam7_png(base, os.path.join(OUT, "interlaced.png"))
print("fixtures written to", OUT)
