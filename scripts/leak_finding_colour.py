#!/usr/bin/env python3
"""Brightness ratio and chromaticity change of each leak finding `pavewatch inspect --json` gives on a photo, against
a ring around its outline (5 % of the photo's long side): for looking at false leak findings beside true ones
(models/DETECTOR.md, "Leaks"). Usage: scripts/leak_finding_colour.py [--pavewatch BIN] PHOTO…
(needs numpy, scipy, pillow; PAVEWATCH_MODELS as for pavewatch)"""
import json, os, subprocess, sys
import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

args = sys.argv[1:]
binary = ".build/release/pavewatch"
if args[:1] == ["--pavewatch"]:
    binary, args = args[1], args[2:]
for path in args:
    report = json.loads(subprocess.run([binary, "inspect", path, "--json"], capture_output=True, text=True, check=True).stdout)
    a = np.asarray(Image.open(path).convert("RGB")).astype(float)
    h, w = a.shape[:2]
    for f in report["findings"]:
        if f["class"] != "leak":
            continue
        m = Image.new("L", (w, h), 0)
        ImageDraw.Draw(m).polygon([tuple(p[:2]) for p in f["outline"]], fill=1)
        inside = np.asarray(m).astype(bool)
        if inside.sum() < 10:
            continue
        ring = ndimage.binary_dilation(inside, iterations=max(8, int(0.05 * max(h, w)))) & ~inside
        ci, co = a[inside].mean(0), a[ring].mean(0)
        change = ci / ci.sum() - co / co.sum()
        print(f"{os.path.basename(path)}: leak {f['areaPx']:.0f} px, brightness ratio {ci.sum() / co.sum():.3f}, "
              f"chromaticity change R {change[0]:+.4f} G {change[1]:+.4f} B {change[2]:+.4f}, distance {np.abs(change).sum():.4f}")
