#!/usr/bin/env python3
"""Crack widths of `pavewatch inspect` against the widths of the hand-drawn masks, on validation photos.

For every crack finding, the ground-truth crack pixels inside its bounding box (grown by 3 px) give the true mean
width: their area divided by the length of their skeleton. The finding's reported width (from the gray levels) and
its region's width (area / length, the old measure) are compared with it.

    python3 scripts/width_check.py --pavewatch .build-native/release/pavewatch [--datasets /work/shared/datasets]

Needs numpy, Pillow and scikit-image (pip install scikit-image). Uses the validation splits of
datasets/detector-splits.json only (CrackForest validation, DeepCrack carved validation).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image
from skimage.morphology import skeletonize


def truth_width(mask, bbox, grow=3):
    x, y, w, h = bbox
    x0, y0 = max(0, x - grow), max(0, y - grow)
    crop = mask[y0:y + h + grow, x0:x + w + grow]
    area = int(crop.sum())
    if area == 0:
        return None
    length = int(skeletonize(crop).sum())
    return area / max(1, length)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pavewatch", required=True)
    ap.add_argument("--datasets", default="/work/shared/datasets")
    ap.add_argument("--splits", default="datasets/detector-splits.json")
    a = ap.parse_args()
    splits = json.load(open(a.splits))
    sets = [
        ("crackforest", "crackforest-cfd/image", "crackforest-cfd/mask_png", splits["crackforest-cfd"]["validation"]),
        ("deepcrack", "deepcrack/train_img", "deepcrack/train_lab", splits["deepcrack"]["validation"]),
    ]
    rows = []
    for name, images, masks, stems in sets:
        files = {os.path.splitext(f)[0]: f for f in os.listdir(os.path.join(a.datasets, images))}
        mfiles = {os.path.splitext(f)[0]: f for f in os.listdir(os.path.join(a.datasets, masks))}
        for stem in stems:
            if stem not in files or stem not in mfiles:
                continue
            img = os.path.join(a.datasets, images, files[stem])
            out = subprocess.run([a.pavewatch, "inspect", img, "--json", "--threads", "2"], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{img}: {out.stderr.strip()}", file=sys.stderr)
                continue
            report = json.loads(out.stdout)
            mask = np.array(Image.open(os.path.join(a.datasets, masks, mfiles[stem])).convert("L")) > 127
            for f in report["findings"]:
                if f["class"] != "crack" or not f.get("lengthPx"):
                    continue
                t = truth_width(mask, f["bbox"])
                if t is None:
                    continue
                rows.append((name, stem, f["widthPx"], f["areaPx"] / f["lengthPx"], t))
    if not rows:
        print("no crack findings")
        return
    gray = np.array([r[2] - r[4] for r in rows])
    region = np.array([r[3] - r[4] for r in rows])
    print(f"{len(rows)} crack findings on {len(set((r[0], r[1]) for r in rows))} validation photos")
    print(f"true mean width (masks): median {np.median([r[4] for r in rows]):.2f} px")
    for label, err in (("gray-level width (reported)", gray), ("region width (area / length)", region)):
        print(f"{label}: mean error {err.mean():+.2f} px, mean absolute error {np.abs(err).mean():.2f} px, "
              f"within 1 px {np.mean(np.abs(err) <= 1) * 100:.0f} %")


if __name__ == "__main__":
    main()
