#!/usr/bin/env python3
"""report.py — fill share/report.html.in with what parscale-summarize wrote.

Usage: report.py DIR TEMPLATE

Reads DIR/summary.csv, fits.csv, findings.csv, data/figures.tsv, meta.txt,
probe.csv and (after scripts/compare.sh) compare.csv, and writes
DIR/report.html: findings first, then a comparison with an earlier run, the
speedup pivot tables, the POP tables, the figures, the models, the probe, the
methods and links to the data.  Beside it, the same tables for pasting and
for tools: summary.md (Markdown) and summary.json (summary, fits, findings
and metadata), written by reportdata.py, which also reads the files.
Nothing is computed here but layout: every number is read from the
summariser's files.  A study with more than PAGE_CASES cases gets one page
per kernel (report-KERNEL.html) linked from report.html.
Standard library only.
"""
import os
import sys
import time
from string import Template
from typing import Dict, List, Optional

from reportdata import (SECTIONS, Row, Study, case_title, die, esc, export, fnum, num,
                        read_csv, read_meta, series_rows, write)

PAGE_CASES = 16
GOOD, FAIR = 0.8, 0.5
POP_ROWS = [
    ("load_balance", "load balance"),
    ("comm_efficiency", "communication efficiency"),
    ("parallel_efficiency", "parallel efficiency"),
    ("comp_scaling", "computation scaling"),
    ("global_efficiency", "global efficiency"),
    ("instruction_scaling", "instruction scaling"),
    ("ipc_scaling", "IPC scaling"),
]
SCALED = ("comp_scaling", "global_efficiency", "instruction_scaling", "ipc_scaling")
TRAP_TEXT = {
    "few-reps": "fewer than 6 repetitions: no 95 % interval",
    "unverified": "failed verification",
    "cache": "working set fits in the last-level cache",
    "short": "repetition shorter than 100 µs",
    "fixed-cost": "fixed cost ≥ 10 % of a repetition",
    "oversubscribed": "more workers than cores",
    "undelivered": "the machine did not deliver this many cores",
}

def human_time(s: str) -> str:
    v = fnum(s)
    if v is None:
        return "–"
    if v >= 1:
        return "%.3g s" % v
    if v >= 1e-3:
        return "%.3g ms" % (v * 1e3)
    return "%.3g µs" % (v * 1e6)


def grade(v: Optional[float]) -> str:
    if v is None:
        return "na"
    return "good" if v >= GOOD else "fair" if v >= FAIR else "poor"


def trap_mark(flags: str) -> str:
    words = [w for w in flags.split(";") if w]
    if not words:
        return ""
    tip = "; ".join(TRAP_TEXT.get(w, w) for w in words)
    return ' <span class="trap" title="%s">⚠</span>' % esc(tip)


def with_interval(v: str, lo: str, hi: str) -> str:
    if lo == "" or hi == "":
        return num(v)
    return '%s <span class="small">[%s–%s]</span>' % (num(v), num(lo), num(hi))


def findings_html(st: Study, cases: Optional[List[str]] = None) -> str:
    parts = []
    for key, heading in SECTIONS:
        items = []
        for f in st.findings:
            if f["section"] != key:
                continue
            subject = f["subject"].split("/")[0]
            if cases is not None and key not in ("startup", "primitives") and subject not in cases \
                    and f["subject"] not in cases:
                continue
            items.append("<li>%s</li>" % esc(f["text"]))
        if items:
            parts.append("<h3>%s</h3>\n<ul class=\"findings\">\n%s\n</ul>" % (heading, "\n".join(items)))
    if not st.pop:
        parts.append('<p class="small">No POP factors: these rows carry no per-worker time '
                     'accounting (useful_* and team_* columns are empty).</p>')
    return "\n".join(parts) if parts else "<p>No findings: the study has no parallel runs.</p>"


