# efficiency.gp — parallel efficiency (speedup / workers) vs workers per driver.
# Usage: gnuplot -c plots/efficiency.gp DATA OUT TITLE HOST NAMES BASELINE IDEAL CORES
#   DATA      SLUG-par.dat from plots/cases.awk (parallel drivers only)
#   OUT       output file; .svg gives SVG, anything else PNG
#   TITLE     first title line (kernel, class, scaling, size, params)
#   HOST      host name(s) for the second title line
#   NAMES     space-separated series names, one per data block
#   BASELINE  self (same driver at 1 worker: column 6) or serial (serial driver: column 8)
#   IDEAL     min (ideal efficiency min(p, CORES)/p) or p (latency class: ideal 1)
#   CORES     online cores

DATA = ARG1; OUT = ARG2; TITLE = ARG3; HOST = ARG4; NAMES = ARG5; BASELINE = ARG6
IDEAL = ARG7; CORES = real(ARG8)
gpdir = ""; do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { gpdir = ARG0[1:i] } }
load gpdir."common.gp"

col = (BASELINE eq "serial") ? 8 : 6
basename = (BASELINE eq "serial") ? "the serial driver" : "the same driver at its fewest workers (1; hybrid: p0 = threads per rank, counted as p0 x faster)"
set title TITLE."\nefficiency = speedup / workers, speedup vs ".basename." · host ".HOST

ideal(p) = (IDEAL eq "p" || p < CORES) ? 1 : CORES / p
idealname = (IDEAL eq "p") ? "ideal: 1" : sprintf("ideal: min(p, %g cores) / p", CORES)

set ylabel "parallel efficiency"
set yrange [0 : 1.1 < *]
set ytics 0.1 format "%.1f"
set samples 400

plot ideal(x) with lines lw 2 lc rgb "#999999" title idealname, \
     for [i = 1:N] DATA index (i - 1) using 1:col \
        with linespoints lw 2 ps 1.4 pt spoint(i) dt sdash(i) lc rgb scolor(i) title word(NAMES, i)
