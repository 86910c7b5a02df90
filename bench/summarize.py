#!/usr/bin/env python3
"""Summary table of a bench/run.sh results file.

    summarize.py RESULTS_FILE [DEEP_COUNT]

Each figure is the mean over the A/B rounds, with every round's own value in brackets,
so a noisy figure shows itself. Ratios are Sluice / fauxqs. Goals come from the
project's performance targets (bench/README.md).
"""
import re
import sys
from collections import defaultdict

path = sys.argv[1]
deep = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000

results = {}              # label -> dict of RESULT fields
lat = defaultdict(dict)   # label -> op -> dict of LAT fields
scalars = {}              # label -> number (RSS kb, DEPTH n)
errors = {}
cpu = {}                  # label -> server CPU seconds during that loadgen run
comments = []
for line in open(path):
    line = line.rstrip("\n")
    if line.startswith("#"):
        comments.append(line)
        continue
    kind, _, rest = line.partition(" ")
    fields = dict(re.findall(r"(\w+)=(\S+)", rest))
    label = fields.get("label")
    if kind == "RESULT":
        results[label] = fields
    elif kind == "LAT":
        lat[label][fields["op"]] = fields
    elif kind == "RSS":
        scalars[label] = int(fields["kb"])
    elif kind == "DEPTH":
        scalars[label] = int(fields["n"])
    elif kind == "CPU":
        cpu[label] = int(fields["server_ticks"]) / float(fields["clk_tck"])
    elif kind == "OVERLOADED":
        scalars[label] = float(fields["peak"])
    elif kind == "ERROR":
        errors[label] = rest

rounds = sorted({l.split("/")[0] for l in results if l.startswith("r")})


def per_round(fn):
    vals = []
    for r in rounds:
        try:
            v = fn(r)
        except (KeyError, ValueError):
            v = None
        if v is not None:
            vals.append(v)
    return vals


def throughput(server, mode, scenario):
    return per_round(lambda r: float(results["%s/%s-%s/%s" % (r, server, mode, scenario)]["msgs_per_s"]))


def p99(server, mode, scenario, op="all"):
    return per_round(lambda r: float(lat["%s/%s-%s/%s" % (r, server, mode, scenario)][op]["p99_ms"]))


def rate(server, mode, scenario):
    return per_round(lambda r: float(results["%s/%s-%s/%s" % (r, server, mode, scenario)]["rate"]))


def cpu_per_msg(server, mode, scenario):
    def one(r):
        label = "%s/%s-%s/%s" % (r, server, mode, scenario)
        return cpu[label] * 1e6 / int(results[label]["all_msgs"])
    return per_round(one)


def mean(vals):
    return sum(vals) / len(vals) if vals else None


def fmt(vals, unit=""):
    if not vals:
        return "n/a"
    m = mean(vals)
    digits = 3 if unit == "ms" else 0
    text = "%.*f%s" % (digits, m, " " + unit if unit else "")
    if len(vals) > 1:
        text += " (" + "/".join("%.*f" % (digits, v) for v in vals) + ")"
    return text


def fmt_rate(vals):
    return "n/a" if not vals else "/".join("%.0f" % v for v in vals)


def ratio(a, b):
    if not a or not b:
        return "n/a"
    return "%.2fx" % (mean(a) / mean(b))


rows = []  # (metric, sluice, fauxqs, ratio, goal, verdict)


def verdict(ok):
    return "n/a" if ok is None else ("MET" if ok else "NOT MET")


for mode, title in (("mem", "memory"), ("disk", "data dir")):
    s_send, f_send = throughput("sluice", mode, "send-json"), throughput("fauxqs", mode, "send-json")
    ok = mean(s_send) / mean(f_send) >= 3 if s_send and f_send and mode == "mem" else None
    rows.append(("SendMessage JSON msg/s [%s]" % title, fmt(s_send), fmt(f_send), ratio(s_send, f_send),
                 ">= 3x fauxqs" if mode == "mem" else "", verdict(ok) if mode == "mem" else ""))
    s_q = throughput("sluice", mode, "send-query")
    rows.append(("SendMessage Query msg/s [%s]" % title, fmt(s_q), "no SQS Query",
                 ratio(s_q, f_send) + " vs its JSON" if s_q and f_send else "n/a", "", ""))
    s_f1, f_f1 = throughput("sluice", mode, "flow1-json"), throughput("fauxqs", mode, "flow1-json")
    ok = mean(s_f1) / mean(f_f1) >= 3 if s_f1 and f_f1 and mode == "mem" else None
    rows.append(("send->recv->delete b1 msg/s [%s]" % title, fmt(s_f1), fmt(f_f1), ratio(s_f1, f_f1),
                 ">= 3x fauxqs" if mode == "mem" else "", verdict(ok) if mode == "mem" else ""))
    s_f10, f_f10 = throughput("sluice", mode, "flow10-json"), throughput("fauxqs", mode, "flow10-json")
    rows.append(("send->recv->delete b10 msg/s [%s]" % title, fmt(s_f10), fmt(f_f10), ratio(s_f10, f_f10),
                 "", ""))
    r_half = rate("sluice", mode, "open-half-sluice-peak")
    s_p99 = p99("sluice", mode, "open-half-sluice-peak")
    f_p99 = p99("fauxqs", mode, "open-half-sluice-peak")
    f_over = [l for l in scalars if l.endswith("fauxqs-%s/open-half-sluice-peak" % mode)]
    ok = mean(s_p99) < 2.0 if s_p99 and mode == "mem" else None
    f_cell = fmt(f_p99, "ms") if f_p99 or not f_over else "overloaded: peak < rate"
    if f_p99 and f_over:
        f_cell += " [%d of %d rounds; overloaded in the others]" % (len(f_p99), len(f_p99) + len(f_over))
    rows.append(("p99 SendMessage @ half Sluice peak (%s/s) [%s]" % (fmt_rate(r_half), title), fmt(s_p99, "ms"),
                 f_cell,
                 ratio(s_p99, f_p99), "< 2 ms" if mode == "mem" else "",
                 verdict(ok) if mode == "mem" else ""))
    f_own = p99("fauxqs", mode, "open-half-own-peak")
    r_own = rate("fauxqs", mode, "open-half-own-peak")
    rows.append(("p99 fauxqs @ half its own peak (%s/s) [%s]" % (fmt_rate(r_own), title), "", fmt(f_own, "ms"),
                 "", "", ""))

