#!/usr/bin/env python3
"""Plots resident memory over a run from the CSV files of `scripts/bench_survey.py --csv` as one SVG (no
plotting library needed): x = share of the run (so runs of different lengths overlay), y = RSS in MiB.

    python3 scripts/plot_rss.py --out docs/survey-rss.svg "100 frames=rss100.csv" "1,000 frames=rss1000.csv"
"""
import argparse, csv, html

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("series", nargs="+", help="LABEL=FILE.csv")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    runs = []
    for item in a.series:
        label, path = item.split("=", 1)
        with open(path) as f:
            rows = [(float(r["seconds"]), float(r["rss_mib"])) for r in csv.DictReader(f)]
        if rows:
            runs.append((label, rows))
    w, h, left, bottom, top, right = 720, 360, 60, 40, 20, 20
    ymax = max(m for _, rows in runs for _, m in rows) * 1.1
    ymax = max(100, (int(ymax) // 100 + 1) * 100)
    def x(share): return left + share * (w - left - right)
    def y(mib): return h - bottom - mib / ymax * (h - top - bottom)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="#fff"/>']
    step = 100 if ymax <= 1000 else 200
    for v in range(0, ymax + 1, step):
        out.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{w - right}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>')
    for q in range(0, 101, 25):
        out.append(f'<text x="{x(q / 100):.1f}" y="{h - bottom + 16}" text-anchor="middle">{q} %</text>')
    out.append(f'<text x="{(left + w - right) / 2}" y="{h - 6}" text-anchor="middle">share of the run</text>')
    out.append(f'<text x="14" y="{(top + h - bottom) / 2}" transform="rotate(-90 14 {(top + h - bottom) / 2})" text-anchor="middle">RSS MiB</text>')
    for i, (label, rows) in enumerate(runs):
        end = rows[-1][0] or 1
        pts = " ".join(f"{x(t / end):.1f},{y(m):.1f}" for t, m in rows)
        c = COLOURS[i % len(COLOURS)]
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="1.5"/>')
        peak = max(m for _, m in rows)
        out.append(f'<text x="{left + 10}" y="{top + 16 + 16 * i}" fill="{c}">{html.escape(label)}: sampled peak {peak:.0f} MiB, {end:.0f} s</text>')
    out.append("</svg>")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
