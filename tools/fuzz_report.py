#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""fuzz_report.py: the campaign report of `make fuzz` (fuzz/run_fuzz.sh calls it).

  fuzz_report.py [--engine E] [--seconds N] [--jobs N] WORK OUT.html
      write one self-contained HTML page (inline CSS and SVG; no script, no
      network) from what fuzz/run_fuzz.sh left in WORK: summary.tsv (a row per
      target), lanes.tsv (a row per target and lane: the sanitizer lane, the
      fast lane; optional), findings.tsv (a row per finding) and
      ENGINE/TARGET/timeline.tsv (seconds, edges, corpus, execs, sampled
      while the target ran; edges empty where the engine had not reported
      them yet: AFL++ does once a minute). Per target: edges and corpus size over time,
      exec/s and executions (per lane too), and each finding with its
      property, the lane that found it, its minimised trace and the command
      that replays it.
  fuzz_report.py --check WORK OUT.html
      check that OUT.html is that page for WORK and the engine its title
      names: a section per target with both charts (a point per sample; the
      edges chart a point per sample that has edges), its exec/s (and each lane's), every finding's property,
      trace and replay command, and nothing that loads from elsewhere.
      Prints what is wrong and exits 1.

Bad usage or a WORK without summary.tsv: one line on stderr and exit 2.
"""
import argparse
import csv
import html
import os
import sys
from html.parser import HTMLParser

CHART_W, CHART_H, PAD = 460, 150, 36
ENGINES = ("libfuzzer", "afl")  # fuzz/run_fuzz.sh --engine


def die(msg):
    print(f"fuzz_report.py: {msg}", file=sys.stderr)
    sys.exit(2)


def read_tsv(path, required=True):
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            return list(csv.DictReader(f, delimiter="\t"))
    except FileNotFoundError:
        if required:
            die(f"{path}: no such file (is this a work dir of fuzz/run_fuzz.sh?)")
        return []
    except OSError as e:
        die(f"{path}: {e.strerror}")


def num(s, default=0.0):
    try:
        return float(s)
    except (TypeError, ValueError):
        return default


def page_title(engine):
    """The page's title, which names its engine (--check reads it back)."""
    return f"sockfuzz {engine} campaign"


def edge_points(t):
    """The (seconds, edges) of T's samples that have edges."""
    return [(s, ed) for s, ed, _, _ in t["timeline"] if ed is not None]


def load(work, engine):
    targets = read_tsv(os.path.join(work, "summary.tsv"))
    if not targets:
        die(f"{work}/summary.tsv lists no target")
    findings = read_tsv(os.path.join(work, "findings.tsv"), required=False)
    lanes = read_tsv(os.path.join(work, "lanes.tsv"), required=False)
    for t in targets:
        t["lanes"] = [r for r in lanes if r.get("target") == t["target"]]
        rows = read_tsv(os.path.join(work, engine, t["target"], "timeline.tsv"), required=False)
        t["timeline"] = [(num(r.get("seconds")), num(r.get("edges"), None), num(r.get("corpus")),
                          num(r.get("execs"))) for r in rows]
        t["finding_rows"] = [f for f in findings if f.get("target") == t["target"]]
    return targets


def fmt(v):
    return f"{int(v):,}" if v == int(v) else f"{v:,.1f}"


def chart(title, series, color):
    """An SVG line chart of (x, y) points, axes labelled with their ranges."""
    w, h = CHART_W, CHART_H
    out = [f'<svg class="chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(title)}">',
           f'<text x="{PAD}" y="14" class="title">{html.escape(title)}</text>']
    x0, y0, x1, y1 = PAD, h - 22, w - 10, 24
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" class="axis"/>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" class="axis"/>')
    if not series:
        out.append(f'<text x="{(x0 + x1) // 2}" y="{(y0 + y1) // 2}" class="none" '
                   f'text-anchor="middle">no samples</text></svg>')
        return "".join(out)
    xmax = max(x for x, _ in series) or 1
    ymax = max(y for _, y in series) or 1
    ymin = min(y for _, y in series)
    if ymax == ymin:
        ymin = 0
    pts = " ".join(f"{x0 + (x / xmax) * (x1 - x0):.1f},{y0 - ((y - ymin) / (ymax - ymin)) * (y0 - y1):.1f}"
                   for x, y in series)
    out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"/>')
    out.append(f'<text x="{x0 - 4}" y="{y1 + 4}" text-anchor="end" class="tick">{fmt(ymax)}</text>')
    out.append(f'<text x="{x0 - 4}" y="{y0}" text-anchor="end" class="tick">{fmt(ymin)}</text>')
    out.append(f'<text x="{x0}" y="{h - 6}" class="tick">0 s</text>')
    out.append(f'<text x="{x1}" y="{h - 6}" text-anchor="end" class="tick">{fmt(xmax)} s</text>')
    out.append("</svg>")
    return "".join(out)


LANE_NAMES = {"san": "sanitizer (ASan+UBSan)", "fast": "fast (no sanitizers)"}
FOUND_BY = {"san": "the sanitizer lane", "fast": "the fast lane (re-run under the sanitizer build)",
            "corpus": "the corpus replay"}


def found_by(lanes):
    """The words for a finding's lane column (a list: corpus,san,fast)."""
    return ", ".join(FOUND_BY.get(x, x) for x in lanes.split(",") if x)


def lane_eps(t, lane):
    """The exec/s of LANE ("san", "fast") of target T, or "-" when it has none."""
    for r in t["lanes"]:
        if r.get("lane") == lane:
            return r.get("exec_per_s") or "?"
    return "-"


def lanes_line(r):
    """The text a lane's row of a target's section shows (--check looks for it)."""
    return f'{LANE_NAMES.get(r.get("lane"), r.get("lane"))}: {r.get("exec_per_s") or "?"} exec/s'


def read_trace(path):
    if not path:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #1b1f24; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
.meta { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: .3em .8em; border-bottom: 1px solid #d0d7de; text-align: right; }
th:first-child, td:first-child { text-align: left; }
section.target { border: 1px solid #d0d7de; border-radius: 6px; padding: .2em 1em 1em; margin: 1.5em 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.chart .axis { stroke: #8c959f; } .chart .tick { font-size: 11px; fill: #57606a; }
.chart .title { font-size: 12px; font-weight: 600; fill: #1b1f24; } .chart .none { fill: #8c959f; }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.finding { border-left: 4px solid #cf222e; padding: .2em 1em; margin: 1em 0; background: #fff8f8; }
pre { background: #f6f8fa; padding: .6em; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; }
"""


def render(targets, engine, seconds, jobs):
    nfind = sum(len(t["finding_rows"]) for t in targets)
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(page_title(engine))}</title>", f"<style>{STYLE}</style></head><body>",
           f"<h1>{e(page_title(engine))}</h1>",
           f'<p class="meta">{e(str(seconds))} s on {e(str(jobs))} cores, {len(targets)} targets: '
           + (f'<span class="bad">{nfind} finding(s)</span>' if nfind else
              '<span class="ok">no findings</span>') + "</p>",
           '<table class="summary"><tr><th>target</th><th>executions</th><th>exec/s</th>'
           "<th>sanitizer lane exec/s</th><th>fast lane exec/s</th>"
           "<th>corpus</th><th>edges</th><th>property checks</th><th>findings</th></tr>"]
    for t in targets:
        out.append(f'<tr><td><a href="#{e(t["target"])}">{e(t["target"])}</a></td>'
                   f'<td>{e(t.get("execs") or "?")}</td><td class="eps">{e(t.get("exec_per_s") or "?")}</td>'
                   f'<td>{e(lane_eps(t, "san"))}</td><td>{e(lane_eps(t, "fast"))}</td>'
                   f'<td>{e(t.get("corpus_start") or "?")} &rarr; {e(t.get("corpus") or "?")}</td>'
                   f'<td>{e(t.get("edges") or "?")}</td><td>{e(t.get("checks") or "?")}</td>'
                   f'<td>{e(t.get("findings") or "0")}</td></tr>')
    out.append("</table>")
    for t in targets:
        tl = t["timeline"]
        out.append(f'<section class="target" id="{e(t["target"])}"><h2>{e(t["target"])}</h2>')
        edges = edge_points(t)
        out.append(f'<p>{e(t.get("exec_per_s") or "?")} exec/s, {e(t.get("execs") or "?")} executions, '
                   f'{len(tl)} samples'
                   + (f' ({len(edges)} with edges: {e(engine)} had not reported them at the others)'
                      if len(edges) != len(tl) else "") + '</p>')
        if t["lanes"]:
            out.append('<table class="lanes"><tr><th>lane</th><th>workers</th><th>executions</th>'
                       "<th>exec/s</th><th>artifacts</th></tr>")
            for r in t["lanes"]:
                arts = r.get("artifacts") or "0"
                if r.get("lane") == "fast" and arts != "0":
                    arts += (f' (re-run under the sanitizer build: {r.get("reproduced") or 0} reproduce,'
                             f' {r.get("not_reproduced") or 0} do not)')
                out.append(f'<tr><td class="lane">{e(lanes_line(r))}</td><td>{e(r.get("workers") or "?")}</td>'
                           f'<td>{e(r.get("execs") or "?")}</td><td>{e(r.get("exec_per_s") or "?")}</td>'
                           f'<td>{e(arts)}</td></tr>')
            out.append("</table>")
        out.append('<div class="charts">')
        out.append(chart("edges over time", edges, "#0969da"))
        out.append(chart("corpus size over time", [(s, c) for s, _, c, _ in tl], "#8250df"))
        out.append("</div>")
        if not t["finding_rows"]:
            out.append('<p class="ok">no findings: every property held on every input</p>')
        # What production can reach first; raw-only findings apart, after.
        rows = sorted(t["finding_rows"], key=lambda f: f.get("kind") == "raw-only")
        for i, f in enumerate(rows):
            if f.get("kind") == "raw-only" and (i == 0 or rows[i - 1].get("kind") != "raw-only"):
                out.append('<h3 class="raw-only">raw-only findings (a raw event comes first:'
                           ' no real socket makes these runs)</h3>')
            trace = read_trace(f.get("trace"))
            kind = f.get("kind") or "-"
            out.append(f'<div class="finding"><h3>property <code class="prop">{e(f.get("property", "?"))}'
                       f'</code></h3><p>{e(kind)}; {e(f.get("bytes", "?"))} bytes, {e(f.get("verdict", ""))}'
                       + (f'; <span class="lane">found by {e(found_by(f["lane"]))}</span>' if f.get("lane") else "")
                       + "</p>")
            out.append(f'<p>reproducer: <code>{e(f.get("reproducer", ""))}</code></p>')
            if f.get("replay"):
                out.append(f'<p>replay:</p><pre class="replay">{e(f["replay"])}</pre>')
            if trace is not None:
                out.append(f'<p>minimised trace:</p><pre class="trace">{e(trace)}</pre>')
            out.append("</div>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


class Page(HTMLParser):
    """What --check looks at: sections, their SVGs and points, text, references."""

    def __init__(self):
        super().__init__()
        self.sections, self.cur, self.refs, self.text, self.stack = {}, None, [], [], []
        self.title = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.refs.append(f"<{tag}>")
        for k in ("src", "href"):
            v = a.get(k)
            if v and not v.startswith("#"):
                self.refs.append(f'{tag} {k}="{v}"')
        if tag == "section" and "target" in (a.get("class") or ""):
            self.cur = self.sections.setdefault(a.get("id"), {"svgs": 0, "points": [], "text": []})
        elif tag == "svg" and self.cur is not None:
            self.cur["svgs"] += 1
        elif tag == "polyline" and self.cur is not None:
            self.cur["points"].append(len((a.get("points") or "").split()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.stack.pop()

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()
        if tag == "section":
            self.cur = None

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "title":
            self.title += data
        self.text.append(data)
        if self.cur is not None:
            self.cur["text"].append(data)


def read_page(page_path):
    """OUT.html, parsed."""
    try:
        with open(page_path, encoding="utf-8") as f:
            page = f.read()
    except OSError as e:
        die(f"{page_path}: {e.strerror}")
    p = Page()
    p.feed(page)
    p.html = page
    return p


def page_engine(p):
    """The engine the page's title names (page_title()), or None."""
    return next((g for g in ENGINES if page_title(g) == p.title.strip()), None)


def check(targets, page_path, p):
    page = p.html
    bad = [f"loads from elsewhere: {r}" for r in p.refs]
    if "url(" in page or "@import" in page:
        bad.append("the style loads from elsewhere (url( or @import)")
    for t in targets:
        name, s = t["target"], p.sections.get(t["target"])
        if s is None:
            bad.append(f"{name}: no section")
            continue
        text = "".join(s["text"])
        if s["svgs"] != 2:
            bad.append(f"{name}: {s['svgs']} charts, want 2 (edges, corpus size)")
        n, ne = len(t["timeline"]), len(edge_points(t))
        want = [x for x in (ne, n) if x]  # a chart without points has no polyline
        if s["points"] != want:
            bad.append(f"{name}: chart points {s['points']}, want {want} (the samples with edges, all samples)")
        if not ne and "no samples" not in text:
            bad.append(f"{name}: no samples, and the charts do not say so")
        if f"{t.get('exec_per_s') or '?'} exec/s" not in text:
            bad.append(f"{name}: exec/s {t.get('exec_per_s')} not shown")
        for r in t["lanes"]:
            if lanes_line(r) not in text:
                bad.append(f"{name}: lane {r.get('lane')}'s exec/s not shown ('{lanes_line(r)}')")
        for f in t["finding_rows"]:
            for what in ("property", "replay"):
                if f.get(what) and f[what] not in text:
                    bad.append(f"{name}: finding's {what} '{f[what]}' not shown")
            trace = read_trace(f.get("trace"))
            if trace is not None and trace.strip() not in text:
                bad.append(f"{name}: the minimised trace of {f.get('property')} is not shown")
        if not t["finding_rows"] and "no findings" not in text:
            bad.append(f"{name}: no findings, and the section does not say so")
    for b in bad:
        print(f"{page_path}: {b}")
    return not bad


def main():
    # Bad usage: one line (no usage dump) and exit 2; -h shows the header.
    ap = argparse.ArgumentParser(usage=argparse.SUPPRESS, description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", choices=ENGINES, default=ENGINES[0])
    ap.add_argument("--seconds", default="?")
    ap.add_argument("--jobs", default="?")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("work")
    ap.add_argument("out")
    a = ap.parse_args()
    if not os.path.isdir(a.work):
        die(f"{a.work}: not a directory")
    engine = a.engine
    if a.check:
        # WORK holds every engine's timelines; the page says whose it is.
        p = read_page(a.out)
        engine = page_engine(p)
        if engine is None:
            print(f"{a.out}: the title names no engine ('{p.title}')")
            sys.exit(1)
        sys.exit(0 if check(load(a.work, engine), a.out, p) else 1)
    page = render(load(a.work, engine), engine, a.seconds, a.jobs)
    try:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(page)
    except OSError as e:
        die(f"{a.out}: {e.strerror}")


if __name__ == "__main__":
    main()
