# report.awk — the HTML report of a run folder, and a compact text table on stdout.
#
# Usage: awk -v dir=DIR -v html=OUT.html -v figs=FIGURES.TSV -v generated=DATE \
#            -f plots/csv.awk -f plots/report.awk
#
# Reads DIR/summary.csv (required), DIR/fits.csv, DIR/probe.csv, DIR/meta.txt and
# DIR/raw.csv where present, and FIGURES.TSV (name TAB caption per figure, the
# images being DIR/plots/NAME.png and .svg). Every field that reaches the HTML
# goes through html_escape. The text table (kernel, driver, workers, median,
# speedup, efficiency, verified) is written to stdout.

# readable: 1 when the file can be opened
function readable(path,    line, r) {
    r = (getline line < path)
    close(path)
    return r >= 0
}

# isnum: 1 when s is a plain decimal number
function isnum(s) {
    return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

# load_csv: read a CSV file into cell[name, row, col], its header into
# head[name, col], the widths into ncol[name]; returns the number of data rows
function load_csv(name, path,    line, f, n, r, i, seen_header) {
    r = 0
    seen_header = 0
    ncol[name] = 0
    while ((getline line < path) > 0) {
        if (line ~ /^[ \t\r]*$/)
            continue
        n = csv_split(line, f)
        if (!seen_header) {
            seen_header = 1
            ncol[name] = n
            for (i = 1; i <= n; i++) {
                head[name, i] = f[i]
                colof[name, f[i]] = i
            }
            continue
        }
        r++
        for (i = 1; i <= ncol[name]; i++)
            cell[name, r, i] = (i <= n) ? f[i] : ""
    }
    close(path)
    nrows[name] = r
    return r
}

# get: the field of column title c in row r of table name ("" if no such column)
function get(name, r, c) {
    return ((name, c) in colof) ? cell[name, r, colof[name, c]] : ""
}

# html_table: an HTML table of a loaded CSV; rowclass(name, r) may mark rows
function html_table(name,    r, i, v, cls) {
    print "<div class=\"scroll\"><table>" > html
    printf "<thead><tr>" > html
    for (i = 1; i <= ncol[name]; i++)
        printf "<th>%s</th>", html_escape(head[name, i]) > html
    print "</tr></thead><tbody>" > html
    for (r = 1; r <= nrows[name]; r++) {
        cls = rowclass(name, r)
        printf "<tr%s>", (cls == "" ? "" : " class=\"" cls "\"") > html
        for (i = 1; i <= ncol[name]; i++) {
            v = cell[name, r, i]
            cls = isnum(v) || v == "" ? "" : " class=\"s\""
            if (name == "summary" && head[name, i] == "workers" && (v in undelivered))
                cls = " class=\"nocap\" title=\"capacity probe: not delivered\""
            printf "<td%s>%s</td>", cls, html_escape(v) > html
        }
        print "</tr>" > html
    }
    print "</tbody></table></div>" > html
}

# rowclass: CSS class of a table row: "bad" for unverified or undelivered probe rows
function rowclass(name, r) {
    if (name == "summary" && get(name, r, "verified_all") != "" && get(name, r, "verified_all") != "1")
        return "bad"
    if (name == "probe" && get(name, r, "delivered") == "0")
        return "bad"
    return ""
}

# probe_note: " (PHASE the sweep, probe speedup S)" from whichever of the two is known
function probe_note(phase, speed,    t) {
    t = (phase != "") ? html_escape(phase) " the sweep" : ""
    if (speed != "")
        t = t (t == "" ? "" : ", ") "probe speedup " html_escape(speed)
    return (t == "") ? "" : " (" t ")"
}

# range_text: "a" or "a–b" from the smallest and largest of a set of numbers
function range_text(lo, hi) {
    return (lo == hi) ? lo : lo "–" hi
}

# text_table: the compact terminal table from the summary, on stdout
function text_table(    r, i, w, row, ncell, hdr, verified, note, eff, sp) {
    split("kernel driver scaling workers median_s ci95_s speedup_self efficiency verified note", hdr, " ")
    ncell = 10
    for (i = 1; i <= ncell; i++) {
        row[0, i] = hdr[i]
        w[i] = length(hdr[i])
    }
    for (r = 1; r <= nrows["summary"]; r++) {
        verified = get("summary", r, "verified_all")
        verified = (verified == "1") ? "yes" : (verified == "" ? "-" : "NO")
        note = ""
        sp = get("summary", r, "speedup_self")
        eff = get("summary", r, "efficiency_self")
        if (get("summary", r, "scaling") == "weak") {
            eff = get("summary", r, "weak_efficiency")
            note = "weak efficiency"
        }
        if (get("summary", r, "workers") in undelivered)
            note = note (note == "" ? "" : "; ") "probe: not delivered"
        row[r, 1] = get("summary", r, "kernel")
        row[r, 2] = get("summary", r, "driver")
        row[r, 3] = get("summary", r, "scaling")
        row[r, 4] = get("summary", r, "workers")
        row[r, 5] = fmt(get("summary", r, "median"))
        row[r, 6] = fmt(get("summary", r, "ci_low")) ".." fmt(get("summary", r, "ci_high"))
        row[r, 7] = fmt2(sp)
        row[r, 8] = fmt2(eff)
        row[r, 9] = verified
        row[r, 10] = note
        for (i = 1; i <= ncell; i++)
            if (length(row[r, i]) > w[i])
                w[i] = length(row[r, i])
    }
    for (r = 0; r <= nrows["summary"]; r++) {
        line = ""
        for (i = 1; i <= ncell; i++) {
            if (i == 4 || (i >= 5 && i <= 8))
                line = line sprintf("%*s", w[i], row[r, i])
            else
                line = line sprintf("%-*s", (i == ncell ? 0 : w[i]), row[r, i])
            if (i < ncell)
                line = line "  "
        }
        sub(/ +$/, "", line)
        print line
    }
}

# fmt: a time with 4 significant digits, "-" when empty
function fmt(s) {
    return isnum(s) ? sprintf("%.4g", s) : (s == "" ? "-" : s)
}

# fmt2: a ratio with 2 decimals, "-" when empty
function fmt2(s) {
    return isnum(s) ? sprintf("%.2f", s) : (s == "" ? "-" : s)
}

BEGIN {
    if (dir == "" || html == "") {
        print "report.awk: dir=DIR and html=FILE are required" > "/dev/stderr"
        exit 2
    }
    load_csv("summary", dir "/summary.csv")
    has_fits = readable(dir "/fits.csv") ? (load_csv("fits", dir "/fits.csv") >= 0) : 0
    has_probe = readable(dir "/probe.csv") ? (load_csv("probe", dir "/probe.csv") >= 0) : 0

    nmeta = 0
    if (readable(dir "/meta.txt")) {
        while ((getline line < (dir "/meta.txt")) > 0) {
            sub(/\r$/, "", line)
            if (line ~ /^[ \t]*$/)
                continue
            nmeta++
            eq = index(line, "=")
            mkey[nmeta] = eq ? substr(line, 1, eq - 1) : ""
            mval[nmeta] = eq ? substr(line, eq + 1) : line
            if (mkey[nmeta] != "")
                metav[mkey[nmeta]] = mval[nmeta]
        }
        close(dir "/meta.txt")
    }

    # raw.csv: run ids, warm-up counts, first and last timestamps
    nraw = 0
    if (readable(dir "/raw.csv")) {
        while ((getline line < (dir "/raw.csv")) > 0) {
            if (++nraw == 1) {
                csv_header(line, rc)
                continue
            }
            csv_split(line, f)
            if ("warmup" in rc && isnum(f[rc["warmup"]])) {
                v = f[rc["warmup"]] + 0
                if (warm_lo == "" || v < warm_lo) warm_lo = v
                if (warm_hi == "" || v > warm_hi) warm_hi = v
            }
            if ("timestamp" in rc && f[rc["timestamp"]] != "") {
                v = f[rc["timestamp"]]
                if (t_first == "" || v < t_first) t_first = v
                if (t_last == "" || v > t_last) t_last = v
            }
            if ("run_id" in rc && !(f[rc["run_id"]] in run_seen)) {
                run_seen[f[rc["run_id"]]] = 1
                nruns++
                # a sweep's run ids share its id as prefix: keep the common part
                run_ids = nruns == 1 ? f[rc["run_id"]] : common_prefix(run_ids, f[rc["run_id"]])
            }
        }
        close(dir "/raw.csv")
        nraw--
    }

    # summary: repetition counts, CI level, hosts, unverified rows
    for (r = 1; r <= nrows["summary"]; r++) {
        v = get("summary", r, "n")
        if (isnum(v)) {
            if (n_lo == "" || v + 0 < n_lo) n_lo = v + 0
            if (n_hi == "" || v + 0 > n_hi) n_hi = v + 0
        }
        v = get("summary", r, "ci_level")
        if (isnum(v))
            ci_level = v
        v = get("summary", r, "host")
        if (v != "" && !(v in host_seen)) {
            host_seen[v] = 1
            hosts = hosts (hosts == "" ? "" : ", ") v
        }
        if (get("summary", r, "verified_all") != "" && get("summary", r, "verified_all") != "1")
            unverified++
    }
    if (hosts == "")
        hosts = ("host" in metav) ? metav["host"] : "unknown host"
    ci_pct = isnum(ci_level) ? sprintf("%g%%", ci_level * 100) : "95%"

    # probe: worker counts where the machine did not deliver
    nund = 0
    if (has_probe)
        for (r = 1; r <= nrows["probe"]; r++)
            if (get("probe", r, "delivered") == "0") {
                w = get("probe", r, "workers")
                undelivered[w] = 1
                und_list[++nund] = w
                und_speed[nund] = get("probe", r, "speedup")
                und_phase[nund] = get("probe", r, "phase")
            }

    print "<!DOCTYPE html>" > html
    print "<html lang=\"en\">" > html
    print "<head>" > html
    print "<meta charset=\"utf-8\">" > html
    printf "<title>parscale report — %s</title>\n", html_escape(hosts) > html
    print "<style>" > html
    print "body{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif;max-width:1250px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.45}" > html
    print "h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}" > html
    print ".sub{color:#555;margin-top:0}nav a{margin-right:1em}" > html
    print "table{border-collapse:collapse;font-size:.82em}th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}" > html
    print "th{background:#eef;position:sticky;top:0}td.s{text-align:left}tr.bad td{background:#fdd}td.nocap{background:#fbb;font-weight:bold}" > html
    print ".scroll{overflow:auto;max-height:75vh;border:1px solid #ddd}" > html
    print ".warn{border:2px solid #c00;background:#fee;color:#700;padding:.7em 1em;margin:1em 0;border-radius:4px}" > html
    print ".ok{border:1px solid #2a2;background:#efe;padding:.7em 1em;margin:1em 0;border-radius:4px}" > html
    print "figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:.9em;color:#444;margin-top:.3em}" > html
    print "dl.meta{display:grid;grid-template-columns:max-content auto;gap:.15em 1.2em;font-size:.9em}dl.meta dt{font-weight:bold}dl.meta dd{margin:0;font-family:\"DejaVu Sans Mono\",monospace;word-break:break-all}" > html
    print "</style>" > html
    print "</head>" > html
    print "<body>" > html
    print "<h1>parscale scaling report</h1>" > html
    printf "<p class=\"sub\">host <b>%s</b>", html_escape(hosts) > html
    if ("cpu_model" in metav)
        printf " · %s", html_escape(metav["cpu_model"]) > html
    if ("cores" in metav)
        printf " · %s cores", html_escape(metav["cores"]) > html
    if (t_first != "")
        printf " · measured %s – %s", html_escape(t_first), html_escape(t_last) > html
    printf " · report generated %s</p>\n", html_escape(generated) > html
    sub(/[-_.]+$/, "", run_ids)
    if (nruns == 1)
        printf "<p class=\"sub\">run %s · %d timed repetitions in raw.csv</p>\n", html_escape(run_ids), nraw > html
    else if (nruns > 1)
        printf "<p class=\"sub\">%d runs%s · %d timed repetitions in raw.csv</p>\n", nruns,
            run_ids != "" ? " of sweep " html_escape(run_ids) : "", nraw > html
    print "<nav><a href=\"#methods\">Methods</a><a href=\"#probe\">Capacity probe</a><a href=\"#figures\">Figures</a><a href=\"#summary\">Summary</a><a href=\"#fits\">Amdahl fits</a><a href=\"#meta\">Metadata</a></nav>" > html

    if (unverified > 0)
        printf "<div class=\"warn\"><b>Verification failed</b> in %d summary row(s), marked red in the summary table: those results are not valid.</div>\n", unverified > html

    print "<h2 id=\"methods\">Methods</h2>" > html
    printf "<p>Each configuration (kernel × driver × worker count) first ran %s warm-up repetition(s), which are excluded from every statistic, then %s timed repetitions. ", \
        (warm_lo == "" ? "its" : html_escape(range_text(warm_lo, warm_hi))), \
        (n_lo == "" ? "N" : html_escape(range_text(n_lo, n_hi))) > html
    print "The parallel time of one repetition is measured as barrier → start → run → barrier → stop on a monotonic clock and is the maximum over the workers. " > html
    printf "The statistic is the <b>median</b> of the timed repetitions, with a nonparametric (order-statistic) %s confidence interval of the median; the error bars in the figures are that interval. ", ci_pct > html
    print "Speedup and efficiency are given against two named baselines: the <b>serial driver</b> (no parallel runtime) and the <b>same driver at its fewest workers</b> (1 worker; for hybrid, whose smallest run has one rank of T threads, that run counted as T times faster than one worker); efficiency is speedup divided by workers, and every figure names its baseline. " > html
    print "The cost of starting the workers (thread creation, fork, OpenMP team, MPI_Init) is measured separately and never included in the kernel time. " > html
    print "The Amdahl fit is T(p) = a + b/p per kernel × driver, with serial fraction s = a/(a + b); the Karp–Flatt column is the experimentally determined serial fraction at each worker count. " > html
    print "Weak-scaling efficiency is T(1)/T(p) with the work per worker held fixed. The ideal speedup drawn is min(p, cores) for compute, memory, imbalance, halo and contention kernels, and p for latency kernels. Each result is checked against an analytic or independent answer (column verified_all).</p>" > html

    print "<h2 id=\"probe\">Capacity probe</h2>" > html
    if (!has_probe) {
        print "<p>This run has no probe.csv: it is not known whether the machine could deliver parallel speedup at each worker count.</p>" > html
    } else {
        if (nund > 0) {
            printf "<div class=\"warn\"><b>Warning: the machine did not deliver the expected parallel speedup at " > html
            for (i = 1; i <= nund; i++)
                printf "%s%s worker(s)%s", (i > 1 ? (i == nund ? " and " : ", ") : ""), html_escape(und_list[i]), \
                    probe_note(und_phase[i], und_speed[i]) > html
            print ".</b> Results at these worker counts measure the machine (too few free cores, oversubscription, frequency limits or other load), not the parallel runtime; they are marked red in the summary table.</div>" > html
        } else {
            print "<div class=\"ok\">The machine delivered the expected parallel speedup at every probed worker count.</div>" > html
        }
        print "<p>The capacity probe (probe.csv) runs a perfectly parallel compute kernel at each worker count with the same work per worker (weak scaling), before and after the sweep; its speedup is p · T(1)/T(p), and delivered = 0 where that fell short of the expected share of min(p, cores): the machine did not give the study the cores it has.</p>" > html
        html_table("probe")
    }

    print "<h2 id=\"figures\">Figures</h2>" > html
    nfig = 0
    if (figs != "") {
        while ((getline line < figs) > 0) {
            if (line == "")
                continue
            tab = index(line, "\t")
            name = tab ? substr(line, 1, tab - 1) : line
            caption = tab ? substr(line, tab + 1) : line
            nfig++
            printf "<figure id=\"fig-%s\"><a href=\"plots/%s.svg\"><img src=\"plots/%s.png\" alt=\"%s\"></a>\n", \
                html_escape(name), html_escape(name), html_escape(name), html_escape(caption) > html
            printf "<figcaption><b>Figure %d.</b> %s (<a href=\"plots/%s.svg\">SVG</a>)</figcaption></figure>\n", \
                nfig, html_escape(caption), html_escape(name) > html
        }
        close(figs)
    }
    if (nfig == 0)
        print "<p>No figures: run scripts/plot.sh on this folder.</p>" > html

    print "<h2 id=\"summary\">Summary</h2>" > html
    printf "<p>One row per configuration from summary.csv: times in seconds (median, %s CI, min, max, mean, stddev), rates in rate_unit. Baselines: <i>baseline_serial</i> names the serial driver, <i>baseline_self</i> the same driver at its fewest workers (DRIVER@P0); an empty field means not applicable.</p>\n", ci_pct > html
    html_table("summary")

    print "<h2 id=\"fits\">Amdahl fits</h2>" > html
    if (has_fits) {
        print "<p>T(p) = a + b/p fitted to the median times for p_min ≤ p ≤ p_max; serial_fraction = a/(a + b); r2 and the rms relative residual measure how well the model describes the data.</p>" > html
        html_table("fits")
    } else {
        print "<p>This run has no fits.csv.</p>" > html
    }

    print "<h2 id=\"meta\">Metadata</h2>" > html
    if (nmeta == 0) {
        print "<p>This run has no meta.txt.</p>" > html
    } else {
        print "<dl class=\"meta\">" > html
        for (i = 1; i <= nmeta; i++)
            printf "<dt>%s</dt><dd>%s</dd>\n", html_escape(mkey[i]), html_escape(mval[i]) > html
        print "</dl>" > html
    }
    print "</body>" > html
    print "</html>" > html
    close(html)

    text_table()
}

# common_prefix(a, b): the longest common prefix of a and b
function common_prefix(a, b,    n) {
    n = 0
    while (n < length(a) && n < length(b) && substr(a, n + 1, 1) == substr(b, n + 1, 1))
        n++
    return substr(a, 1, n)
}
