#!/usr/bin/env python3
"""Blue-chromaticity shift of the labelled leak regions of the tunnel photos against the lining around them
(a ring 40 px wide of background pixels): the figure behind LeakSurfaceCheck.shadowBlueShift (models/DETECTOR.md);
and the whole chromaticity distance (sum of |change| of R, G, B over R + G + B), for a colour rule.
Usage: scripts/leak_colour.py [DATASETS]   (needs numpy, scipy, pillow)"""
import glob, os, sys
import numpy as np
from PIL import Image
from scipy import ndimage

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/datasets")
for f in sorted(glob.glob(os.path.join(root, "leak-tunnel/images/*"))):
    stem = os.path.splitext(os.path.basename(f))[0]
    m = os.path.join(root, "leak-tunnel/masks", stem + ".png")
    if not os.path.exists(m):
        continue
    a = np.asarray(Image.open(f).convert("RGB")).astype(float)
    k = np.asarray(Image.open(m))
    leak = np.isin(k, [2, 3, 4])
    if leak.sum() < 100:
        print(stem, "no leak")
        continue
    ring = ndimage.binary_dilation(leak, iterations=40) & ~leak & (k == 0)
    inside, around = a[leak].mean(0), a[ring].mean(0)
    blue = lambda c: c[2] / c.sum()
    chroma = lambda c: c / c.sum()
    distance = np.abs(chroma(inside) - chroma(around)).sum()
    print(f"{stem}: brightness ratio {inside.sum() / around.sum():.3f}, blue shift {blue(inside) - blue(around):+.4f}, "
          f"chromaticity distance {distance:.4f}")
