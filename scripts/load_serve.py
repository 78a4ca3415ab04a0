#!/usr/bin/env python3
"""Load test of `pavewatch serve` on loopback (issue 22): CLIENTS concurrent clients for SECONDS, each looping over a
mix of Open311 reads (services, requests), Open311 creates (with an API key) and review pages (the ranked list and the
map data, logged in), on a fresh SQLite database. Prints one JSON object: requests, failures (status >= 400 or a
connection error, with examples), p50 / p99 latency per kind and overall, the server's peak RSS.

    python3 scripts/load_serve.py --pavewatch .build/release/pavewatch --clients 200 --seconds 20
"""
from procstat import free_port, rss_kb, stop
import argparse, http.client, json, os, re, subprocess, tempfile, threading, time, urllib.parse

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pavewatch", default=".build/release/pavewatch")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="pw-load-")
    db = os.path.join(tmp, "load.sqlite")
    password = "load test password"
    subprocess.run([a.pavewatch, "users", "add", "loader", "--role", "viewer", "--db", db, "--cost", "4"],
                   input=password + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([a.pavewatch, "serve", "--db", db, "--port", str(port), "--api-key", "loadkey"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/login"); r = c.getresponse(); body = r.read()
                break
            except OSError:
                time.sleep(0.1)
        # Log in once; every client shares the session (the pages' cost, not bcrypt's, is measured).
        cookie = r.getheader("Set-Cookie").split(";")[0]
        csrf = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/login", urllib.parse.urlencode({"csrf": csrf, "name": "loader", "password": password, "next": "/"}),
                  {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        r = c.getresponse(); r.read()
        session = [h.split(";")[0] for k, h in r.getheaders() if k.lower() == "set-cookie" and h.startswith("pw_session=")][0]
        mix = [("open311-services", "GET", "/open311/v2/services.json", None, {}),
               ("open311-requests", "GET", "/open311/v2/requests.json", None, {}),
               ("open311-create", "POST", "/open311/v2/requests.json", None, {"Content-Type": "application/x-www-form-urlencoded"}),
               ("review-list", "GET", "/", None, {"Cookie": session}),
               ("review-map-data", "GET", "/map.geojson", None, {"Cookie": session})]
        lock = threading.Lock()
        latencies = {k[0]: [] for k in mix}
        failures = []
        peak = [0]
        stop = time.time() + a.seconds

        def client(i):
            conn = None
            n = i
            while time.time() < stop:
                kind, method, path, body, headers = mix[n % len(mix)]
                n += 1
                if kind == "open311-create":
                    body = urllib.parse.urlencode({"api_key": "loadkey", "service_code": "crack", "lat": 47.37 + (n % 997) * 1e-5,
                                                   "long": 8.54 + (i % 211) * 1e-5, "description": f"load {i}-{n}"})
                t0 = time.perf_counter()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request(method, path, body, headers)
                    r = conn.getresponse(); r.read()
                    ok = r.status < 400
                    status = r.status
                    if r.getheader("Connection", "").lower() == "close":
                        conn.close(); conn = None
                except Exception as e:  # a failed request: connection refused or reset, timeout
                    ok, status = False, repr(e)
                    try:
                        conn.close()
                    except Exception:
                        pass
                    conn = None
                dt = time.perf_counter() - t0
                with lock:
                    latencies[kind].append(dt)
                    if not ok and len(failures) < 1000:
                        failures.append(f"{kind}: {status}")

        def sample():
            while time.time() < stop:
                peak[0] = max(peak[0], rss_kb(server.pid)); time.sleep(0.2)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)] + [threading.Thread(target=sample)]
        t0 = time.time()
        for t in threads: t.start()
        for t in threads: t.join()
        elapsed = time.time() - t0

        def pct(xs, q):
            xs = sorted(xs); return round(xs[min(len(xs) - 1, int(q * len(xs)))] * 1000, 1) if xs else None
        every = [x for v in latencies.values() for x in v]
        print(json.dumps({"clients": a.clients, "seconds": round(elapsed, 1), "requests": len(every),
                          "requestsPerSecond": round(len(every) / elapsed, 1), "failures": len(failures),
                          "failureExamples": sorted(set(failures))[:5],
                          "p50ms": pct(every, 0.5), "p99ms": pct(every, 0.99),
                          "perKind": {k: {"n": len(v), "p50ms": pct(v, 0.5), "p99ms": pct(v, 0.99)} for k, v in latencies.items()},
                          "serverPeakRSSMiB": round(peak[0] / 1024, 1)}, indent=1))
    finally:
        stop(server)

if __name__ == "__main__":
    main()