def pivot_html(st: Study, case: str) -> str:
    rows = st.cases[case]
    strong = rows[0]["scaling"] == "strong"
    by_series = series_rows(rows)
    workers = sorted({int(r["workers"]) for r in rows})
    has_serial = any(r["baseline_serial"] for r in rows) and strong
    if strong:
        key, eff = ("speedup_serial", "efficiency_serial") if has_serial else ("speedup_self", "efficiency_self")
        what = "speedup vs serial" if has_serial else "speedup vs the same driver at 1 worker (no serial run)"
    else:
        key, eff = "weak_efficiency", "weak_efficiency"
        what = "weak-scaling efficiency T(1)/T(p)"
    head = "".join("<th>%d</th>" % w for w in workers)
    body = []
    for name, srows in by_series.items():
        cells = {int(r["workers"]): r for r in srows}
        tds = []
        for w in workers:
            r = cells.get(w)
            if r is None:
                tds.append('<td class="na">·</td>')
            elif name == "serial":
                tds.append('<td class="na">%s%s</td>' % (human_time(r["median"]), trap_mark(r["flags"])))
            elif r[key] == "":
                tds.append('<td class="na">–%s</td>' % trap_mark(r["flags"]))
            else:
                tds.append('<td class="%s">%s%s</td>' % (
                    grade(fnum(r[eff])), with_interval(r[key], r[key + "_low"], r[key + "_high"]),
                    trap_mark(r["flags"])))
        label = name + (" (time)" if name == "serial" else "")
        body.append('<tr><td class="name">%s</td>%s</tr>' % (esc(label), "".join(tds)))
    return ('<h3 id="pivot-%s">%s</h3>\n<p class="small">%s; columns: workers.</p>\n'
            '<table><tr><th class="name">series</th>%s</tr>\n%s\n</table>'
            % (esc(case), esc(case_title(rows)), esc(what), head, "\n".join(body)))


def pop_html(st: Study, case: str) -> str:
    rows = [r for r in st.cases[case] if r["scaling"] == "strong" and r["load_balance"] != ""]
    if not rows:
        return ""
    out = ['<h3>%s</h3>' % esc(case_title(rows))]
    for name, srows in series_rows(rows).items():
        if name == "serial":
            continue
        workers = [r["workers"] for r in srows]
        trs = []
        for col, label in POP_ROWS:
            if col in ("instruction_scaling", "ipc_scaling") and \
                    all(r.get(col + "_self", "") == "" for r in srows):
                continue           # no counters recorded
            tds = []
            for r in srows:
                c = col
                if col in SCALED:
                    c = col + ("_serial" if r[col + "_serial"] != "" else "_self")
                v = r.get(c, "")
                tds.append('<td class="%s">%s</td>' % (grade(fnum(v)), with_interval(v, r.get(c + "_low", ""), r.get(c + "_high", ""))))
            trs.append('<tr><td class="name">%s</td>%s</tr>' % (label, "".join(tds)))
        share = "".join("<td>%s</td>" % num(r["team_share"], "%.2f") for r in srows)
        trs.append('<tr><td class="name small">time in team calls (share)</td>%s</tr>' % share)
        out.append('<table><tr><th class="name">%s</th>%s</tr>\n%s</table>'
                   % (esc(name), "".join("<th>%s</th>" % w for w in workers), "\n".join(trs)))
    return "\n".join(out)


def primitives_html(st: Study) -> str:
    rows = read_csv(os.path.join(st.dir, "primitives.csv"), required=False)
    if not rows:
        return ""
    out = ['<h2 id="primitives">Cost of one team operation</h2>\n<p class="small">The sync kernel, '
           'EPCC\'s method: N iterations with the operation against the same loop without it; the cost of '
           'one operation is the difference of median times over N, in µs, with its 95 % interval. '
           '<a href="primitives.csv">primitives.csv</a>.</p>']
    ops: List[str] = []
    for r in rows:
        if r["op"] not in ops:
            ops.append(r["op"])
    for op in ops:
        sel = [r for r in rows if r["op"] == op]
        workers = sorted({int(r["workers"]) for r in sel})
        names: List[str] = []
        for r in sel:
            key = r["driver"] + ("[%s]" % r["runtime_env"] if r["runtime_env"] else "")
            if key not in names:
                names.append(key)
        trs = []
        for name in names:
            cells = {int(r["workers"]): r for r in sel
                     if r["driver"] + ("[%s]" % r["runtime_env"] if r["runtime_env"] else "") == name}
            tds = []
            for w in workers:
                r = cells.get(w)
                if r is None:
                    tds.append('<td class="na">·</td>')
                    continue
                us = {k: str(float(r[k]) * 1e6) if r[k] else "" for k in ("cost_seconds", "cost_low", "cost_high")}
                tds.append("<td>%s%s</td>" % (with_interval(us["cost_seconds"], us["cost_low"], us["cost_high"]),
                                              trap_mark(r["flags"].replace("no-measurable-cost", ""))))
            trs.append('<tr><td class="name">%s</td>%s</tr>' % (esc(name), "".join(tds)))
        out.append('<h3>one %s [µs]</h3><table><tr><th class="name">runtime</th>%s</tr>%s</table>'
                   % (esc(op), "".join("<th>%d</th>" % w for w in workers), "".join(trs)))
        name = "primitives-" + op
        if os.path.exists(os.path.join(st.dir, "plots", name + ".png")):
            out.append('<figure><a href="plots/%s.svg"><img src="plots/%s.png" alt="cost of one %s"></a>'
                       '</figure>' % (esc(name), esc(name), esc(op)))
    return "\n".join(out)


