# efficiency.gp — parallel efficiency (speedup / p) vs workers per series,
# with its interval; the ideal min(p, cores)/p and the 0.8 threshold.
# BASE serial: columns 8-10 of PREFIX.dat; BASE self: columns 14-16.

unset logscale y; set ytics autofreq; set format y "%g"; unset mytics; set yrange [*:*]
C = (BASE eq "serial") ? 8 : 14
set ylabel (BASE eq "serial") ? "efficiency vs the serial driver" : "efficiency vs the same driver at 1 worker"
eval SPAN("E", C + 2, C)
set yrange [0 : (E_max > 1.1 ? E_max * 1.05 : 1.15)]
set ytics 0.2
drawn(i) = (NAME[i] ne "serial")
plot ideal(x) / x with lines lw 2 lc rgb "#999999" title "ideal", \
     0.8 with lines dt 3 lw 1 lc rgb "#777777" title "0.8", \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):(drawn(i) ? column(C) : NaN) \
        with linespoints lw 2 ps 1.4 pt PT[i] dt DT[i] lc rgb COLOR[i] title (drawn(i) ? NAME[i] : ""), \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):(drawn(i) ? column(C) : NaN):C + 1:C + 2 \
        with yerrorbars lw 1.2 ps 0 lc rgb COLOR[i] notitle
