#!/usr/bin/env python3
"""Screenshots of the review pages over a real database, in real headless Chromium (chromium + chromedriver,
Debian packages; `scripts/setup` installs them). Typically after the README's demo survey:

    swift run -c release pavewatch survey datasets/demo-survey --db demo.sqlite --report demo-report
    python3 scripts/demo_screenshots.py --pavewatch .build/release/pavewatch --db demo.sqlite --out demo-screenshots

It adds a reviewer `demo` to the database (password from $DEMO_PASSWORD or a fixed demo one), starts
`pavewatch serve` on a free loopback port, logs in through the login form and saves list.png, map.png and
defect.png (the highest-ranked defect, with its crop and outline). WebDriver is spoken over plain HTTP
(no Python packages needed).
"""
from procstat import free_port, stop
import argparse, base64, json, os, shutil, subprocess, sys, time, urllib.request


def wait_http(url, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # the server answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} after {seconds} s")


class WebDriver:
    def __init__(self, base):
        self.base, self.session = base, None

    def cmd(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else (b"{}" if method == "POST" else None)
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}").get("value")

    def start(self, chromium):
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                         "--window-size=1280,1000", "--no-first-run", "--disable-extensions"]}}}}
        self.session = self.cmd("POST", "/session", caps)["sessionId"]

    def s(self, path):
        return f"/session/{self.session}{path}"

    def go(self, url):
        self.cmd("POST", self.s("/url"), {"url": url})

    def element(self, css):
        v = self.cmd("POST", self.s("/element"), {"using": "css selector", "value": css})
        return next(iter(v.values()))

    def type(self, css, text):
        e = self.element(css)
        self.cmd("POST", self.s(f"/element/{e}/value"), {"text": text})

    def click(self, css):
        self.cmd("POST", self.s(f"/element/{self.element(css)}/click"))

    def script(self, src):
        return self.cmd("POST", self.s("/execute/sync"), {"script": src, "args": []})

    def wait(self, src, seconds=15):
        end = time.time() + seconds
        while time.time() < end:
            if self.script(src) is True:
                return
            time.sleep(0.1)
        raise SystemExit(f"timed out waiting for: {src}")

    def shot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.cmd("GET", self.s("/screenshot"))))

    def quit(self):
        try:
            self.cmd("DELETE", self.s(""))
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pavewatch", default=".build/release/pavewatch")
    ap.add_argument("--db", default="demo.sqlite")
    ap.add_argument("--out", default="demo-screenshots")
    a = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/lib/chromium/chromedriver" if os.path.exists("/usr/lib/chromium/chromedriver") else None)
    if not chromium or not driver:
        raise SystemExit("chromium and chromedriver are needed: run scripts/setup (Debian packages chromium, chromium-driver)")
    os.makedirs(a.out, exist_ok=True)
    password = os.environ.get("DEMO_PASSWORD", "demo review password")
    subprocess.run([a.pavewatch, "users", "add", "demo", "--role", "reviewer", "--db", a.db],
                   input=password + "\n", text=True, check=True, stdout=subprocess.DEVNULL)
    port, dport = free_port(), free_port()
    server = subprocess.Popen([a.pavewatch, "serve", "--db", a.db, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chromedriver = subprocess.Popen([driver, f"--port={dport}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wd = WebDriver(f"http://127.0.0.1:{dport}")
    try:
        site = f"http://127.0.0.1:{port}"
        wait_http(site + "/login")
        wait_http(wd.base + "/status")
        wd.start(chromium)
        wd.go(site + "/login")
        wd.type("#name", "demo")
        wd.type("#password", password)
        wd.click("#login-button")
        wd.wait("return document.getElementById('tickets') !== null")
        rows = wd.script("return document.querySelectorAll('#tickets tbody tr').length")
        wd.shot(os.path.join(a.out, "list.png"))
        first = wd.script("var a = document.querySelector('#tickets tbody tr a[href^=\"/tickets/\"]'); return a ? a.getAttribute('href') : null")
        wd.go(site + "/map")
        wd.wait("var m = document.getElementById('leaflet'); return m !== null && m.getAttribute('data-ready') !== null")
        wd.shot(os.path.join(a.out, "map.png"))
        for page in ("surveys", "condition", "kpi"):
            wd.go(site + "/" + page)
            wd.wait("return document.readyState === 'complete'")
            wd.shot(os.path.join(a.out, page + ".png"))
        if first:
            wd.go(site + first)
            wd.wait("return document.readyState === 'complete'")
            wd.shot(os.path.join(a.out, "defect.png"))
            frame = wd.script("var a = document.querySelector('a.frame-link'); return a ? a.getAttribute('href') : null")
            if frame:
                wd.go(site + frame)
                wd.wait("var v = document.getElementById('frame-viewer'); return v !== null && v.getAttribute('data-ready') !== null")
                wd.wait("var i = document.querySelector('#frame-viewer img.leaflet-image-layer'); return i !== null && i.complete && i.naturalWidth > 0")
                wd.shot(os.path.join(a.out, "frame.png"))
        print(json.dumps({"tickets": rows, "defect": first, "screenshots": sorted(os.listdir(a.out))}))
    finally:
        wd.quit()
        for p in (chromedriver, server):
            stop(p)


if __name__ == "__main__":
    sys.exit(main())
