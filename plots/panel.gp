# panel.gp — time, speedup and efficiency side by side (the single figures'
# layers in one multiplot, for a paper's one-column-per-kernel figure).

unset label 99
set multiplot layout 1, 3 margins 0.05, 0.85, 0.12, 0.80 spacing 0.085
set key off
load GPDIR."time.gp"
BASE = (HASSERIAL) ? "serial" : "self"
load GPDIR."speedup.gp"
set key at screen 0.995, screen 0.78 top right vertical Left reverse samplen 2 spacing 1.1
load GPDIR."efficiency.gp"
unset multiplot
