# common.gp — terminal, title, axes and the per-series styles every figure
# shares.  Reads PREFIX.meta (cores, largest worker count, ideal kind, whether
# a serial baseline exists, series count) and PREFIX.series.tsv (per series:
# name, colour, point type, dash type, fit legend).

set encoding utf8
ext = (strlen(OUT) > 4) ? OUT[strlen(OUT) - 3:] : ""
PANEL = (KIND eq "panel" || KIND eq "pop")
set datafile missing "NaN"

# ---- what the summariser wrote about this case
if (KIND eq "startup") {
    CORES = 0; WMAX = 1; IDEALP = 0; HASSERIAL = 0
} else {
    stats PREFIX.".meta" using (CORES = $1, WMAX = $2, IDEALP = int($3), HASSERIAL = int($4), 0) nooutput
}
array NAME[64]; array COLOR[64]; array PT[64]; array DT[64]; array FIT[64]
N = 0
set datafile separator "\t"
stats PREFIX.".series.tsv" every ::1 using (N = N + 1, NAME[N] = strcol(1), COLOR[N] = strcol(2), \
    PT[N] = int(column(3)), DT[N] = int(column(4)), FIT[N] = strcol(5), 0) nooutput
set datafile separator whitespace
SERIAL = 0
do for [i = 1:N] { if (NAME[i] eq "serial") { SERIAL = i } }
DATA = PREFIX.".dat"
FITS = PREFIX."-fit.dat"

# ---- the canvas: the POP figure has a panel per parallel series, three to
# a row, and grows with the rows
NSERIAL = 0
do for [i = 1:N] { if (strstrt(NAME[i], "serial") == 1) { NSERIAL = NSERIAL + 1 } }
PANELS = N - NSERIAL
POPROWS = (PANELS + 2) / 3
TALL = (KIND eq "pop" && POPROWS > 2) ? POPROWS / 2.0 : 1.0
if (ext eq ".svg") {
    set terminal svg size (PANEL ? 1500 : 960), 600 * TALL dynamic noenhanced font "DejaVu Sans,14" background rgb "white" linewidth 1.3
} else { if (ext eq ".pdf") {
    set terminal pdfcairo size (PANEL ? 11 : 6.4), 4 * TALL noenhanced font "DejaVu Sans,10" linewidth 1.2
} else { if (ext eq ".tex") {
    set terminal cairolatex pdf size (PANEL ? 6.5 : 5), 3.2 * TALL noenhanced
} else {
    set terminal pngcairo size (PANEL ? 1800 : 1200), 750 * TALL noenhanced font "DejaVu Sans,14" background rgb "white" linewidth 1.5
} } }
set output OUT

# ---- title lines, centred on the whole canvas so a key on the right cannot clip them
TFONT = (ext eq ".pdf") ? ",12" : ((ext eq ".tex") ? "" : ",17")
# (as far from the top on a taller canvas)
set label 901 TITLE at screen 0.5, screen 1 - 0.035 / TALL center font TFONT
set label 902 SUBTITLE at screen 0.5, screen 1 - 0.08 / TALL center tc rgb "#444444"
if (NOTE ne "-") { set label 903 NOTE at screen 0.5, screen 1 - 0.125 / TALL center tc rgb "#B00000" }
set tmargin (NOTE ne "-") ? 6.5 : 5

set border 3 lw 1
set tics out nomirror
set grid xtics ytics mytics lc rgb "#dddddd" lw 1 dt 1, lc rgb "#eeeeee" lw 1 dt 1
set key rmargin top vertical Left reverse samplen 2.5 spacing 1.25 width 1
set logscale x 2
set xtics format "%g"
set xlabel "workers (log₂ scale)"
set xrange [0.8 : WMAX * 1.25]

# the core count, where workers stop having a core each
if (CORES > 0 && CORES <= WMAX * 1.25) {
    set arrow 99 from CORES, graph 0 to CORES, graph 1 nohead dt 3 lw 1.5 lc rgb "#777777" back
    set label 99 sprintf("%g cores", CORES) at CORES, graph 1 offset 0.5,-1 left tc rgb "#555555"
}

# ideal speedup: p for the latency class, else min(p, cores)
ideal(p) = (IDEALP || p < CORES) ? p : CORES
IDEALNAME = IDEALP ? "ideal: p" : sprintf("ideal: min(p, %g cores)", CORES)

# dodge(i, p): series i drawn a little sideways so error bars stay visible
dodge(i, p) = p * 2 ** (0.035 * (i - (N + 1) / 2.0))

# LOGTICKS: label a log y axis at 1, 2, 5 × 10^k (finer for short spans)
LOGTICKS = "set ytics () ; MANT = (YHI / YLO < 30) ? '1 1.5 2 3 5 7' : '1 2 5' ; do for [e = floor(log10(YLO)) : ceil(log10(YHI))] { do for [m in MANT] { set ytics add (sprintf('%g', real(m) * 10**e) real(m) * 10**e) } }"

# SPAN(NAME, C, ALT): NAME_min and NAME_max of column C of DATA, or of column
# ALT where C has no value at all (an interval needs 6 repetitions), else
# NaN.  A stats command that finds no valid point undefines its variables.
SPAN(v, c, alt) = sprintf("stats [*:*][*:*] DATA using %d nooutput name '%s'; " . \
    "if (!exists('%s_max')) { stats [*:*][*:*] DATA using %d nooutput name '%s' }; " . \
    "if (!exists('%s_max')) { %s_max = NaN; %s_min = NaN }", c, v, v, alt, v, v, v, v)
