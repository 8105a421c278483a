# startup.gp — start-up time per worker vs workers per driver: columns of
# startup.dat are workers, median (µs), min, max over kernel cases.

unset logscale y; set ytics autofreq; set format y "%g"; unset mytics; set yrange [*:*]
DATA = PREFIX.".dat"
eval SPAN("U", 4, 2)
eval SPAN("L", 3, 2)
USCALE = (U_max < 1e3) ? 1 : 1e-3
set ylabel (USCALE == 1) ? "start-up per worker [µs] (log scale)" : "start-up per worker [ms] (log scale)"
set logscale y 10
YLO = L_min * USCALE; YHI = U_max * USCALE
eval LOGTICKS
set yrange [YLO / 1.5 : YHI * 1.5]
set mytics 10
eval SPAN("W", 1, 1)
set xrange [0.8 : W_max * 1.25]
plot for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):($2 * USCALE) \
        with linespoints lw 2 ps 1.4 pt PT[i] lc rgb COLOR[i] title NAME[i], \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):($2 * USCALE):($3 * USCALE):($4 * USCALE) \
        with yerrorbars lw 1.2 ps 0 lc rgb COLOR[i] notitle
