#!/usr/bin/env python3
"""Soak test of `pavewatch watch` (issue 22): FRAMES camera frames of one fixed pole, written to its standard input as
fast as it reads them (concatenated JPEGs, as `ffmpeg -f image2pipe` sends them; 2 cm per pixel), with two dark cracks that are in
every frame and a third that comes and goes (every 7th frame only, never persistent). Each frame has its own noise,
so no two frames are the same bytes. Samples the watcher's resident memory every half second and prints one JSON
object: frames, seconds, frames/s, RSS (MiB) at the start / each tenth / peak, the tickets and stored frames at the
end. A flat memory curve and one ticket per persistent crack, two in all (no ticket storm), are what it checks; exit
1 otherwise.

    python3 scripts/soak_watch.py --pavewatch .build/release/pavewatch --frames 10000 [--csv rss.csv]
"""
import argparse, io, json, os, random, sqlite3, subprocess, sys, tempfile, threading, time

from PIL import Image, ImageDraw
from procstat import rss_kb

W, H = 640, 480
CAMERA = """name: soak pole
gcp_accuracy_m: 0.2
control_points:
  - {pixel: [0, 0], latitude: 51.92000000, longitude: 4.47000000}
  - {pixel: [640, 0], latitude: 51.92000000, longitude: 4.47018644}
  - {pixel: [640, 480], latitude: 51.91991376, longitude: 4.47018644}
  - {pixel: [0, 480], latitude: 51.91991376, longitude: 4.47000000}
"""


def frames(count, distinct, seed=20261207):
    """`distinct` JPEGs (noise differs), then each later frame is one of them with a frame counter drawn in a corner,
    so every frame's bytes differ while only `distinct` images are generated in full."""
    rng = random.Random(seed)
    base = []
    for i in range(distinct):
        img = Image.effect_noise((W, H), 18).point(lambda v: 150 + (v - 128) // 3).convert("RGB")
        d = ImageDraw.Draw(img)
        jitter = lambda: rng.uniform(-1.5, 1.5)
        d.line([(80 + jitter(), 120), (260 + jitter(), 150), (420, 140 + jitter())], fill=(40, 40, 40), width=5)
        d.line([(500, 300 + jitter()), (520 + jitter(), 420)], fill=(35, 35, 35), width=6)
        base.append(img)
    for n in range(count):
        img = base[n % distinct].copy()
        d = ImageDraw.Draw(img)
        if n % 7 == 3:
            d.line([(100, 400), (220, 380)], fill=(30, 30, 30), width=6)
        d.rectangle([W - 60, H - 14, W - 1, H - 1], fill=(150, 150, 150))
        d.text((W - 58, H - 13), str(n), fill=(140, 140, 140))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        yield out.getvalue()


def rss_mib(pid):
    return rss_kb(pid) / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pavewatch", default=".build/release/pavewatch")
    ap.add_argument("--frames", type=int, default=10000)
    ap.add_argument("--inspector", default="dark-regions", choices=["dark-regions", "detector"])
    ap.add_argument("--csv", help="write frames sent, seconds, RSS MiB samples here")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="pw-soak-")
    db, cam = os.path.join(tmp, "soak.sqlite"), os.path.join(tmp, "pole.yaml")
    open(cam, "w").write(CAMERA)
    watcher = subprocess.Popen([a.pavewatch, "watch", "-", "--db", db, "--camera", cam, "--inspector", a.inspector,
                                "--log-level", "warning"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=open(os.path.join(tmp, "watch.log"), "w"))
    sent = [0]
    samples = []
    start = time.time()
    done = threading.Event()

    def sampler():
        while not done.is_set():
            samples.append((sent[0], time.time() - start, rss_mib(watcher.pid)))
            time.sleep(0.5)

    t = threading.Thread(target=sampler, daemon=True)
    t.start()
    try:
        for jpeg in frames(a.frames, 64):
            watcher.stdin.write(jpeg)
            sent[0] += 1
        watcher.stdin.close()
        status = watcher.wait(timeout=600)
    finally:
        done.set()
        if watcher.poll() is None:
            watcher.kill()
    seconds = time.time() - start
    t.join()
    con = sqlite3.connect(db)
    tickets = con.execute("SELECT count(*) FROM ticket").fetchone()[0]
    stored = con.execute("SELECT count(*) FROM frame").fetchone()[0]
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("frames,seconds,rss_mib\n")
            for s in samples:
                f.write("%d,%.1f,%.1f\n" % s)
    rss = [s[2] for s in samples if s[2] > 0]
    tenths = []
    for k in range(1, 11):
        goal = a.frames * k // 10
        at = [s[2] for s in samples if s[0] >= goal and s[2] > 0] or ([rss[-1]] if k == 10 and rss else [])
        tenths.append(round(at[0], 1) if at else None)
    result = {
        "inspector": a.inspector, "frames": a.frames, "exit": status, "seconds": round(seconds, 1),
        "frames_per_s": round(a.frames / seconds, 1), "rss_start_mib": round(rss[0], 1) if rss else None,
        "rss_at_each_tenth_mib": tenths, "rss_peak_mib": round(max(rss), 1) if rss else None,
        "tickets": tickets, "frames_stored": stored, "log": os.path.join(tmp, "watch.log"),
    }
    print(json.dumps(result))
    # Memory is flat when the last tenth is within 15 % (or 10 MiB) of the first one.
    first, last = tenths[0], tenths[-1]
    flat = first is not None and last is not None and last <= max(first * 1.15, first + 10)
    return 0 if status == 0 and flat and tickets == 2 else 1


if __name__ == "__main__":
    sys.exit(main())
