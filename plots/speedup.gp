# speedup.gp — speedup vs workers per series with its interval, the ideal
# line, and each series' preferred model with its bootstrap band.
# BASE serial: columns 5-7 of PREFIX.dat, 8-10 of PREFIX-fit.dat;
# BASE self: columns 11-13 and 5-7.  The serial series itself is not drawn.

unset logscale y; set ytics autofreq; set format y "%g"; unset mytics; set yrange [*:*]
C = (BASE eq "serial") ? 5 : 11
F = (BASE eq "serial") ? 8 : 5
set ylabel (BASE eq "serial") ? "speedup vs the serial driver (log₂ scale)" : "speedup vs the same driver at 1 worker (log₂ scale)"
set logscale y 2
set ytics format "%g"
eval SPAN("S", C + 2, C)
eval SPAN("SL", C + 1, C)
YHI = S_max > ideal(WMAX) ? S_max : ideal(WMAX)
YLO = SL_min < 1 ? SL_min : 1
set yrange [YLO / 1.3 : YHI * 1.3]
drawn(i) = (NAME[i] ne "serial")
plot ideal(x) with lines lw 2 lc rgb "#999999" title IDEALNAME, \
     for [i = 1:N] FITS index (i - 1) using 1:F + 1:F + 2 \
        with filledcurves fs transparent solid 0.12 noborder lc rgb COLOR[i] notitle, \
     for [i = 1:N] FITS index (i - 1) using 1:F \
        with lines dt 2 lw 1.5 lc rgb COLOR[i] title (drawn(i) && FIT[i] ne "-" ? FIT[i] : ""), \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):(drawn(i) ? column(C) : NaN) \
        with linespoints lw 2 ps 1.4 pt PT[i] dt DT[i] lc rgb COLOR[i] title (drawn(i) ? NAME[i] : ""), \
     for [i = 1:N] DATA index (i - 1) using (dodge(i, $1)):(drawn(i) ? column(C) : NaN):C + 1:C + 2 \
        with yerrorbars lw 1.2 ps 0 lc rgb COLOR[i] notitle
