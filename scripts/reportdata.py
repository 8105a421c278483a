"""reportdata.py — the summariser's files as report.py reads them, and the
exports written beside the report: summary.md (the findings and the speedup
tables, to paste into a paper or a pull request) and summary.json (summary,
fits, findings and metadata, for tools).  Nothing here computes a statistic:
every number is the summariser's.  Standard library only.
"""
import csv
import html
import json
import os
import sys
from typing import Dict, List, Optional

Row = Dict[str, str]



SECTIONS = [
    ("traps", "Measurement traps"),
    ("workers", "Threads vs processes"),
    ("scaling", "Where scaling stops"),
    ("pop", "Why it does not scale (POP efficiency factors)"),
    ("startup", "Start-up cost"),
    ("primitives", "Cost of one team operation"),
    ("models", "Scaling models"),
]

def die(msg: str, code: int = 1) -> None:
    sys.stderr.write("report.sh: %s\n" % msg)
    sys.exit(code)


def read_csv(path: str, required: bool = True) -> List[Row]:
    if not os.path.exists(path):
        if required:
            die("no %s" % path, 2)
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_tsv(path: str) -> List[Row]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_meta(path: str) -> Dict[str, str]:
    meta: Dict[str, str] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, sep, val = line.rstrip("\n").partition("=")
                if sep:
                    meta[key] = val
    return meta


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def num(s: str, fmt: str = "%.3g") -> str:
    if s == "":
        return "–"
    try:
        return fmt % float(s)
    except ValueError:
        return esc(s)


def fnum(s: str) -> Optional[float]:
    try:
        return float(s) if s != "" else None
    except ValueError:
        return None


class Study:
    def __init__(self, d: str) -> None:
        self.dir = d
        self.summary = read_csv(os.path.join(d, "summary.csv"))
        if not self.summary:
            die("'%s' has no configurations: rerun scripts/plot.sh" % os.path.join(d, "summary.csv"))
        self.fits = read_csv(os.path.join(d, "fits.csv"), required=False)
        self.findings = read_csv(os.path.join(d, "findings.csv"), required=False)
        self.figures = read_tsv(os.path.join(d, "data", "figures.tsv"))
        self.meta = read_meta(os.path.join(d, "meta.txt"))
        self.probe = read_csv(os.path.join(d, "probe.csv"), required=False)
        self.cases: Dict[str, List[Row]] = {}
        for r in self.summary:
            self.cases.setdefault(r["case"], []).append(r)
        self.pop = any(r.get("load_balance", "") != "" for r in self.summary)

    def kernels(self) -> List[str]:
        seen: List[str] = []
        for r in self.summary:
            if r["kernel"] not in seen:
                seen.append(r["kernel"])
        return seen


def series_rows(rows: List[Row]) -> Dict[str, List[Row]]:
    out: Dict[str, List[Row]] = {}
    for r in rows:
        out.setdefault(r["series"], []).append(r)
    return out


def case_title(rows: List[Row]) -> str:
    r = rows[0]
    extra = (", " + r["params"]) if r["params"] else ""
    return "%s — %s, %s scaling, size %s%s" % (r["kernel"], r["class"], r["scaling"], r["size"], extra)


def write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        die("cannot write '%s': %s" % (path, e.strerror))


def number(v: str):
    """A CSV field as JSON: empty is null, numbers are numbers."""
    if v == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return v
    return int(f) if f.is_integer() and "." not in v and "e" not in v.lower() else f


def export(st: Study) -> None:
    """summary.md and summary.json: the summariser's tables, reformatted."""
    md = ["# parscale study on %s" % st.summary[0]["host"], ""]
    for key, heading in SECTIONS:
        items = [f["text"] for f in st.findings if f["section"] == key]
        if items:
            md += ["## " + heading, ""] + ["- " + t for t in items] + [""]
    md += ["## Speedup against the serial driver (95 % interval)", ""]
    for case, rows in st.cases.items():
        workers = sorted({int(r["workers"]) for r in rows})
        md += ["### " + case_title(rows), "",
               "| series | " + " | ".join(str(w) for w in workers) + " |",
               "|---|" + "---|" * len(workers)]
        for name, srows in series_rows(rows).items():
            cells = {int(r["workers"]): r for r in srows}
            out = []
            for w in workers:
                r = cells.get(w)
                if r is None:
                    out.append("")
                elif r["speedup_serial"] == "":
                    out.append("–")
                elif r["speedup_serial_low"] == "":
                    out.append(num(r["speedup_serial"]))
                else:
                    out.append("%s [%s, %s]" % (num(r["speedup_serial"]), num(r["speedup_serial_low"]),
                                               num(r["speedup_serial_high"])))
            md.append("| %s | %s |" % (name, " | ".join(out)))
        md.append("")
    write(os.path.join(st.dir, "summary.md"), "\n".join(md) + "\n")
    doc = {"meta": st.meta,
           "summary": [{k: number(v) for k, v in r.items()} for r in st.summary],
           "fits": [{k: number(v) for k, v in r.items()} for r in st.fits],
           "findings": st.findings}
    write(os.path.join(st.dir, "summary.json"), json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
