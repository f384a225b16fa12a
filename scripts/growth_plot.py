#!/usr/bin/python3
"""Cost growth of secgroup: fits and plots the growth/METRIC/SET benchmarks (bench/growth.bench.cpp).

Reads Google Benchmark JSON output (secgroup_bench --benchmark_filter=^growth/
--benchmark_format=json, or --benchmark_out=FILE), and for every metric and family of sets
(gen-acl, stress-ranges) fits the exponent k of cost ~ rules^k in log-log space: overall (least
squares over every size measured) and over the last decade (the two largest sizes). Prints a
Markdown table and writes a log-log plot (PNG) of each metric's cost relative to its cost at the
smallest size, with the slopes 1 and 2 for comparison.

Values: build, analyze, equivalence, minimize, lint: CPU ms per call; single, batch256: ns per
packet (counter pkt_time); memory: MiB (counter bytes). Runs the benchmark skipped for the cap
(SECGROUP_GROWTH_CAP_S) are reported as skipped and left out of the fits.

    /usr/bin/python3 scripts/growth_plot.py growth.json --png docs/img/growth.png
    /usr/bin/python3 scripts/growth_plot.py --smoke --bench build-rel/bench/secgroup_bench

--smoke runs the benchmark itself at 100 and 1K rules only (a CTest, bench_smoke_growth): every
metric must be there at both sizes of both families, the fits finite and the PNG written.
Exits 77 (skipped) when matplotlib is missing.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

METRICS = ["build", "memory", "single", "batch256", "analyze", "equivalence", "minimize", "lint"]
UNITS = {"single": "ns/packet", "batch256": "ns/packet", "memory": "MiB"}
FAMILIES = ["gen-acl", "stress-ranges"]
NAME = re.compile(r"^growth/([a-z0-9]+)/(.+)-([0-9]+k?)$")
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def load(paths):
    """Returns {(metric, family): {rules: value or None (skipped)}} from the JSON files."""
    runs = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for b in doc.get("benchmarks", []):
            m = NAME.match(b.get("run_name", b["name"]))
            if not m:
                continue
            metric, family = m.group(1), m.group(2)
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            key = (metric, family, m.group(3))
            median = b.get("run_type") == "aggregate"
            if key in runs and runs[key][0] and not median:
                continue  # a median of repetitions wins over the single runs
            runs[key] = (median, b)
    out = {}
    for (metric, family, size), (_, b) in runs.items():
        series = out.setdefault((metric, family), {})
        if b.get("error_occurred"):  # skipped for the cap: no counters
            series[int(size[:-1]) * 1000 if size.endswith("k") else int(size)] = None
        elif metric in ("single", "batch256"):
            series[int(round(b["rules"]))] = b["pkt_time"] * 1e9
        elif metric == "memory":
            series[int(round(b["rules"]))] = b["bytes"] / (1024.0 * 1024.0)
        else:
            series[int(round(b["rules"]))] = b["cpu_time"] * TO_MS[b.get("time_unit", "ns")]
    return out


def slope(points):
    """Least-squares slope of log(value) over log(rules), or None with fewer than 2 points."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(v) for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def fits(series):
    """(k overall, k over the last decade) of a {rules: value} series."""
    points = sorted((n, v) for n, v in series.items() if v is not None and v > 0)
    return slope(points), slope(points[-2:])


def label(n):
    return f"{n // 1000}K" if n >= 1000 else str(n)


def number(v):
    if v is None:
        return "skipped"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def table(data):
    """The Markdown table: one row per family and metric."""
    sizes = sorted({n for s in data.values() for n in s})
    lines = [
        "| set | metric | unit | " + " | ".join(label(n) for n in sizes) + " | k overall | k last decade |",
        "|---|---|---|" + "---:|" * len(sizes) + "---:|---:|",
    ]
    for family in FAMILIES + sorted({f for _, f in data} - set(FAMILIES)):
        for metric in METRICS:
            s = data.get((metric, family))
            if not s:
                continue
            k, k_last = fits(s)
            cells = [number(s[n]) if n in s else "–" for n in sizes]
            fmt = lambda k_: "–" if k_ is None else f"{k_:.2f}"
            lines.append(f"| {family} | {metric} | {UNITS.get(metric, 'ms')} | " + " | ".join(cells)
                         + f" | {fmt(k)} | {fmt(k_last)} |")
    return "\n".join(lines)


