#!/usr/bin/env python3
"""Ingest benchmark: merges dense synthetic findings into tickets, one frame per transaction (as a survey does),
into SQLite and into PostgreSQL, and reports findings per second and the number of tickets.

    swift build -c release --product pavewatch
    python3 scripts/bench_ingest.py --pavewatch .build/release/pavewatch [--findings 10000] [--stores sqlite,postgres]

The findings (seeded, so every run ingests the same input) lie along a street 10 m wide (1.5 defects per metre
by default) flown east in frames every 5 m with a 15 m footprint (about 22 findings a frame), so each defect is
seen in about three frames, shifted by a few centimetres each time: cracks as LineStrings (8-30 points, 0.5-4 m), crack areas (alligator) and leaks as Polygons (60-200 points,
0.5-2.5 m across), chained in places into long tickets. `--passes N` flies the street N times (more sightings piling up on the same tickets).
All frames go into one JSON file; `pavewatch import --per-frame` ingests them one frame per transaction. The time
is the whole `pavewatch import` process (start, reading the JSON, opening the database, the ingest).

PostgreSQL: a throw-away cluster from Debian's binaries (/usr/lib/postgresql/*/bin, see scripts/setup) on a free
loopback port, fsync off, like the tests' TemporaryPostgres; removed at the end. Prints one JSON object per store.
"""
from procstat import free_port
import argparse, glob, json, math, os, random, shutil, subprocess, sys, tempfile, time

LAT0, LON0 = 52.52, 13.40
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def geo(x, y):
    """[longitude, latitude] of east/north metres (x, y) from the origin."""
    return [LON0 + x / M_PER_DEG_LON, LAT0 + y / M_PER_DEG_LAT]


def make_defects(rng, length_m, density):
    defects = []
    for _ in range(int(length_m * density)):
        cx, cy = rng.uniform(0, length_m), rng.uniform(-4.5, 4.5)
        kind = rng.random()
        if kind < 0.6:  # a crack's centre line
            n, length, angle = rng.randint(8, 30), rng.uniform(0.5, 4), rng.uniform(0, math.pi)
            pts = []
            for i in range(n):
                t = (i / (n - 1) - 0.5) * length
                pts.append((t * math.cos(angle) + rng.gauss(0, 0.03), t * math.sin(angle) + rng.gauss(0, 0.03)))
            defects.append(dict(cls="crack", subtype=rng.choice(["longitudinal", "transverse", "block"]), cx=cx, cy=cy,
                                kind="LineString", pts=pts, lengthM=length, widthMm=rng.uniform(1, 12)))
        else:  # an area: alligator cracking or a leak
            n, r = rng.randint(60, 200), rng.uniform(0.25, 1.25)
            pts = []
            for i in range(n):
                a = 2 * math.pi * i / n
                rr = r * (1 + 0.25 * math.sin(3 * a + cx) + rng.gauss(0, 0.02))
                pts.append((rr * math.cos(a), rr * math.sin(a) * 0.7))
            leak = kind > 0.8
            defects.append(dict(cls="leak" if leak else "crack", subtype=None if leak else "alligator", cx=cx, cy=cy,
                                kind="Polygon", pts=pts, areaM2=math.pi * r * r * 0.7))
    defects.sort(key=lambda d: d["cx"])
    return defects


def sighting(rng, d, frame_x):
    dx, dy = rng.gauss(0, 0.1), rng.gauss(0, 0.1)
    pts = [geo(d["cx"] + px + dx + rng.gauss(0, 0.01), d["cy"] + py + dy + rng.gauss(0, 0.01)) for px, py in d["pts"]]
    lon, lat = geo(d["cx"] + dx, d["cy"] + dy)
    f = {"class": d["cls"], "confidence": round(rng.uniform(0.5, 0.99), 3),
         "bbox": [int((d["cx"] - frame_x + 7.5) * 200), int((d["cy"] + 6) * 200), 40, 40], "outline": [],
         "latitude": lat, "longitude": lon, "uncertaintyM": round(rng.uniform(0.3, 0.6), 3)}
    if d["subtype"]:
        f["subtype"] = d["subtype"]
    if d["kind"] == "Polygon":
        f["geoOutline"] = {"type": "Polygon", "coordinates": [pts + [pts[0]]]}
        f["areaM2"] = round(d["areaM2"] * rng.uniform(0.9, 1.1), 3)
    else:
        f["geoOutline"] = {"type": "LineString", "coordinates": pts}
        f["lengthM"] = round(d["lengthM"] * rng.uniform(0.9, 1.1), 3)
        f["widthMm"] = round(d["widthMm"] * rng.uniform(0.9, 1.1), 2)
    return f


