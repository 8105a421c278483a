# cases.awk — split a summary.csv into the data files the plots/*.gp scripts read.
#
# Usage: awk -v out=DIR -v fits=FITS.CSV -f plots/csv.awk -f plots/cases.awk SUMMARY.CSV
#
# A case is one kernel × scaling × size × params; its series are the drivers
# (split by schedule when a case has several, and by threads per rank when a
# driver has several layouts at the same worker count). For each case it writes
#   DIR/SLUG.dat      every series, one gnuplot data block (index) each
#   DIR/SLUG-par.dat  the same without the serial driver
# with the columns, blank fields as NaN:
#   1 workers  2 median  3 ci_low  4 ci_high  5 speedup_self  6 efficiency_self
#   7 speedup_serial  8 efficiency_serial  9 weak_efficiency
#   10 startup_median/workers  11 n  12 verified_all
# and one tab-separated line in DIR/cases.tsv:
#   slug title host scaling class cores ideal names_all names_par
#   fits_self fits_serial has_serial ci
# (no field is empty: "-" or "unknown" stand in, so that a shell can read it)
# where names_* are space-separated series names, ideal is "min" (min(p, cores))
# or "p" (latency class), and fits_* hold "T0 a b p_min p_max" per parallel
# series ("- - - - -" where there is no fit) so that the Amdahl speedup is
# T0 / (a + b/p) with T0 the baseline's time, and ci is the confidence level of
# the medians' intervals as a percentage ("95%", or a range "94–95%").
# The start-up figure gets DIR/startup.dat (per driver: workers, median over
# cases of startup_median/workers, min, max, cases) and DIR/startup.tsv
# (names, number of cases).

# num: the field as a gnuplot number, NaN where empty
function num(s) {
    return (s == "") ? "NaN" : s
}

# isnum: 1 when s is a plain decimal number
function isnum(s) {
    return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/
}

# driver_rank: sort position of a driver in every legend
function driver_rank(d) {
    if (d == "serial") return 1
    if (d == "pthread") return 2
    if (d == "openmp") return 3
    if (d == "fork") return 4
    if (d == "mpi") return 5
    if (d == "hybrid") return 6
    return 7
}

# slugify: s reduced to [A-Za-z0-9._-]
function slugify(s) {
    gsub(/[^A-Za-z0-9._-]+/, "_", s)
    return s
}

# sort_idx: sort idx[1..n] (row numbers) by key[idx[]] ascending, numerically
function sort_idx(idx, n, key,    i, j, t) {
    for (i = 2; i <= n; i++) {
        t = idx[i]
        for (j = i - 1; j >= 1 && key[idx[j]] + 0 > key[t] + 0; j--)
            idx[j + 1] = idx[j]
        idx[j + 1] = t
    }
}

# sort_num: sort the numbers a[1..n] ascending
function sort_num(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) {
        t = a[i] + 0
        for (j = i - 1; j >= 1 && a[j] + 0 > t; j--)
            a[j + 1] = a[j]
        a[j + 1] = t
    }
}

