#!/usr/bin/env python3
"""Distributed-survey benchmark: frames per second of 1, 2, ... `pavewatch worker` processes (each with
`--threads 1`) sharing one survey through a PostgreSQL job table, on this machine.

For each worker count it starts a fresh PostgreSQL cluster in a temporary folder (Debian's postgresql
package: `scripts/setup` installs it; run as the `postgres` user when this runs as root), enqueues FOLDER
with `pavewatch survey FOLDER --enqueue`, starts the workers with `--until-done`, and times from their start
until the last one exits. Prints one line per count and, with --json, a JSON object at the end.

    python3 scripts/bench_workers.py /tmp/survey24 --pavewatch .build/release/pavewatch --workers 1,2
"""
from procstat import free_port
import argparse, glob, json, os, shutil, subprocess, sys, tempfile, time


class Cluster:
    def __init__(self):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not versions:
            sys.exit("no PostgreSQL in /usr/lib/postgresql: run scripts/setup")
        self.bin = versions[-1]
        self.dir = tempfile.mkdtemp(prefix="pw-bench-pg-", dir="/tmp")
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.run("initdb", "-D", self.data, "-U", "pavewatch", "--auth=trust", "-E", "UTF8", "--no-locale",
                 "--no-sync", "--no-instructions")
        self.run("pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir, "log"), "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on", "start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "pavewatch", "bench")
        self.url = f"postgres://pavewatch@127.0.0.1:{self.port}/bench"

    def run(self, tool, *args):
        subprocess.run(self.as_user + [os.path.join(self.bin, tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(self):
        subprocess.run(self.as_user + [os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--pavewatch", default=".build/release/pavewatch")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    folder = os.path.abspath(a.folder)
    results = {}
    for n in [int(x) for x in a.workers.split(",")]:
        cluster = Cluster()
        try:
            env = dict(os.environ, PAVEWATCH_DB=cluster.url)
            subprocess.run([a.pavewatch, "survey", folder, "--enqueue", "--name", "bench"], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            start = time.monotonic()
            procs = [subprocess.Popen([a.pavewatch, "worker", "--threads", "1", "--until-done", "--name", f"w{i}",
                                       "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL)
                     for i in range(n)]
            codes = [p.wait() for p in procs]
            seconds = time.monotonic() - start
            status = json.loads(subprocess.run([a.pavewatch, "survey", "status", "1", "--json"], env=env, check=True,
                                               capture_output=True, text=True).stdout)
            done = status["done"]
            results[n] = {"workers": n, "frames": done, "failed": status["failed"], "seconds": round(seconds, 1),
                          "framesPerSecond": round(done / seconds, 4), "exitCodes": codes,
                          "perWorker": {w["worker"]: w["done"] for w in status["workers"]}}
            r = results[n]
            print(f"{n} worker(s), --threads 1: {done} frames in {r['seconds']} s = {r['framesPerSecond']} frames/s "
                  f"(failed {r['failed']}, per worker {r['perWorker']})", flush=True)
        finally:
            cluster.stop()
    if a.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
