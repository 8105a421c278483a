# startup.gp — cost of starting the workers, per worker, vs workers, one line per driver.
# Series are dodged sideways by a few percent of a doubling so their bars stay visible.
# Usage: gnuplot -c plots/startup.gp DATA OUT TITLE HOST NAMES CORES
#   DATA   startup.dat from plots/cases.awk (one block per driver: workers,
#          median over kernel cases of startup_median / workers, min, max, cases)
#   OUT    output file; .svg gives SVG, anything else PNG
#   TITLE  first title line
#   HOST   host name(s) for the second title line
#   NAMES  space-separated driver names, one per data block
#   CORES  online cores (dotted marker); 0 for none

DATA = ARG1; OUT = ARG2; TITLE = ARG3; HOST = ARG4; NAMES = ARG5; CORES = real(ARG6)
gpdir = ""; do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { gpdir = ARG0[1:i] } }
load gpdir."common.gp"

set title TITLE."\nstart-up time / workers: median over kernel cases, bars: min–max over them · host ".HOST

# unit from the range: µs below a millisecond, ms otherwise
stats [*:*][*:*] DATA using 4 nooutput name "U"
stats [*:*][*:*] DATA using 3 nooutput name "L"
uscale = (U_max < 1e-3) ? 1e6 : 1e3
uunit = (uscale == 1e6) ? "µs" : "ms"
set ylabel sprintf("start-up cost per worker [%s] (log scale)", uunit)
set logscale y 10
YLO = L_min * uscale; YHI = U_max * uscale
eval LOGTICKS
set yrange [YLO / 1.5 : YHI * 1.5]
set mytics 10

plot for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):($2 * uscale):($3 * uscale):($4 * uscale) \
        with yerrorlines lw 2 ps 1.4 pt spoint(i) dt sdash(i) lc rgb scolor(i) title word(NAMES, i)