def figure_html(st: Study, case: str) -> str:
    figs = [f for f in st.figures if f["case"] == case]
    if not figs:
        return ""
    main = next((f for f in figs if f["script"] == "panel"), figs[0])
    links = []
    for f in figs:
        fmts = [e for e in ("png", "svg", "pdf") if os.path.exists(os.path.join(st.dir, "plots", f["name"] + "." + e))]
        if fmts:
            links.append("%s (%s)" % (esc(f["script"]), ", ".join(
                '<a href="plots/%s.%s">%s</a>' % (esc(f["name"]), e, e) for e in fmts)))
    note = "" if main["note"] == "-" else ' <span class="trap">%s</span>' % esc(main["note"])
    return ('<figure id="fig-%s"><a href="plots/%s.svg"><img src="plots/%s.png" alt="%s"></a>\n'
            '<figcaption><b>%s.</b> %s%s<br><span class="small">every figure of this case: %s</span>'
            '</figcaption></figure>'
            % (esc(case), esc(main["name"]), esc(main["name"]), esc(main["title"]), esc(main["title"]),
               esc(main["caption"]), note, "; ".join(links)))


def startup_figure(st: Study) -> str:
    f = next((f for f in st.figures if f["name"] == "startup"), None)
    if f is None:
        return ""
    return ('<figure><a href="plots/startup.svg"><img src="plots/startup.png" alt="start-up cost"></a>'
            '<figcaption><b>Start-up cost per worker.</b> %s</figcaption></figure>' % esc(f["caption"]))


def models_html(st: Study, cases: List[str]) -> str:
    rows = []
    for f in st.fits:
        if f["case"] not in cases or f["series"] == "serial":
            continue
        if f["fitted"] == "1" and f["preferred"] != "1":
            continue
        if f["fitted"] != "1" and any(g["case"] == f["case"] and g["series"] == f["series"]
                                      and g["preferred"] == "1" for g in st.fits):
            continue
        if f["fitted"] != "1" and f["model"] not in ("amdahl", "gustafson"):
            continue
        if f["fitted"] == "1":
            params = "s = %s" % with_interval(f["serial_fraction"], f["serial_fraction_low"], f["serial_fraction_high"])
            if f["model"] == "usl":
                params = "σ = %s, κ = %s, peak near p = %s" % (
                    with_interval(f["serial_fraction"], f["serial_fraction_low"], f["serial_fraction_high"]),
                    with_interval(f["kappa"], f["kappa_low"], f["kappa_high"]), num(f["p_peak"]))
            rows.append('<tr><td class="name">%s</td><td class="name">%s</td><td class="name">%s</td>'
                        '<td class="name">%s</td><td>%s–%s</td><td>%s %%</td><td class="name small">%s</td></tr>'
                        % (esc(f["case"]), esc(f["series"]), esc(f["model"]), params, f["p_min"], f["p_max"],
                           num(str(100 * float(f["rms_rel_residual"])), "%.1f"), esc(f["criterion"])))
        else:
            rows.append('<tr><td class="name">%s</td><td class="name">%s</td><td class="name">none</td>'
                        '<td class="name small" colspan="4">%s</td></tr>'
                        % (esc(f["case"]), esc(f["series"]), esc(f["reason"])))
    if not rows:
        return "<p>No series.</p>"
    seed = next((f["seed"] for f in st.fits if f["seed"]), "")
    res = next((f["resamples"] for f in st.fits if f["resamples"]), "")
    return ('<p class="small">Fitted to median times at worker counts with a core each (every count for '
            'the latency class), on relative residuals; intervals are 2.5–97.5 %% percentiles over %s '
            'bootstrap resamples of the repetitions (seed %s). A model needs more distinct worker counts '
            'than parameters plus one. Per-point residuals: <a href="residuals.csv">residuals.csv</a>.</p>\n'
            '<table><tr><th class="name">case</th><th class="name">series</th><th class="name">model</th>'
            '<th class="name">parameters [95 %% interval]</th><th>workers</th><th>rms residual</th>'
            '<th class="name">why this model</th></tr>\n%s</table>' % (esc(res), esc(seed), "\n".join(rows)))


