# common.gp — terminal, colours, axes and per-series styles shared by the figures.
# A figure script sets OUT (output file), NAMES (space-separated series names,
# "-" for none), DATA (its data file) and CORES, then loads this file.
# .svg output gives the svg terminal; anything else PNG (pngcairo where built in).

set encoding utf8
if (strlen(OUT) > 4 && OUT[strlen(OUT)-3:] eq ".svg") {
    set terminal svg size 960,600 dynamic noenhanced font "DejaVu Sans,14" background rgb "white" linewidth 1.3
} else {
    if (strstrt(GPVAL_TERMINALS, " pngcairo ") > 0) {
        set terminal pngcairo size 1200,750 noenhanced font "DejaVu Sans,14" background rgb "white" linewidth 1.5
    } else {
        set terminal png size 1200,750 noenhanced font "DejaVu Sans,14" background rgb "white" linewidth 1.5
    }
}
set output OUT

set datafile missing "NaN"
set border 3 lw 1
set tics out nomirror
set grid xtics ytics mytics lc rgb "#dddddd" lw 1 dt 1, lc rgb "#eeeeee" lw 1 dt 1
set key rmargin top vertical Left reverse samplen 2.5 spacing 1.25 width 1
set logscale x 2
set xtics format "%g"
set xlabel "workers (log₂ scale)"
set tmargin 5
set title offset 0,0.5

if (NAMES eq "-") { NAMES = "" }
N = words(NAMES)

# drv: the driver part of a series name ("openmp/dynamic:4" -> "openmp")
drv(s) = (strstrt(s, "/") > 0) ? s[1:strstrt(s, "/") - 1] : s

# dcolor: one colour per driver, from the Okabe–Ito colour-blind-safe palette
dcolor(s) = drv(s) eq "serial" ? "#000000" : \
            drv(s) eq "pthread" ? "#0072B2" : \
            drv(s) eq "openmp" ? "#D55E00" : \
            drv(s) eq "fork" ? "#009E73" : \
            drv(s) eq "mpi" ? "#CC79A7" : \
            drv(s) eq "hybrid" ? "#E69F00" : "#56B4E9"

# dpoint: one filled point type per driver
dpoint(s) = drv(s) eq "serial" ? 7 : \
            drv(s) eq "pthread" ? 5 : \
            drv(s) eq "openmp" ? 9 : \
            drv(s) eq "fork" ? 11 : \
            drv(s) eq "mpi" ? 13 : \
            drv(s) eq "hybrid" ? 15 : 3

# VARIANT[i]: how many earlier series share series i's driver (schedules, layouts);
# variants keep the driver's colour and get open points and another dash pattern
array VARIANT[N > 0 ? N : 1]
do for [i = 1:N] {
    VARIANT[i] = 0
    do for [j = 1:i - 1] {
        if (drv(word(NAMES, j)) eq drv(word(NAMES, i))) { VARIANT[i] = VARIANT[i] + 1 }
    }
}
spoint(i) = dpoint(word(NAMES, i)) - (VARIANT[i] > 0 && dpoint(word(NAMES, i)) % 2 == 1 ? 1 : 0)
sdash(i) = (VARIANT[i] % 3 == 0) ? 1 : ((VARIANT[i] % 3 == 1) ? 4 : 5)
scolor(i) = dcolor(word(NAMES, i))

# worker range for the x axis, from the data file's first column
stats [*:*][*:*] DATA using 1 nooutput name "W"
set xrange [0.8 : W_max * 1.25]

# cores: a dotted vertical line where the workers reach the core count
if (CORES > 0 && CORES <= W_max * 1.25) {
    set arrow 99 from CORES, graph 0 to CORES, graph 1 nohead dt 3 lw 1.5 lc rgb "#777777" back
    set label 99 sprintf("%g cores", CORES) at CORES, graph 1 offset 0.5,-1 left tc rgb "#555555"
}

# LOGTICKS: evaluate after setting YLO and YHI (data units as plotted) to label a
# logarithmic y axis at 1, 2, 5 × 10^k (finer when the span is short) instead
# of only at powers of the base
LOGTICKS = "set ytics () ; MANT = (YHI / YLO < 30) ? '1 1.5 2 3 5 7' : '1 2 5' ; do for [e = floor(log10(YLO)) : ceil(log10(YHI))] { do for [m in MANT] { set ytics add (sprintf('%g', real(m) * 10**e) real(m) * 10**e) } }"

# SERIAL: index (1-based) of the series named "serial", 0 where there is none
SERIAL = 0
do for [i = 1:N] { if (word(NAMES, i) eq "serial") { SERIAL = i } }

# dodge(i, p): worker count p shifted a little sideways for series i, so that
# the error bars of series at the same worker count do not hide each other
dodge(i, p) = p * 2 ** (0.035 * (i - (N + 1) / 2.0))
