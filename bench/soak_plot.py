#!/usr/bin/env python3
"""Curves of a bench/soak.sh run, as hand-written SVG (standard library only).

    soak_plot.py RESULTS_FILE OUTDIR

writes OUTDIR/soak-rss.svg (the server's VmRSS in MiB against minutes since the soak started,
one point per 5 s sample) and OUTDIR/soak-latency.svg (p50 and p99 latency per minute of each
loadgen scenario, every request of the scenario: the LAT op=all lines; log y scale).
"""
import math
import os
import sys
from xml.sax.saxutils import escape

W, H = 820, 440
L, R, T, B = 80, 200, 50, 60  # margins; the legend sits in the right one
COLORS = {"flow1": "#1f77b4", "sns-publish": "#d62728", "sfn-start": "#2ca02c"}


def parse(path):
    rss, lat, guard = [], {}, []
    for line in open(path):
        words = line.split()
        if not words or words[0] not in ("SAMPLE", "LAT", "GUARD"):
            continue
        kv = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        if words[0] == "SAMPLE" and "rss_kb" in kv:
            rss.append((float(kv["elapsed_s"]) / 60, int(kv["rss_kb"]) / 1024))
        elif words[0] == "LAT" and kv.get("op") == "all":
            lat.setdefault(kv["label"], []).append(
                (int(kv["minute"]), float(kv["p50_ms"]), float(kv["p99_ms"])))
        elif words[0] == "GUARD":
            guard.append(int(kv["minute"]))
    return rss, lat, guard


def nice_ticks(lo, hi, n=6):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = [first + i * step for i in range(int((hi - first) / step + 1.999))]
    return ticks, step


def fmt(v):
    return ("%.3f" % v).rstrip("0").rstrip(".") if v < 1 else "%g" % v


class Chart:
    def __init__(self, title, xlabel, ylabel, xticks, yticks, logy=False):
        self.x0, self.x1 = xticks[0], xticks[-1]
        self.logy = logy
        f = math.log10 if logy else (lambda v: v)
        self.y0, self.y1 = f(yticks[0]), f(yticks[-1])
        self.f = f
        self.out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                    'font-family="sans-serif" font-size="12">' % (W, H),
                    '<rect width="100%" height="100%" fill="white"/>',
                    '<text x="%d" y="25" font-size="15" font-weight="bold">%s</text>'
                    % (L, escape(title))]
        pw, ph = W - L - R, H - T - B
        for v in xticks:
            x = self.px(v)
            self.out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>'
                            % (x, T, x, T + ph))
            self.out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                            % (x, T + ph + 18, fmt(v)))
        for v in yticks:
            y = self.py(v)
            self.out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>'
                            % (L, y, L + pw, y))
            self.out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>'
                            % (L - 6, y + 4, fmt(v)))
        self.out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>'
                        % (L, T, pw, ph))
        self.out.append('<text x="%d" y="%d" text-anchor="middle">%s</text>'
                        % (L + pw / 2, H - 15, escape(xlabel)))
        self.out.append('<text transform="translate(20 %d) rotate(-90)" text-anchor="middle">'
                        '%s</text>' % (T + ph / 2, escape(ylabel)))
        self.legend_y = T + 10

    def px(self, v):
        return L + (v - self.x0) / (self.x1 - self.x0) * (W - L - R)

    def py(self, v):
        v = self.f(max(v, 1e-9)) if self.logy else v
        return T + (self.y1 - v) / (self.y1 - self.y0) * (H - T - B)

    def series(self, name, color, points, dash="", markers=True):
        pts = " ".join("%.1f,%.1f" % (self.px(x), self.py(y)) for x, y in points)
        style = ' stroke-dasharray="%s"' % dash if dash else ""
        self.out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>'
                        % (pts, color, style))
        if markers:
            self.out.extend('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>'
                            % (self.px(x), self.py(y), color) for x, y in points)
        lx = W - R + 15
        self.out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                        % (lx, self.legend_y, lx + 30, self.legend_y, color, style))
        self.out.append('<text x="%d" y="%d">%s</text>' % (lx + 36, self.legend_y + 4, escape(name)))
        self.legend_y += 20

    def vline(self, x, text):
        self.out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#f80" '
                        'stroke-dasharray="2 3"/><text x="%.1f" y="%d" fill="#f80">%s</text>'
                        % (self.px(x), T, self.px(x), H - B, self.px(x) + 4, T + 14, escape(text)))

    def save(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.out + ["</svg>"]) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rss, lat, guard = parse(sys.argv[1])
    if not rss or not lat:
        sys.exit("no SAMPLE or LAT lines in " + sys.argv[1])
    os.makedirs(sys.argv[2], exist_ok=True)
    minutes = max(m for pts in lat.values() for m, _, _ in pts)

    xt, _ = nice_ticks(0, max(x for x, _ in rss), 10)
    yt, _ = nice_ticks(0, max(y for _, y in rss) * 1.05)
    c = Chart("Sluice soak: server RSS (VmRSS, every 5 s)", "minutes since the soak started",
              "RSS, MiB", xt, yt)
    c.series("VmRSS", "#1f77b4", rss, markers=False)
    for m in guard:
        c.vline(m - 1, "RSS guard")
    c.save(os.path.join(sys.argv[2], "soak-rss.svg"))

    values = [v for pts in lat.values() for _, p50, p99 in pts for v in (p50, p99)]
    lo = 10 ** math.floor(math.log10(max(min(values), 1e-3)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    decades = [10 ** e for e in range(round(math.log10(lo)), round(math.log10(hi)) + 1)]
    step = max(1, int(nice_ticks(0, minutes, 10)[1]))
    xt = list(range(0, minutes + step, step))
    c = Chart("Sluice soak: latency per minute (open loop, every request of the scenario)",
              "minute of the soak", "latency, ms (log scale)", xt, decades, logy=True)
    for label in sorted(lat):
        pts = sorted(lat[label])
        color = COLORS.get(label, "#555")
        c.series(label + " p99", color, [(m, p99) for m, _, p99 in pts])
        c.series(label + " p50", color, [(m, p50) for m, p50, _ in pts], dash="6 4")
    c.save(os.path.join(sys.argv[2], "soak-latency.svg"))


if __name__ == "__main__":
    main()
