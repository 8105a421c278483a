# synthetic-raw.awk — raw parscale rows for benchmarks of the tools after
# the CSV (never for measurements): KERNELS kernels x SIZES sizes x 6
# drivers x worker counts 1, 2, 4, ... WMAX (serial at 1), REPS repetitions
# each, times following Amdahl with 5 % noise.  Variables: HEADER (the raw
# header line), SEED, KERNELS, SIZES, WMAX, REPS.  Each row gives the first
# 46 columns; those the schema appended after them are left empty.
BEGIN {
    srand(SEED)
    pad = ""
    for (i = split(HEADER, col, ","); i > 46; i--)
        pad = pad ","
    split("serial pthread openmp fork mpi hybrid", drv, " ")
    print HEADER
    for (k = 0; k < KERNELS; k++)
        for (z = 0; z < SIZES; z++)
            for (d = 1; d <= 6; d++)
                for (w = 1; w <= WMAX; w *= 2) {
                    if (d == 1 && w > 1)
                        continue
                    run++
                    th = (d == 2 || d == 3) ? w : 1
                    rk = w / th
                    for (r = 1; r <= REPS; r++) {
                        t = (0.1 + 0.9 / w) * (1 + 0.05 * rand())
                        printf "run%d,k%d,%s,strong,%d,%d,%d,%.9g,0.0001,%.6g,Mitems/s,1,h,2026-01-01T00:00:00Z,compute,%d,%d,%d,1,16,static,p=1,1,100,items,0,0,0.1.0,h:%d,none,0-15,8,1,33554432,1000,0.00001,,%.6g,%.6g,%.6g,%.6g,%.6g,,,,%s\n", \
                            run, k, drv[d], 1000 * (z + 1), w, r, t, 100 / t, 1000 * (z + 1), rk, th, rk, t * 0.9, t * 0.8, t * 0.7, t * 0.1, t * 0.05, pad
                    }
                }
}
