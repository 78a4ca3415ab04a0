#!/usr/bin/env python3
"""Survey benchmark: runs `pavewatch survey FOLDER` on a fresh database and reports frames per second and
the peak resident memory of the process, with RSS samples over the run (to see that memory stays flat).

    python3 scripts/make_survey_bench.py /tmp/survey100 --frames 100
    python3 scripts/bench_survey.py /tmp/survey100 --pavewatch .build-native/release/pavewatch [--csv rss.csv]

Prints one JSON object: frames, failures, seconds, framesPerSecond, peakRssMiB, rssMiB at 25/50/75/100 % of the
run. The database is a new temporary file each run (no frame is skipped as already stored).
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--pavewatch", default=".build/release/pavewatch", help="the pavewatch executable")
    ap.add_argument("--csv", help="write the RSS samples (seconds, MiB) here")
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more arguments for pavewatch survey")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.sqlite")
        cmd = [a.pavewatch, "survey", a.folder, "--db", db, "--json"] + a.extra
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        samples = []
        while p.poll() is None:
            r = rss_kib(p.pid)
            if r is not None:
                samples.append((time.monotonic() - t0, r / 1024))
            time.sleep(0.5)
        out = p.stdout.read()
        seconds = time.monotonic() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        summary = json.loads(out.strip().splitlines()[-1] if out.strip() else "{}").get("summary", {})
    except (json.JSONDecodeError, AttributeError):
        summary = {}
    frames = summary.get("framesProcessed", 0)
    at = {}
    for q in (25, 50, 75, 100):
        if samples:
            t = seconds * q / 100
            at[f"{q}%"] = round(max((s for s in samples if s[0] <= t), key=lambda s: s[0], default=samples[0])[1], 1)
    result = {"folder": a.folder, "exitStatus": p.returncode, "frames": frames,
              "failures": len(summary.get("failures", [])), "seconds": round(seconds, 2),
              "framesPerSecond": round(frames / seconds, 3) if seconds > 0 else None,
              "peakRssMiB": round(peak, 1), "rssMiB": at}
    if a.csv:
        with open(a.csv, "w") as f:
            f.write("seconds,rss_mib\n")
            for t, m in samples:
                f.write(f"{t:.1f},{m:.1f}\n")
    print(json.dumps(result))
    return 0 if p.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
