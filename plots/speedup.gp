# speedup.gp — speedup vs workers per driver, the ideal line and each driver's Amdahl fit.
# Usage: gnuplot -c plots/speedup.gp DATA OUT TITLE HOST NAMES BASELINE IDEAL CORES FITS
#   DATA      SLUG-par.dat from plots/cases.awk (parallel drivers only)
#   OUT       output file; .svg gives SVG, anything else PNG
#   TITLE     first title line (kernel, class, scaling, size, params)
#   HOST      host name(s) for the second title line
#   NAMES     space-separated series names, one per data block
#   BASELINE  self (same driver at 1 worker: column 5) or serial (serial driver: column 7)
#   IDEAL     min (ideal speedup min(p, CORES)) or p (latency class: ideal p)
#   CORES     online cores
#   FITS      "T0 a b pmin pmax" per series ("- - - - -" for none): the fitted
#             speedup T0 / (a + b/p), T0 being the baseline's time, drawn over the
#             fitted worker range pmin..pmax

DATA = ARG1; OUT = ARG2; TITLE = ARG3; HOST = ARG4; NAMES = ARG5; BASELINE = ARG6
IDEAL = ARG7; CORES = real(ARG8); FITS = ARG9
gpdir = ""; do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { gpdir = ARG0[1:i] } }
load gpdir."common.gp"

col = (BASELINE eq "serial") ? 7 : 5
basename = (BASELINE eq "serial") ? "the serial driver" : "the same driver at its fewest workers (1; hybrid: p0 = threads per rank, counted as p0 x faster)"
set title TITLE."\nspeedup vs ".basename." (ratio of median times) · host ".HOST.\
    "\ndashed: Amdahl fit T(p) = a + b/p over the fitted range, serial fraction s = a / (a + b)"
set tmargin 6

ideal(p) = (IDEAL eq "p" || p < CORES) ? p : CORES
idealname = (IDEAL eq "p") ? "ideal: p" : sprintf("ideal: min(p, %g cores)", CORES)

fw(i, k) = word(FITS, 5 * (i - 1) + k)
hasfit(i) = words(FITS) >= 5 * i && fw(i, 1) ne "-" && fw(i, 2) ne "-" && fw(i, 3) ne "-"
inrange(i, p) = (fw(i, 4) eq "-" || p >= real(fw(i, 4)) / 1.001) && (fw(i, 5) eq "-" || p <= real(fw(i, 5)) * 1.001)
fitS(i, p) = (hasfit(i) && inrange(i, p)) ? real(fw(i, 1)) / (real(fw(i, 2)) + real(fw(i, 3)) / p) : NaN
fitname(i) = hasfit(i) ? sprintf("%s fit: s = %.3f", word(NAMES, i), real(fw(i, 2)) / (real(fw(i, 2)) + real(fw(i, 3)))) : ""

set logscale y 2
set ytics format "%g"
set ylabel "speedup (log₂ scale)"
stats [*:*][*:*] DATA using col nooutput name "S"
YHI = S_max > ideal(W_max) ? S_max : ideal(W_max)
YLO = S_min < 1 ? S_min : 1
set yrange [YLO / 1.3 : YHI * 1.3]
set samples 200

plot ideal(x) with lines lw 2 lc rgb "#999999" title idealname, \
     for [i = 1:N] DATA index (i - 1) using 1:col \
        with linespoints lw 2 ps 1.4 pt spoint(i) dt sdash(i) lc rgb scolor(i) title word(NAMES, i), \
     for [i = 1:N] fitS(i, x) with lines dt 2 lw 1.5 lc rgb scolor(i) title fitname(i)