# median_of: median of the numbers v[1..n] (sorts v)
function median_of(v, n) {
    sort_num(v, n)
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

BEGIN {
    if (out == "") {
        print "cases.awk: out=DIR is required" > "/dev/stderr"
        exit 2
    }
    nfit = 0
    if (fits != "") {
        while ((getline line < fits) > 0) {
            if (++nfit == 1) {
                csv_header(line, fc)
                continue
            }
            csv_split(line, g)
            k = g[fc["kernel"]] SUBSEP g[fc["driver"]] SUBSEP g[fc["size"]] SUBSEP g[fc["params"]] SUBSEP g[fc["schedule"]]
            fit_a[k] = g[fc["a"]]
            fit_b[k] = g[fc["b"]]
            fit_range[k] = (isnum(g[fc["p_min"]]) ? g[fc["p_min"]] : "-") " " \
                           (isnum(g[fc["p_max"]]) ? g[fc["p_max"]] : "-")
        }
        close(fits)
    }
    ncase = 0
    nrow = 0
}

FNR == 1 {
    csv_header($0, c)
    split("kernel driver scaling size workers threads_per_rank cores class schedule params median ci_low ci_high ci_level speedup_self efficiency_self speedup_serial efficiency_serial weak_efficiency startup_median n verified_all host", want, " ")
    for (i in want)
        if (!(want[i] in c)) {
            printf "cases.awk: '%s' has no column '%s'\n", FILENAME, want[i] > "/dev/stderr"
            bad = 1
            exit 2
        }
    next
}

/^[ \t\r]*$/ { next }

{
    csv_split($0, f)
    r = ++nrow
    for (name in c)
        v[r, name] = f[c[name]]
    ck = f[c["kernel"]] SUBSEP f[c["scaling"]] SUBSEP f[c["size"]] SUBSEP f[c["params"]]
    if (!(ck in case_id)) {
        case_id[ck] = ++ncase
        case_key[ncase] = ck
    }
    id = case_id[ck]
    row_case[r] = id
    if (!((id, f[c["schedule"]]) in case_sched)) {
        case_sched[id, f[c["schedule"]]] = 1
        case_nsched[id]++
    }
    dup[id, f[c["driver"]], f[c["schedule"]], f[c["workers"]]]++
    if (dup[id, f[c["driver"]], f[c["schedule"]], f[c["workers"]]] > 1)
        split_tpr[id, f[c["driver"]]] = 1
}

END {
    if (bad)
        exit 2
    nstart = 0
    for (id = 1; id <= ncase; id++)
        write_case(id)
    write_startup()
}

# write_case: the data files and cases.tsv line of case id
function write_case(id,    r, n, s, d, sk, ns, names, order, rank, rows, i, j, t, k,
                     dat, par, slug, title, hosts, host, cores, class, scaling,
                     ideal, nall, npar, fself, fserial, has_serial, t0s, t0r, fk, sep, lbl,
                     ci_lo, ci_hi, ci) {
    split(case_key[id], k, SUBSEP)
    ns = 0
    cores = 0
    hosts = ""
    has_serial = 0
    for (r = 1; r <= nrow; r++) {
        if (row_case[r] != id)
            continue
        d = v[r, "driver"]
        sk = d
        if (case_nsched[id] > 1)
            sk = sk "/" v[r, "schedule"]
        if ((id, d) in split_tpr)
            sk = sk "/" v[r, "threads_per_rank"] "t"
        gsub(/[ \t]+/, "_", sk)
        if (!(sk in series)) {
            series[sk] = ++ns
            names[ns] = sk
            drv[ns] = d
            sched[ns] = v[r, "schedule"]
            rank[ns] = driver_rank(d) * 1000 + ns
            rows[ns] = 0
        }
        s = series[sk]
        member[s, ++rows[s]] = r
        if (v[r, "cores"] + 0 > cores)
            cores = v[r, "cores"] + 0
        host = v[r, "host"]
        if (index(" " hosts " ", " " host " ") == 0)
            hosts = (hosts == "") ? host : hosts " " host
        if (isnum(v[r, "speedup_serial"]))
            has_serial = 1
        if (isnum(v[r, "ci_level"])) {
            if (ci_lo == "" || v[r, "ci_level"] + 0 < ci_lo) ci_lo = v[r, "ci_level"] + 0
            if (ci_hi == "" || v[r, "ci_level"] + 0 > ci_hi) ci_hi = v[r, "ci_level"] + 0
        }
        class = v[r, "class"]
    }
    for (sk in series)
        delete series[sk]

    for (i = 1; i <= ns; i++)
        order[i] = i
    sort_idx(order, ns, rank)

    scaling = k[2]
    slug = slugify(k[1] "-" scaling "-" k[3])
    if (++slug_seen[slug] > 1)
        slug = slug "-" slug_seen[slug]
    if (scaling == "weak")
        title = sprintf("%s — %s kernel, weak scaling, size %s per worker", k[1], class, k[3])
    else
        title = sprintf("%s — %s kernel, %s scaling, size %s", k[1], class, scaling, k[3])
    if (k[4] != "")
        title = title ", " k[4]
    ideal = (class == "latency") ? "p" : "min"

    dat = out "/" slug ".dat"
    par = out "/" slug "-par.dat"
    printf "" > dat
    printf "" > par
    nall = ""
    npar = ""
    fself = ""
    fserial = ""
    for (i = 1; i <= ns; i++) {
        s = order[i]
        for (j = 1; j <= rows[s]; j++) {
            idx[j] = member[s, j]
            wkey[member[s, j]] = v[member[s, j], "workers"]
        }
        sort_idx(idx, rows[s], wkey)
        t0s = ""
        t0r = ""
        for (j = 1; j <= rows[s]; j++) {
            r = idx[j]
            line = sprintf("%s %s %s %s %s %s %s %s %s %s %s %s",
                num(v[r, "workers"]), num(v[r, "median"]), num(v[r, "ci_low"]),
                num(v[r, "ci_high"]), num(v[r, "speedup_self"]),
                num(v[r, "efficiency_self"]), num(v[r, "speedup_serial"]),
                num(v[r, "efficiency_serial"]), num(v[r, "weak_efficiency"]),
                (isnum(v[r, "startup_median"]) && v[r, "workers"] + 0 > 0) ? \
                    sprintf("%.6g", v[r, "startup_median"] / v[r, "workers"]) : "NaN",
                num(v[r, "n"]), num(v[r, "verified_all"]))
            print line > dat
            if (drv[s] != "serial")
                print line > par
            if (t0s == "" && v[r, "workers"] + 0 == 1 && isnum(v[r, "median"]))
                t0s = v[r, "median"]
            if (t0r == "" && isnum(v[r, "speedup_serial"]) && isnum(v[r, "median"]))
                t0r = sprintf("%.6g", v[r, "median"] * v[r, "speedup_serial"])
        }
        for (j = 1; j <= rows[s]; j++) {
            r = idx[j]
            if (t0s == "" && isnum(v[r, "speedup_self"]) && isnum(v[r, "median"]))
                t0s = sprintf("%.6g", v[r, "median"] * v[r, "speedup_self"])
        }
        print "\n" > dat
        nall = nall (nall == "" ? "" : " ") names[s]
        if (drv[s] == "serial")
            continue
        print "\n" > par
        npar = npar (npar == "" ? "" : " ") names[s]
        fk = k[1] SUBSEP drv[s] SUBSEP k[3] SUBSEP k[4] SUBSEP sched[s]
        sep = (fself == "") ? "" : " "
        if (scaling != "weak" && (fk in fit_a) && isnum(fit_a[fk]) && isnum(fit_b[fk])) {
            fself = fself sep (t0s == "" ? "-" : t0s) " " fit_a[fk] " " fit_b[fk] " " fit_range[fk]
            fserial = fserial sep (t0r == "" ? "-" : t0r) " " fit_a[fk] " " fit_b[fk] " " fit_range[fk]
        } else {
            fself = fself sep "- - - - -"
            fserial = fserial sep "- - - - -"
        }
    }
    close(dat)
    close(par)
    if (npar == "")
        npar = "-"
    if (fself == "") {
        fself = "-"
        fserial = "-"
    }
    if (hosts == "")
        hosts = "unknown"
    if (ci_lo == "")
        ci = "95%"
    else if (sprintf("%.3g", 100 * ci_lo) == sprintf("%.3g", 100 * ci_hi))
        ci = sprintf("%.3g%%", 100 * ci_lo)
    else
        ci = sprintf("%.3g–%.3g%%", 100 * ci_lo, 100 * ci_hi)
    if (class == "")
        class = "-"
    printf "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", slug, title, hosts, scaling,
        class, cores, ideal, nall, npar, fself, fserial, has_serial, ci > (out "/cases.tsv")

    for (i = 1; i <= ns; i++) {
        s = order[i]
        if (drv[s] == "serial")
            continue
        for (j = 1; j <= rows[s]; j++) {
            r = member[s, j]
            if (!isnum(v[r, "startup_median"]) || v[r, "startup_median"] + 0 <= 0)
                continue
            lbl = drv[s]
            if (!(lbl in st_seen)) {
                st_seen[lbl] = 1
                st_names[++nstart] = lbl
                st_rank[nstart] = driver_rank(lbl) * 1000 + nstart
            }
            st_n[lbl, v[r, "workers"] + 0]++
            st_v[lbl, v[r, "workers"] + 0, st_n[lbl, v[r, "workers"] + 0]] = v[r, "startup_median"] / v[r, "workers"]
            st_w[lbl, v[r, "workers"] + 0] = 1
        }
        st_cases[id] = 1
    }
    for (i = 1; i <= ns; i++)
        for (j = 1; j <= rows[i]; j++)
            delete member[i, j]
}

# write_startup: startup.dat and startup.tsv from the values write_case gathered
function write_startup(    i, j, lbl, wl, widx, nw, m, vals, n, lo, hi, names, ncases, key, parts, id, sorder) {
    printf "" > (out "/startup.dat")
    names = ""
    for (i = 1; i <= nstart; i++)
        sorder[i] = i
    sort_idx(sorder, nstart, st_rank)
    for (i = 1; i <= nstart; i++) {
        lbl = st_names[sorder[i]]
        nw = 0
        for (key in st_w) {
            split(key, parts, SUBSEP)
            if (parts[1] == lbl)
                wl[++nw] = parts[2] + 0
        }
        sort_num(wl, nw)
        for (j = 1; j <= nw; j++)
            widx[j] = wl[j]
        for (j = 1; j <= nw; j++) {
            n = st_n[lbl, widx[j]]
            for (m = 1; m <= n; m++)
                vals[m] = st_v[lbl, widx[j], m]
            lo = vals[1]
            hi = vals[1]
            for (m = 2; m <= n; m++) {
                if (vals[m] < lo) lo = vals[m]
                if (vals[m] > hi) hi = vals[m]
            }
            printf "%d %.6g %.6g %.6g %d\n", widx[j], median_of(vals, n), lo, hi, n > (out "/startup.dat")
        }
        print "\n" > (out "/startup.dat")
        names = names (names == "" ? "" : " ") lbl
    }
    close(out "/startup.dat")
    ncases = 0
    for (id in st_cases)
        ncases++
    printf "%s\t%d\n", (names == "" ? "-" : names), ncases > (out "/startup.tsv")
    close(out "/startup.tsv")
}
