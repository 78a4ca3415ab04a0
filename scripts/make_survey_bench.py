#!/usr/bin/env python3
"""Builds a survey benchmark folder of 4000x3000 JPEGs mosaicked from the real crack photos in
../shared/datasets (CrackForest and DeepCrack: non-commercial research licences, so the folder is generated,
never committed). Each frame gets EXIF GPS along a straight track (one frame every ~8 m, DJI-like nadir camera
metadata in XMP) so geotagging and merging run as in a real survey.

    python3 scripts/make_survey_bench.py OUT_DIR [--frames 100] [--seed 1]
Needs Pillow (pip install pillow).
"""
import argparse, glob, io, math, os, random
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "datasets")


def xmp(rel_alt, yaw):
    return ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" '
            f'drone-dji:RelativeAltitude="+{rel_alt:.2f}" drone-dji:GimbalPitchDegree="-90.00" '
            f'drone-dji:GimbalYawDegree="{yaw:.2f}" drone-dji:FlightYawDegree="{yaw:.2f}"/>'
            '</rdf:RDF></x:xmpmeta>').encode()


def gps_ifd(lat, lon, alt):
    def rat(v):
        d = int(v); m = int((v - d) * 60); s = ((v - d) * 60 - m) * 60
        return (IFDRational(d, 1), IFDRational(m, 1), IFDRational(int(s * 10000), 10000))
    return {1: "N" if lat >= 0 else "S", 2: rat(abs(lat)), 3: "E" if lon >= 0 else "W", 4: rat(abs(lon)),
            5: 0, 6: IFDRational(int(alt * 100), 100)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    photos = sorted(glob.glob(os.path.join(DATA, "crackforest-cfd", "image", "*.jpg")) +
                    glob.glob(os.path.join(DATA, "deepcrack", "train_img", "*.jpg")))
    tiles = [Image.open(p).convert("RGB").resize((500, 375)) for p in photos[:120]]
    os.makedirs(a.out, exist_ok=True)
    lat0, lon0 = 41.0348, -83.3055
    for i in range(a.frames):
        frame = Image.new("RGB", (4000, 3000))
        for ty in range(8):
            for tx in range(8):
                t = rng.choice(tiles)
                if rng.random() < 0.5:
                    t = t.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                frame.paste(t, (tx * 500, ty * 375))
        exif = Image.Exif()
        exif[0x010F] = "DJI"; exif[0x0110] = "FC3582"  # DJI Mini 3 Pro camera
        exif.get_ifd(0x8825).update(gps_ifd(lat0 + i * 8 / 111320, lon0, 250.0))
        buf = io.BytesIO()
        frame.save(buf, "JPEG", quality=90, exif=exif.tobytes(), xmp=xmp(20.0, 0.0))
        with open(os.path.join(a.out, f"DJI_{i:05d}.JPG"), "wb") as f:
            f.write(buf.getvalue())
    print(f"{a.frames} frames in {a.out}")


if __name__ == "__main__":
    main()
