# time.gp — median time per repetition vs workers per series, with the
# interval of the median; the serial driver's time as a dotted reference.
# Columns of PREFIX.dat: 1 workers, 2 median, 3 low, 4 high.

unset logscale y; set ytics autofreq; set format y "%g"; unset mytics; set yrange [*:*]
eval SPAN("T", 4, 2)
TSCALE = (T_max < 1e-3) ? 1e6 : ((T_max < 1) ? 1e3 : 1)
TUNIT = (TSCALE == 1e6) ? "µs" : ((TSCALE == 1e3) ? "ms" : "s")
set ylabel sprintf("median time per repetition [%s]", TUNIT)
set logscale y 10
eval SPAN("L", 3, 2)
YLO = L_min * TSCALE; YHI = T_max * TSCALE
eval LOGTICKS
set yrange [YLO / 1.15 : YHI * 1.15]
set mytics 10
SERIAL_T = NaN
if (SERIAL > 0) {
    stats [*:*][*:*] DATA index (SERIAL - 1) using 2 nooutput name "S"
    SERIAL_T = S_min * TSCALE
}
plot for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):($2 * TSCALE) \
        with linespoints lw 2 ps 1.4 pt PT[i] dt DT[i] lc rgb COLOR[i] title NAME[i], \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):($2 * TSCALE):($3 * TSCALE):($4 * TSCALE) \
        with yerrorbars lw 1.2 ps 0 lc rgb COLOR[i] notitle, \
     (SERIAL > 0 ? SERIAL_T : NaN) with lines dt 3 lw 1.5 lc rgb "#000000" \
        title (SERIAL > 0 ? "serial (reference)" : "")
