# pop.gp — POP efficiency factors vs workers, one panel per series (the
# serial driver's series, whatever their schedule, have none): load balance, communication efficiency,
# parallel efficiency, computation scaling and global efficiency, with
# their intervals.  Columns of PREFIX-pop.dat: 1 workers, then value, low
# and high of LB (2-4), CommE (5-7), PE (8-10), CompS (11-13), GE (14-16).

POP = PREFIX."-pop.dat"
unset label 99
unset arrow 99
array MNAME[5] = ["load balance", "communication eff.", "parallel efficiency", "computation scaling", "global efficiency"]
array MCOLOR[5] = ["#0072B2", "#D55E00", "#000000", "#009E73", "#CC79A7"]
array MPT[5] = [5, 9, 7, 11, 13]
COLS = (PANELS <= 5) ? PANELS : 3
ROWS = (PANELS + COLS - 1) / COLS
# the title lines keep their height in pixels on a taller canvas
TOP = 1 - (1 - ((NOTE ne "-") ? 0.76 : 0.80)) / TALL
set multiplot layout ROWS, COLS margins 0.07, 0.83, 0.12 / TALL, TOP spacing 0.04, 0.2 / TALL
set yrange [0 : 1.25]
set ytics 0.2
set ylabel "efficiency factor"
set xlabel "workers"
set key at screen 0.995, screen TOP top right vertical Left reverse samplen 2 spacing 1.1
FIRST = 1
do for [i = 1:N] {
    if (strstrt(NAME[i], "serial") != 1) {
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
