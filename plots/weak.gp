# weak.gp — weak-scaling efficiency T(1) / T(p) vs workers per driver (work per worker fixed).
# Usage: gnuplot -c plots/weak.gp DATA OUT TITLE HOST NAMES IDEAL CORES
#   DATA   SLUG-par.dat from plots/cases.awk for a weak-scaling case (column 9)
#   OUT    output file; .svg gives SVG, anything else PNG
#   TITLE  first title line (kernel, class, scaling, size per worker, params)
#   HOST   host name(s) for the second title line
#   NAMES  space-separated series names, one per data block
#   IDEAL  min (ideal min(p, CORES)/p: past the cores workers share them) or p (ideal 1)
#   CORES  online cores

DATA = ARG1; OUT = ARG2; TITLE = ARG3; HOST = ARG4; NAMES = ARG5
IDEAL = ARG6; CORES = real(ARG7)
gpdir = ""; do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { gpdir = ARG0[1:i] } }
load gpdir."common.gp"

set title TITLE."\nweak-scaling efficiency T(p0) / T(p), same driver at its fewest workers p0 (median times) · host ".HOST

ideal(p) = (IDEAL eq "p" || p < CORES) ? 1 : CORES / p
idealname = (IDEAL eq "p") ? "ideal: 1" : sprintf("ideal: min(p, %g cores) / p", CORES)

set ylabel "weak-scaling efficiency"
set yrange [0 : 1.1 < *]
set ytics 0.1 format "%.1f"
set samples 400

plot ideal(x) with lines lw 2 lc rgb "#999999" title idealname, \
     for [i = 1:N] DATA index (i - 1) using 1:9 \
        with linespoints lw 2 ps 1.4 pt spoint(i) dt sdash(i) lc rgb scolor(i) title word(NAMES, i)
