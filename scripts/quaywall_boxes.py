#!/usr/bin/env python3
"""Box-level check of the detector on the quay-wall drone tiles (quaywall-crack-yolo: 256x256 tiles, YOLO crack
boxes), a domain the crack-pixel models never trained on (models/DETECTOR.md, protocol E). Runs
`pavewatch inspect --json` on every tile and counts the labelled boxes that a crack finding's box overlaps, the tiles
with a finding, and the findings that overlap a box.

Usage: scripts/quaywall_boxes.py [--pavewatch BIN] [--box DIR] [--sites h1,k1,o6] [--model FILE] [--strip-exif]
  --strip-exif re-encodes each tile without its EXIF first (the h1 / o6 tiles carry the parent photo's EXIF, so
  the detector geotags them and applies its width limit in millimetres).
"""
import argparse
import glob
import json
import os
import subprocess
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--pavewatch", default=".build-native/release/pavewatch")
parser.add_argument("--box", default="/work/shared/datasets/quaywall-crack-yolo/BOX")
parser.add_argument("--sites", default="h1,k1,o6")
parser.add_argument("--model")
parser.add_argument("--strip-exif", action="store_true")
args = parser.parse_args()


def overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


boxes_total = boxes_hit = tiles = tiles_found = findings = findings_on = 0
with tempfile.TemporaryDirectory() as tmp:
    for site in args.sites.split(","):
        for image in sorted(set(glob.glob(f"{args.box}/{site}/*.jpg") + glob.glob(f"{args.box}/{site}/*.JPG"))):
            size = 256
            path = image
            if args.strip_exif:
                from PIL import Image
                im = Image.open(image)
                size = im.width
                path = os.path.join(tmp, "tile.jpg")
                im.save(path, quality=98)
            boxes = []
            for line in open(os.path.splitext(image)[0] + ".txt"):
                v = line.split()
                if len(v) == 5:
                    cx, cy, w, h = (float(x) * size for x in v[1:])
                    boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
            command = [args.pavewatch, "inspect", path, "--json", "--threads", "2"]
            if args.model:
                command += ["--model", args.model]
            report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
            found = [(f["bbox"][0], f["bbox"][1], f["bbox"][0] + f["bbox"][2], f["bbox"][1] + f["bbox"][3])
                     for f in report["findings"] if f["class"] == "crack"]
            tiles += 1
            tiles_found += bool(found)
            boxes_total += len(boxes)
            boxes_hit += sum(any(overlaps(b, f) for f in found) for b in boxes)
            findings += len(found)
            findings_on += sum(any(overlaps(f, b) for b in boxes) for f in found)
print(f"sites {args.sites}{' (EXIF stripped)' if args.strip_exif else ''}, model {args.model or 'default'}: "
      f"boxes with a crack finding {boxes_hit} of {boxes_total} ({boxes_hit / max(1, boxes_total):.3f}); "
      f"tiles with a finding {tiles_found} of {tiles}; findings overlapping a box {findings_on} of {findings}")
