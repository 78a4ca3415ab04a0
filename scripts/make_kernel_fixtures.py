#!/usr/bin/env python3
"""Builds the OpenCV golden fixtures in Tests/KernelsTests/Fixtures from one CC0 drone photo.

Source: ../shared/datasets/drone-exif/seneca-sensefly-cc0/IMG_0448.jpg (OpenDroneMap Seneca set, CC0 1.0),
a 97x67 crop (odd sizes on purpose). Needs numpy and opencv-python-headless; the bench environment has both:
    ~/.cache/pavewatch-bench/venv/bin/python scripts/make_kernel_fixtures.py      # from the repo root
(`../shared/bench/compare` creates that environment on its first run.)

Every array is raw little-endian, row-major, no padding; manifest.json gives its shape, type, the OpenCV call
that made it and the tolerance the Swift test applies (KernelsTests/GoldenTests.swift).
"""
import json, os
import cv2
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED = next(p for p in [os.path.join(ROOT, "..", "shared"), os.path.join(ROOT, "..", "..", "shared")]
              if os.path.isdir(p))   # beside the clone, or beside a worktree folder
SRC = os.path.join(SHARED, "datasets", "drone-exif", "seneca-sensefly-cc0", "IMG_0448.jpg")
OUT = os.path.join(ROOT, "Tests", "KernelsTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)

bgr = cv2.imread(SRC, cv2.IMREAD_COLOR)
h, w = bgr.shape[:2]
# A textured patch, reduced so edges and thin lines are a few pixels wide.
crop = cv2.resize(bgr[h // 3:h // 3 + 670, w // 3:w // 3 + 970], (97, 67), interpolation=cv2.INTER_AREA)
rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
blur = cv2.GaussianBlur(g, (5, 5), 0)
k15 = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))
k53 = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3))


def lbp(a):
    c = a[1:-1, 1:-1]; H, W = a.shape
    out = np.zeros(c.shape, np.uint8)
    for bit, (dy, dx) in enumerate([(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]):
        out |= (a[1 + dy:H - 1 + dy, 1 + dx:W - 1 + dx] >= c).astype(np.uint8) << np.uint8(bit)
    return out


def ridge(a, sigma=2.0):
    f = cv2.GaussianBlur(a.astype(np.float32), (0, 0), sigma)
    dxx = cv2.Sobel(f, cv2.CV_32F, 2, 0, ksize=3); dyy = cv2.Sobel(f, cv2.CV_32F, 0, 2, ksize=3)
    dxy = cv2.Sobel(f, cv2.CV_32F, 1, 1, ksize=3)
    return 0.5 * (dxx + dyy + cv2.sqrt((dxx - dyy) ** 2 + 4 * dxy ** 2))


s, sq = cv2.integral2(g)
fixtures = [
    ("input_rgb", rgb, "source crop, RGB", 0),
    ("input_gray", g, "cv2.cvtColor(RGB2GRAY)", 1),
    ("gaussian5", blur, "cv2.GaussianBlur(g, (5, 5), 0)", 0),
    ("gaussian_sigma2_f32", cv2.GaussianBlur(g.astype(np.float32), (0, 0), 2.0), "cv2.GaussianBlur(float32(g), (0, 0), 2)", 1e-3),
    ("box7x5", cv2.blur(g, (7, 5)), "cv2.blur(g, (7, 5))", 1),
    ("sobel_dx", cv2.Sobel(g, cv2.CV_16S, 1, 0, ksize=3), "cv2.Sobel(g, CV_16S, 1, 0)", 0),
    ("sobel_dy", cv2.Sobel(g, cv2.CV_16S, 0, 1, ksize=3), "cv2.Sobel(g, CV_16S, 0, 1)", 0),
    ("scharr_dx", cv2.Scharr(g, cv2.CV_16S, 1, 0), "cv2.Scharr(g, CV_16S, 1, 0)", 0),
    ("scharr_dy", cv2.Scharr(g, cv2.CV_16S, 0, 1), "cv2.Scharr(g, CV_16S, 0, 1)", 0),
    ("canny", cv2.Canny(blur, 50, 150), "cv2.Canny(gaussian5, 50, 150)", 0),
    ("canny_low", cv2.Canny(blur, 10, 40), "cv2.Canny(gaussian5, 10, 40)", 0),
    ("canny_l2", cv2.Canny(blur, 20, 60, L2gradient=True), "cv2.Canny(gaussian5, 20, 60, L2gradient=True)", 0),
    ("erode15", cv2.erode(g, k15), "cv2.erode(g, rect 15x15)", 0),
    ("dilate5x3", cv2.dilate(g, k53), "cv2.dilate(g, rect 5x3)", 0),
    ("blackhat15", cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, k15), "cv2.morphologyEx(g, BLACKHAT, rect 15x15)", 0),
    ("tophat5x3", cv2.morphologyEx(g, cv2.MORPH_TOPHAT, k53), "cv2.morphologyEx(g, TOPHAT, rect 5x3)", 0),
    ("integral_sum", s.astype(np.uint32), "cv2.integral2(g)[0]", 0),
    ("integral_sqsum", sq.astype(np.uint64), "cv2.integral2(g)[1] (float64, exact integers)", 0),
    ("lbp_interior", lbp(g), "numpy 3x3 LBP of the bench baseline (interior only)", 0),
    ("ridge_f32", ridge(g), "OpenCV Hessian ridge strength of the bench baseline, sigma 2", 1e-3),
    ("area_half", cv2.resize(g[:66, :96], (48, 33), interpolation=cv2.INTER_AREA), "cv2.resize(g[:66, :96], 1/2, INTER_AREA)", 1),
]
manifest = {}
for name, arr, call, tol in fixtures:
    arr = np.ascontiguousarray(arr)
    dtype = {np.uint8: "u8", np.int16: "i16", np.float32: "f32", np.uint32: "u32", np.uint64: "u64"}[arr.dtype.type]
    fname = f"{name}.{dtype}"
    arr.astype(arr.dtype.newbyteorder("<")).tofile(os.path.join(OUT, fname))
    manifest[name] = {"file": fname, "height": arr.shape[0], "width": arr.shape[1],
                      "channels": arr.shape[2] if arr.ndim == 3 else 1, "type": dtype, "opencv": call,
                      "tolerance": tol}
manifest["_about"] = {"source": "drone-exif/seneca-sensefly-cc0/IMG_0448.jpg (CC0 1.0)", "opencv": cv2.__version__,
                      "tolerance": "max absolute difference allowed (float: relative to the largest |value|)"}
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
print("wrote", len(fixtures), "fixtures to", OUT, "with OpenCV", cv2.__version__)