def probe_html(st: Study) -> str:
    if not st.probe:
        return "<p>No capacity probe was run (sweep.sh --no-probe, or a single driver run).</p>"
    bad = [p for p in st.probe if p.get("delivered") == "0"]
    head = ('<p class="warn">The machine did not deliver every worker count: %s. Figures at those counts '
            'measure the machine, not the code, and are flagged ⚠.</p>' % esc(", ".join(
                sorted({p["workers"] for p in bad}, key=int)))
            if bad else '<p class="ok">The machine delivered the parallelism the sweep asked for, '
                        'before and after the sweep.</p>')
    trs = "".join('<tr><td>%s</td><td>%s</td><td>%s</td><td class="%s">%s</td></tr>'
                  % (esc(p["phase"]), esc(p["workers"]), esc(p["speedup"]),
                     "good" if p["delivered"] == "1" else "poor", "yes" if p["delivered"] == "1" else "no")
                  for p in st.probe)
    return (head + '<p class="small">parscale-pthread, sqrtpow, weak scaling: speedup p·T(1)/T(p); delivered '
            'when it reaches 0.8 × min(p, cores).</p><table><tr><th>phase</th>'
            '<th>workers</th><th>speedup</th><th>delivered</th></tr>%s</table>' % trs)


def methods_html(st: Study) -> str:
    m = st.meta
    drivers = []
    for r in st.summary:
        if r["driver"] not in drivers:
            drivers.append(r["driver"])
    reps = sorted({int(r["n"]) for r in st.summary})
    scalings = sorted({r["scaling"] for r in st.summary})
    text = [
        "Drivers: %s. Kernels: %s. Scaling: %s." % (", ".join(drivers), ", ".join(st.kernels()), ", ".join(scalings)),
        "Each configuration ran %s timed repetition%s%s, after %s untimed warm-up repetition(s)." % (
            "–".join(str(x) for x in (reps[0], reps[-1])) if len(reps) > 1 else reps[0],
            "" if reps == [1] else "s", "" if reps[0] >= 6 else " — fewer than 6, so intervals of the median "
            "are min–max at lower coverage (flagged)", esc(m.get("warmup", "?"))),
        "A repetition is timed barrier → start → run → barrier → stop on CLOCK_MONOTONIC, and the maximum over "
        "workers is kept; starting the workers is timed apart (start-up).",
        "Medians carry the nonparametric 95 % interval of the median from order statistics (Le Boudec; Hoefler "
        "and Belli, SC15). Ratios of medians (speedups, efficiencies, comparisons) carry a distribution-free 95 % "
        "interval from the order statistics of both samples on a log scale (after Price and Bonett, 2002).",
        "Speedup is shown against the serial driver (no parallel runtime at all) and against the same driver "
        "measured at 1 worker; a series without such a run has no self speedup, none is extrapolated.",
    ]
    if any(r["series"].startswith("hybrid") for r in st.summary):
        text.append("Hybrid runs are MPI ranks × OpenMP threads; its 1-worker baseline is 1 rank × 1 thread "
                    "where it was run.")
    if st.pop:
        text.append("POP factors (pop-coe.eu) come from each worker's time inside team calls (barriers, "
                    "reductions, halo exchange, queue grabs, shared updates) versus the rest (useful): load "
                    "balance mean/max useful, communication efficiency max useful / time, parallel efficiency "
                    "their product, computation scaling Σuseful(reference)/Σuseful(p), global efficiency "
                    "PE × CompS.")
        if any(r.get("instruction_scaling_self", "") != "" for r in st.summary):
            text.append("Hardware counters were recorded: instruction scaling Σinstructions(reference) / "
                        "Σinstructions(p) and IPC scaling IPC(p) / IPC(reference) split computation scaling.")
        else:
            text.append("No hardware counters: the rows carry no instructions or cycles (no CPU PMU on "
                        "this machine, perf_event_paranoid, a seccomp filter, or accounting off), so POP's "
                        "instruction and IPC scaling are not shown; nothing is estimated in their place.")
    if st.meta.get("python_free_threaded"):
        text.append("Free-threaded CPython: %s." % esc(st.meta["python_free_threaded"]))
    if "cpu_model" in m:
        text.append("Machine: %s; %s cores usable; compiler %s %s (%s); MPI: %s; revision %s%s." % (
            esc(m.get("cpu_model", "?")), esc(m.get("cores", "?")), esc(m.get("compiler", "?")),
            esc(m.get("compiler_version", "")), esc(m.get("c_flags_effective", "")),
            esc(m.get("mpi_library", "none")), esc(m.get("git_revision", "?")[:12]),
            " (uncommitted changes)" if m.get("git_dirty") == "1" else ""))
    meta = "".join("%s=%s\n" % (esc(k), esc(v)) for k, v in st.meta.items())
    return ("<p>" + "</p>\n<p>".join(text) + "</p>\n<details><summary>All metadata (meta.txt)</summary>"
            "<pre>%s</pre></details>" % meta)


