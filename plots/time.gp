# time.gp — median time per repetition vs workers, every driver, CI error bars.
# Series are dodged sideways by a few percent of a doubling so their bars stay visible.
# Usage: gnuplot -c plots/time.gp DATA OUT TITLE HOST NAMES SCALING CORES CI
#   DATA     SLUG.dat from plots/cases.awk (one block per series: workers, median,
#            ci_low, ci_high, ...)
#   OUT      output file; .svg gives SVG, anything else PNG
#   TITLE    first title line (kernel, class, scaling, size, params)
#   HOST     host name(s) for the second title line
#   NAMES    space-separated series names, one per data block
#   SCALING  strong (log time axis) or weak (linear time axis from 0)
#   CORES    online cores (dotted marker); 0 for none
#   CI       confidence level of the error bars, as text ("95%")

DATA = ARG1; OUT = ARG2; TITLE = ARG3; HOST = ARG4; NAMES = ARG5; SCALING = ARG6
CORES = real(ARG7); CI = (ARGC >= 8) ? ARG8 : "95%"
gpdir = ""; do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { gpdir = ARG0[1:i] } }
load gpdir."common.gp"

# time unit from the largest upper CI bound: s, ms or µs
stats [*:*][*:*] DATA using 4 nooutput name "T"
tscale = (T_max < 1e-3) ? 1e6 : ((T_max < 1) ? 1e3 : 1)
tunit = (tscale == 1e6) ? "µs" : ((tscale == 1e3) ? "ms" : "s")

set title TITLE."\nmedian time per repetition, error bars: ".CI." CI of the median · host ".HOST
set ylabel sprintf("time per repetition [%s]", tunit)
if (SCALING eq "weak") {
    set title TITLE."\nmedian time per repetition, error bars: ".CI." CI of the median · host ".HOST.\
        "\nthe work per worker is fixed: ideal is a flat line"
    set tmargin 6
    set yrange [0:*]
} else {
    set logscale y 10
    stats [*:*][*:*] DATA using 3 nooutput name "L"
    YLO = L_min * tscale; YHI = T_max * tscale
    eval LOGTICKS
    set yrange [YLO / 1.15 : YHI * 1.15]
    set mytics 10
}

# the serial driver's median, drawn across the whole worker axis for reference
SERIAL_T = NaN
if (SERIAL > 0) {
    stats [*:*][*:*] DATA index (SERIAL - 1) using 2 nooutput name "S"
    SERIAL_T = S_median * tscale
}

plot for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):($2 * tscale):($3 * tscale):($4 * tscale) \
        with yerrorlines lw 2 ps 1.4 pt spoint(i) dt sdash(i) lc rgb scolor(i) title word(NAMES, i), \
     (SERIAL > 0 ? SERIAL_T : NaN) with lines dt 3 lw 1.5 lc rgb "#000000" \
        title (SERIAL > 0 ? "serial (reference)" : "")
