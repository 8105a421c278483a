# cost.gp — what one team operation costs vs workers, per runtime: columns
# of PREFIX.dat are workers, cost (µs), and its 95 % interval.

unset logscale y; set ytics autofreq; set format y "%g"; unset mytics; set yrange [*:*]
eval SPAN("U", 4, 2)
eval SPAN("L", 2, 2)
set ylabel "cost of one operation [µs] (log scale)"
set logscale y 10
YLO = (L_min > 0 ? L_min : 1e-3); YHI = (U_max > YLO ? U_max : YLO * 10)
eval LOGTICKS
set yrange [YLO / 2 : YHI * 2]
set mytics 10
plot for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):2 \
        with linespoints lw 2 ps 1.4 pt PT[i] dt DT[i] lc rgb COLOR[i] title NAME[i], \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):2:3:4 \
        with yerrorbars lw 1.2 ps 0 lc rgb COLOR[i] notitle