def data_html() -> str:
    files = [("summary.csv", "every configuration: statistics, baselines, ratios with intervals, flags"),
             ("summary.md", "the findings and speedup tables in Markdown, to paste into a paper or a pull request"),
             ("summary.json", "summary, fits, findings and metadata for other tools"),
             ("fits.csv", "every model fitted or not, with parameters, intervals and criterion"),
             ("residuals.csv", "fitted vs measured per point"),
             ("findings.csv", "the findings above"),
             ("raw.csv", "one row per timed repetition"),
             ("meta.txt", "machine, build and sweep settings")]
    return "<ul>%s</ul>" % "".join('<li><a href="%s">%s</a> — %s</li>' % (f, f, esc(d)) for f, d in files)


def claims_html(d: str) -> str:
    rows = read_csv(os.path.join(d, "claims.csv"), required=False)
    if not rows:
        return ""
    trs = "".join('<tr><td class="name">%s</td><td class="name small">%s</td><td class="name %s">%s</td></tr>'
                  % (esc(r["claim"]), esc(r["measured"]),
                     "good" if r["verdict"].startswith("holds") and "only" not in r["verdict"]
                     else "poor" if r["verdict"].startswith("does not") else "fair",
                     esc(r["verdict"])) for r in rows)
    return ('<h2 id="claims">The usual claims, measured</h2>\n<p class="small">Medians with 95 % '
            'intervals from this study; speedups against the same driver at 1 worker. '
            '<a href="claims.csv">claims.csv</a>.</p>\n<table><tr><th class="name">claim</th>'
            '<th class="name">measured</th><th class="name">verdict</th></tr>%s</table>' % trs)


def compare_html(d: str) -> str:
    rows = read_csv(os.path.join(d, "compare.csv"), required=False)
    if not rows:
        return ""
    meta = read_meta(os.path.join(d, "compare.txt"))
    counts: Dict[str, int] = {}
    for r in rows:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    order = ["faster", "slower", "no measurable difference", "too few repetitions to tell",
             "only in A", "only in B"]
    summary = ", ".join("%d %s" % (counts[v], v) for v in order if v in counts)

    def table(sel: List[Row]) -> str:
        trs = []
        for r in sel:
            cls = {"faster": "good", "slower": "poor"}.get(r["verdict"], "na")
            trs.append('<tr><td class="name">%s</td><td class="name">%s</td><td class="name">%s</td>'
                       '<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class="%s">%s</td></tr>'
                       % (esc(r["kernel"]), esc(r["driver"]), esc(r["scaling"] + " " + r["size"] + " " + r["params"]),
                          esc(r["workers"]), human_time(r["median_a"]), human_time(r["median_b"]),
                          with_interval(r["ratio"], r["ratio_low"], r["ratio_high"]), cls, esc(r["verdict"])))
        return ('<table><tr><th class="name">kernel</th><th class="name">driver</th><th class="name">case</th>'
                '<th>workers</th><th>A</th><th>B</th><th>B/A [95 %%]</th><th>verdict</th></tr>%s</table>'
                % "".join(trs))
    changed = [r for r in rows if r["verdict"] in ("faster", "slower")]
    return ('<h2 id="compare">Comparison with an earlier run</h2>\n<p>This run (B) against %s (A): %s. '
            'Ratio of median times B/A with its 95 %% interval; "no measurable difference" where the '
            'interval includes 1. <a href="compare.csv">compare.csv</a>, <a href="compare.md">compare.md</a>.</p>\n'
            '%s<details><summary>Every configuration</summary>%s</details>'
            % (esc(meta.get("baseline", "an earlier run")), esc(summary),
               table(changed) if changed else "<p>No configuration changed measurably.</p>", table(rows)))


