# pop.gp — POP efficiency factors vs workers, one panel per series (the
# serial driver has none): load balance, communication efficiency,
# parallel efficiency, computation scaling and global efficiency, with
# their intervals.  Columns of PREFIX-pop.dat: 1 workers, then value, low
# and high of LB (2-4), CommE (5-7), PE (8-10), CompS (11-13), GE (14-16).

POP = PREFIX."-pop.dat"
unset label 99
unset arrow 99
array MNAME[5] = ["load balance", "communication eff.", "parallel efficiency", "computation scaling", "global efficiency"]
array MCOLOR[5] = ["#0072B2", "#D55E00", "#000000", "#009E73", "#CC79A7"]
array MPT[5] = [5, 9, 7, 11, 13]
PANELS = N - (SERIAL > 0 ? 1 : 0)
COLS = (PANELS <= 5) ? PANELS : 3
ROWS = (PANELS + COLS - 1) / COLS
TOP = (NOTE ne "-") ? 0.76 : 0.80
set multiplot layout ROWS, COLS margins 0.05, 0.86, 0.12, TOP spacing 0.04, 0.16
set yrange [0 : 1.25]
set ytics 0.2
set ylabel "efficiency factor"
set xlabel "workers"
set key at screen 0.995, screen 0.78 top right vertical Left reverse samplen 2 spacing 1.1
FIRST = 1
do for [i = 1:N] {
    if (NAME[i] ne "serial") {
        set title NAME[i]
        if (!FIRST) { set key off; unset ylabel }
        plot 0.8 with lines dt 3 lw 1 lc rgb "#777777" title "0.8", \
             for [m = 1:5] POP index (i - 1) using 1:(column(3 * m - 1)) \
                with linespoints lw 2 ps 1.2 pt MPT[m] lc rgb MCOLOR[m] title MNAME[m], \
             for [m = 1:5] POP index (i - 1) using 1:(column(3 * m - 1)):(column(3 * m)):(column(3 * m + 1)) \
                with yerrorbars lw 1 ps 0 lc rgb MCOLOR[m] notitle
        FIRST = 0
    }
}
unset multiplot