def plot(data, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    families = [f for f in FAMILIES if any(fam == f for _, fam in data)]
    fig, axes = plt.subplots(1, len(families), figsize=(5.2 * len(families), 4.2), squeeze=False)
    for ax, family in zip(axes[0], families):
        xmin = xmax = None
        for i, metric in enumerate(METRICS):
            s = data.get((metric, family))
            if not s:
                continue
            points = sorted((n, v) for n, v in s.items() if v is not None and v > 0)
            if not points:
                continue
            base = points[0][1]
            k, _ = fits(s)
            ax.plot([n for n, _ in points], [v / base for _, v in points], marker="o", ms=3,
                    lw=1.4, color=f"C{i}",
                    label=f"{metric} (k={k:.2f})" if k is not None else metric)
            xmin = points[0][0] if xmin is None else min(xmin, points[0][0])
            xmax = points[-1][0] if xmax is None else max(xmax, points[-1][0])
        if xmin is not None:
            for k, style in ((1, ":"), (2, "--")):
                ax.plot([xmin, xmax], [1, (xmax / xmin) ** k], color="grey", ls=style, lw=0.9,
                        label=f"rules^{k}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(family, fontsize=10)
        ax.set_xlabel("rules")
        ax.set_ylabel("cost relative to the smallest set")
        ax.grid(True, which="major", lw=0.4, alpha=0.6)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def smoke(bench, png):
    """Runs the growth benchmarks at 100 and 1K rules and checks what this script makes of them."""
    with tempfile.TemporaryDirectory(prefix="secgroup-growth-") as tmp:
        out = os.path.join(tmp, "growth.json")
        subprocess.run([bench, "--benchmark_filter=^growth/.*-(100|1k)$",
                        "--benchmark_min_time=0.01", "--benchmark_format=json",
                        f"--benchmark_out={out}", "--benchmark_out_format=json"],
                       check=True, stdout=subprocess.DEVNULL)
        data = load([out])
        png = png or os.path.join(tmp, "growth.png")
        problems = []
        for family in FAMILIES:
            for metric in METRICS:
                s = data.get((metric, family), {})
                if sorted(n for n, v in s.items() if v) != [100, 1000]:
                    problems.append(f"{metric}/{family}: sizes {sorted(s)}")
                    continue
                k, k_last = fits(s)
                if k is None or not math.isfinite(k) or k_last is None:
                    problems.append(f"{metric}/{family}: no exponent")
        plot(data, png)
        if os.path.getsize(png) < 1000:
            problems.append(f"{png}: {os.path.getsize(png)} bytes")
        print(table(data))
        for p in problems:
            print("growth_plot --smoke:", p, file=sys.stderr)
        return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", nargs="*", help="Google Benchmark JSON output files")
    ap.add_argument("--png", help="write the log-log plot here")
    ap.add_argument("--smoke", action="store_true", help="run the benchmark at small sizes and check")
    ap.add_argument("--bench", help="the secgroup_bench executable (with --smoke)")
    args = ap.parse_args()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("growth_plot: matplotlib is missing (Debian: python3-matplotlib); skipped")
        return 77
    if args.smoke:
        if not args.bench:
            ap.error("--smoke needs --bench")
        return smoke(args.bench, args.png)
    if not args.json:
        ap.error("give the JSON output of secgroup_bench --benchmark_filter=^growth/")
    data = load(args.json)
    if not data:
        print("growth_plot: no growth/ benchmark in the input", file=sys.stderr)
        return 1
    print(table(data))
    if args.png:
        plot(data, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