def banner_html(st: Study) -> str:
    warn = []
    if any(p.get("delivered") == "0" for p in st.probe):
        warn.append("the capacity probe found worker counts the machine did not deliver")
    if any(r["verified_all"] != "1" for r in st.summary):
        warn.append("some repetitions failed verification")
    if any("cache" in r["flags"].split(";") for r in st.summary):
        warn.append("some working sets fit in the last-level cache")
    if not warn:
        return ""
    return '<p class="warn"><b>Read with care:</b> %s (details under Findings).</p>' % esc("; ".join(warn))


def page(st: Study, tpl: Template, title: str, cases: List[str], nav: str, only: bool) -> str:
    pivots = "\n".join(pivot_html(st, c) for c in cases)
    pops = "\n".join(p for p in (pop_html(st, c) for c in cases) if p)
    if pops:
        pops = ('<h2 id="pop">POP efficiency factors</h2>\n<p class="small">Per driver: rows are the factors, '
                'columns the workers; ≥ 0.8 green as POP does. Computation scaling and global efficiency are '
                'against the serial driver where it ran.</p>\n' + pops)
    figures = "\n".join(figure_html(st, c) for c in cases) + (startup_figure(st) if only else "")
    host = st.summary[0]["host"]
    lede = "Host %s · %s configurations · %s" % (
        host, sum(len(st.cases[c]) for c in cases),
        "sweep %s, %s to %s" % (st.meta.get("sweep_id", "?"), st.meta.get("started", "?"), st.meta.get("finished", "?"))
        if st.meta else "no meta.txt")
    return tpl.substitute(
        title=esc(title), lede=esc(lede), nav=nav, banner=banner_html(st),
        claims=claims_html(st.dir) if only else "",
        primitives=primitives_html(st) if only else "",
        findings=findings_html(st, None if only else cases), compare=compare_html(st.dir) if only else "",
        pivot=pivots, pop=pops,
        figures=figures, models=models_html(st, cases), probe=probe_html(st),
        methods=methods_html(st), data=data_html(),
        generated=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--text":
        # the findings of some sections as plain text (study.sh's presets)
        st = Study(sys.argv[2])
        for key, heading in SECTIONS:
            if key in sys.argv[3:]:
                items = [f["text"] for f in st.findings if f["section"] == key]
                if items:
                    print(heading + ":")
                    print("\n".join("- " + t for t in items))
        return
    if len(sys.argv) != 3:
        die("usage: report.py DIR TEMPLATE | report.py --text DIR SECTION...", 2)
    d, template = sys.argv[1], sys.argv[2]
    st = Study(d)
    with open(template, encoding="utf-8") as f:
        tpl = Template(f.read())
    export(st)
    cases = list(st.cases)
    title = "parscale study on %s" % st.summary[0]["host"]
    sections = ('<a href="#findings">findings</a><a href="#speedup">speedup</a>%s<a href="#figures">figures</a>'
                '<a href="#models">models</a><a href="#probe">probe</a><a href="#methods">methods</a>'
                '<a href="#data">data</a>' % ('<a href="#pop">POP</a>' if st.pop else ""))
    if len(cases) <= PAGE_CASES:
        write(os.path.join(d, "report.html"), page(st, tpl, title, cases, sections, True))
        return
    kernels = st.kernels()
    links = " ".join('<a href="report-%s.html">%s</a>' % (esc(k), esc(k)) for k in kernels)
    index = tpl.substitute(
        title=esc(title), lede=esc("%d cases: one page per kernel" % len(cases)),
        nav="kernels: " + links, banner=banner_html(st), findings=findings_html(st), compare=compare_html(d),
        claims=claims_html(d),
        primitives=primitives_html(st),
        pivot="<p>See each kernel's page: %s</p>" % links, pop="", figures=startup_figure(st),
        models="<p>See each kernel's page.</p>", probe=probe_html(st), methods=methods_html(st),
        data=data_html(), generated=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    write(os.path.join(d, "report.html"), index)
    for k in kernels:
        kc = [c for c in cases if st.cases[c][0]["kernel"] == k]
        nav = '<a href="report.html">all kernels</a> ' + sections
        write(os.path.join(d, "report-%s.html" % k), page(st, tpl, "%s — %s" % (title, k), kc, nav, False))


if __name__ == "__main__":
    main()