def make_frames(findings, seed, passes, density, step=5.0, half=7.5):
    """Frames of `passes` flights along the street until `findings` findings are reported."""
    rng = random.Random(seed)
    length = findings / (density * (2 * half / step) * passes) + 2 * half
    defects = make_defects(rng, length, density)
    frames, total = [], 0
    for p in range(passes):
        x = 0.0
        while x <= length and total < findings:
            seen = [d for d in defects if abs(d["cx"] - x) <= half][: findings - total]
            total += len(seen)
            fp = [geo(x - half, -6), geo(x + half, -6), geo(x + half, 6), geo(x - half, 6)]
            lon, lat = geo(x, 0)
            frames.append({"file": f"pass{p}/frame{len(frames):05d}.jpg", "width": 4000, "height": 3000,
                           "latitude": lat, "longitude": lon, "altitudeM": 30, "gsdCmPerPx": 0.5,
                           "footprint": fp,
                           "findings": [sighting(rng, d, x) for d in seen]})
            x += step
    return frames, total


class Postgres:
    def __init__(self, tmp):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
        if not versions:
            sys.exit("no PostgreSQL server in /usr/lib/postgresql: run scripts/setup")
        self.bin, self.dir = versions[-1], os.path.join(tmp, "pg")
        os.makedirs(self.dir)
        self.run_as = []
        if os.getuid() == 0:
            self.run_as = ["/usr/sbin/runuser", "-u", "postgres", "--"]
            os.chmod(tmp, 0o755)
            shutil.chown(self.dir, "postgres")
        self.data = os.path.join(self.dir, "data")
        subprocess.run(self.run_as + [f"{self.bin}/initdb", "-D", self.data, "-U", "pavewatch", "--auth=trust", "-E", "UTF8",
                                      "--no-locale", "--no-sync", "--no-instructions"], check=True, stdout=subprocess.DEVNULL)
        self.port = free_port()
        subprocess.run(self.run_as + [f"{self.bin}/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir, "log"),
                                      "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                                      "start"], check=True, stdout=subprocess.DEVNULL)

    def database(self, name):
        subprocess.run([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "pavewatch", name], check=True)
        return f"postgres://pavewatch@127.0.0.1:{self.port}/{name}"

    def stop(self):
        subprocess.run(self.run_as + [f"{self.bin}/pg_ctl", "-D", self.data, "stop", "-m", "immediate"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pavewatch", default=".build/release/pavewatch", help="the pavewatch executable")
    ap.add_argument("--findings", type=int, default=10_000)
    ap.add_argument("--passes", type=int, default=1, help="flights along the same street")
    ap.add_argument("--density", type=float, default=1.5, help="defects per metre of street")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--stores", default="sqlite,postgres")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per store before giving up")
    ap.add_argument("--keep", help="also write the generated frames to this JSON file")
    a = ap.parse_args()
    frames, total = make_frames(a.findings, a.seed, a.passes, a.density)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frames.json")
        with open(path, "w") as f:
            json.dump(frames, f)
        if a.keep:
            shutil.copy(path, a.keep)
        pg = None
        try:
            for store in a.stores.split(","):
                if store == "sqlite":
                    db = os.path.join(tmp, "bench.sqlite")
                else:
                    pg = pg or Postgres(tmp)
                    db = pg.database("bench")
                cmd = [a.pavewatch, "import", path, "--db", db, "--per-frame", "--json", "--survey", "bench"]
                t0 = time.monotonic()
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
                except subprocess.TimeoutExpired:
                    print(json.dumps({"store": store, "findings": total, "frames": len(frames),
                                      "timedOut": a.timeout}), flush=True)
                    continue
                seconds = time.monotonic() - t0
                if p.returncode != 0:
                    sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
                s = json.loads(p.stdout.strip().splitlines()[-1])
                print(json.dumps({"store": store, "findings": s["findingsAdded"], "frames": s["framesAdded"],
                                  "seconds": round(seconds, 2), "findingsPerSecond": round(s["findingsAdded"] / seconds, 1),
                                  "tickets": s["ticketsCreated"]}), flush=True)
        finally:
            if pg:
                pg.stop()


if __name__ == "__main__":
    main()
