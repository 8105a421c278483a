# figure.gp — draws one figure from the summariser's data files.
# Usage: gnuplot -c plots/figure.gp KIND PREFIX OUT TITLE SUBTITLE NOTE
#   KIND      time, speedup-serial, speedup, efficiency, weak, panel, pop, startup
#   PREFIX    data file stem: RUN/data/CASE (reads CASE.meta, CASE.series.tsv,
#             CASE.dat, CASE-fit.dat, CASE-pop.dat; startup: RUN/data/startup)
#   OUT       output file: .png, .svg, .pdf, or .tex (cairolatex: .tex + .pdf)
#   TITLE, SUBTITLE, NOTE   title lines; NOTE "-" for none, else drawn in red
# Every number drawn is read from a column: no statistic is computed here.

KIND = ARG1; PREFIX = ARG2; OUT = ARG3; TITLE = ARG4; SUBTITLE = ARG5; NOTE = ARG6
GPDIR = ""; do for [i = 1:strlen(ARG0)] { if (ARG0[i:i] eq "/") { GPDIR = ARG0[1:i] } }
load GPDIR."common.gp"

if (KIND eq "panel") {
    load GPDIR."panel.gp"
} else {
    if (KIND eq "speedup-serial" || KIND eq "speedup") {
        BASE = (KIND eq "speedup-serial") ? "serial" : "self"
        load GPDIR."speedup.gp"
    } else {
        BASE = (HASSERIAL) ? "serial" : "self"
        load GPDIR.KIND.".gp"
    }
}
