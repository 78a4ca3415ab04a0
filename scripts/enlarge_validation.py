#!/usr/bin/env python3
"""Writes the CrackForest validation and DeepCrack carved-validation photos enlarged x1, x2 and x3 (bicubic; masks
nearest) to OUT/{cfd,dc}{1,2,3}/{img,mask}, to measure how the detector copes with frames at another scale
(models/DETECTOR.md, protocol D). The splits come from datasets/detector-splits.json; nothing of the test split.

Usage: scripts/enlarge_validation.py [DATASETS] [OUT]   (defaults /work/shared/datasets, /tmp/scale)
"""
import json
import os
import sys

from PIL import Image

root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets"
out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/scale"
splits = json.load(open(os.path.join(os.path.dirname(__file__), "..", "datasets", "detector-splits.json")))
sets = [("cfd", root + "/crackforest-cfd/image", root + "/crackforest-cfd/mask_png", splits["crackforest-cfd"]["validation"]),
        ("dc", root + "/deepcrack/train_img", root + "/deepcrack/train_lab", splits["deepcrack"]["validation"])]


def find(folder, stem):
    for ext in ("jpg", "png", "JPG", "jpeg"):
        path = f"{folder}/{stem}.{ext}"
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{folder}/{stem}.*")


for scale in (1, 2, 3):
    for name, images, masks, stems in sets:
        img_dir, mask_dir = f"{out}/{name}{scale}/img", f"{out}/{name}{scale}/mask"
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(mask_dir, exist_ok=True)
        for stem in stems:
            im, m = Image.open(find(images, stem)), Image.open(find(masks, stem))
            if scale > 1:
                im = im.resize((im.width * scale, im.height * scale), Image.BICUBIC)
                m = m.resize((m.width * scale, m.height * scale), Image.NEAREST)
            im.save(f"{img_dir}/{stem}.png")
            m.save(f"{mask_dir}/{stem}.png")
print(f"wrote {out}/{{cfd,dc}}{{1,2,3}}")