# Server CPU time per message (user + system, whole run incl. warm-up): less sensitive to
# other load on the machine than throughput is.
for mode, title in (("mem", "memory"), ("disk", "data dir")):
    for scenario, name in (("send-json", "SendMessage JSON"), ("flow1-json", "send->recv->delete b1"),
                           ("flow10-json", "send->recv->delete b10")):
        sc, fc = cpu_per_msg("sluice", mode, scenario), cpu_per_msg("fauxqs", mode, scenario)
        rows.append(("server CPU us/msg, %s [%s]" % (name, title), fmt(sc), fmt(fc), ratio(sc, fc), "", ""))

# --data-dir against memory-only, Sluice only.
for scenario, name in (("send-json", "SendMessage JSON"), ("send-query", "SendMessage Query"),
                       ("flow1-json", "send->recv->delete b1"), ("flow10-json", "send->recv->delete b10")):
    mem, disk = throughput("sluice", "mem", scenario), throughput("sluice", "disk", scenario)
    ok = mean(disk) / mean(mem) >= 0.5 if mem and disk else None
    fm, fd = throughput("fauxqs", "mem", scenario), throughput("fauxqs", "disk", scenario)
    rows.append(("data dir / memory, %s" % name, ratio(disk, mem), ratio(fd, fm) if fm and fd else "n/a",
                 "", ">= 0.5", verdict(ok)))

# Deep queue.
def deep_value(server, key):
    return scalars.get("deep/%s/%s" % (server, key))


def deep_lat(server, which, field):
    try:
        return float(lat["deep/%s/latency-%s" % (server, which)]["ReceiveMessage"][field])
    except KeyError:
        return None


def mb(kb):
    return "n/a" if kb is None else "%.0f MiB" % (kb / 1024)


s_rss, f_rss = deep_value("sluice", "rss-deep"), deep_value("fauxqs", "rss-deep")
rows.append(("RSS with %d queued 1 KiB msgs" % deep, mb(s_rss), mb(f_rss),
             "%.2fx" % (s_rss / f_rss) if s_rss and f_rss else "n/a", "< 1.5 GB (as 1.5 GiB)",
             verdict(s_rss < 1.5 * 1024 * 1024 if s_rss else None)))
rows.append(("queue depth reached (ApproximateNumberOfMessages)",
             str(deep_value("sluice", "depth-deep") or "n/a"), str(deep_value("fauxqs", "depth-deep") or "n/a"),
             "", "", ""))
for field in ("p50_ms", "p99_ms"):
    cells = []
    for server in ("sluice", "fauxqs"):
        a, b = deep_lat(server, "1k", field), deep_lat(server, "deep", field)
        cells.append("n/a" if a is None or b is None else "%.3f -> %.3f ms" % (a, b))
    a, b = deep_lat("sluice", "1k", field), deep_lat("sluice", "deep", field)
    # "Unchanged": within 25% (or 0.1 ms, below which timer noise dominates).
    ok = None if a is None or b is None else b <= max(1.25 * a, a + 0.1)
    rows.append(("ReceiveMessage %s, 1k -> %d queued" % (field[:3], deep), cells[0], cells[1], "",
                 "unchanged (<= 1.25x or +0.1 ms)", verdict(ok)))

header = ("metric", "sluice", "fauxqs", "sluice/fauxqs", "goal", "")
widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(6)]
print()
for c in comments:
    print(c)
print(" | ".join(str(h).ljust(w) for h, w in zip(header, widths)))
print("-+-".join("-" * w for w in widths))
for r in rows:
    print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
if errors:
    print("\nerrors reported by the load generator:")
    for label, text in sorted(errors.items()):
        print("  %s: %s" % (label, text[:300]))
incomplete = {l: r["incomplete"] for l, r in results.items() if r.get("incomplete", "0") != "0"}
if incomplete:
    print("\nrequests not completed within the grace period (server overloaded):")
    for label, n in sorted(incomplete.items()):
        print("  %s: %s" % (label, n))
