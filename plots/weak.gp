# weak.gp — weak-scaling efficiency T(1)/T(p) per series (columns 17-19 of
# PREFIX.dat) with the Gustafson fit and its band (17-19 of PREFIX-fit.dat).

unset logscale y; set ytics autofreq; set format y "%g"; unset mytics; set yrange [*:*]
set ylabel "weak-scaling efficiency T(1)/T(p)"
eval SPAN("E", 19, 17)
set yrange [0 : (E_max > 1.1 ? E_max * 1.05 : 1.15)]
set ytics 0.2
drawn(i) = (NAME[i] ne "serial")
plot 1 with lines lw 2 lc rgb "#999999" title "ideal", \
     for [i = 1:N] FITS index (i - 1) using 1:18:19 \
        with filledcurves fs transparent solid 0.12 noborder lc rgb COLOR[i] notitle, \
     for [i = 1:N] FITS index (i - 1) using 1:17 \
        with lines dt 2 lw 1.5 lc rgb COLOR[i] title (drawn(i) && FIT[i] ne "-" ? FIT[i] : ""), \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):(drawn(i) ? $17 : NaN) \
        with linespoints lw 2 ps 1.4 pt PT[i] dt DT[i] lc rgb COLOR[i] title (drawn(i) ? NAME[i] : ""), \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):(drawn(i) ? $17 : NaN):18:19 \
        with yerrorbars lw 1.2 ps 0 lc rgb COLOR[i] notitle
