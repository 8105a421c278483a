#!/usr/bin/env bash
# shellcheck disable=SC2016  # $ in single quotes: for the programs' shells, or refused
# parscale-exec on real programs compiled here: an OpenMP one, an MPI one
# (mpirun -np {ranks}), a shell line; the columns it writes (the program's
# own time against what the program logged, start-up = wall - own time,
# CPU time, peak memory, the program's path and SHA-256), placeholders,
# --metric-csv, --from stderr, quoting without a shell, and the rows of
# every variant through parscale-summarize.
# usage: programs.sh BUILD_DIR
set -euo pipefail
BIN=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/driver.sh
. "$here/../lib/driver.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
X=$BIN/parscale-exec
METRIC='time: ([0-9.e+-]+) s'

# ex OUT ARGS... : parscale-exec bounded in time; its exit status in $rc
ex() {
    local out=$1
    shift
    rc=0
    timeout -k 5 120 "$X" "$@" > "$out" 2> "$out.err" || rc=$?
}

# rows FILE : data rows of a CSV
rows() { tail -n +2 "$1" | wc -l; }

# all_equal FILE COLUMN VALUE : every row has VALUE in COLUMN
all_equal() {
    local bad
    bad=$(csv_col "$1" "$2" | grep -vcxF -- "$3" || true)
    [[ $bad -eq 0 && $(rows "$1") -gt 0 ]] || fail "$1: $2 is not '$3' in every row: $(csv_col "$1" "$2" | tr '\n' ' ')"
}

# timing_consistent FILE : seconds <= wall, startup = wall - seconds, cpu
# and max_rss present and positive
timing_consistent() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { s = $c["seconds"]; w = $c["wall_seconds"]; u = $c["startup_seconds"]
          if (!(s > 0 && w >= s)) { print "seconds " s " wall " w; bad = 1 }
          d = w - s - u; if (d < 0) d = -d
          if (u == "" || d > 1e-6 * w + 1e-8) { print "startup " u " != " w " - " s; bad = 1 }
          if ($c["cpu_seconds"] == "" || $c["max_rss_bytes"] <= 0) { print "cpu/rss missing"; bad = 1 } }
        END { exit bad }' "$1" || fail "$1: timing columns inconsistent"
}

# --help says on stdout how the command runs; --version names the program
"$X" --help > "$tmp/help" 2> "$tmp/help.err" || fail "--help exit $?"
[[ ! -s $tmp/help.err ]] || fail "--help wrote to stderr"
grep -q 'directly (fork + exec), never through a shell,' "$tmp/help" || fail "--help does not say how the command runs"
grep -q 'unless --shell is given' "$tmp/help" || fail "--help does not name --shell"
[[ $("$X" --version) == "parscale-exec "[0-9]* ]] || fail "--version"

cc_ok=1
command -v "${CC:-cc}" > /dev/null || cc_ok=0

# ---- OpenMP: threads = workers, the program's own time ----------------------
if ((cc_ok)) && "${CC:-cc}" -O2 -fopenmp -o "$tmp/omp_sum" "$here/omp_sum.c" 2> "$tmp/cc.err"; then
    : > "$tmp/raw.csv"
    for w in 1 2; do
        : > "$tmp/log.$w"
        ex "$tmp/omp$w.csv" --name sum --variant omp --workers "$w" --size 300000 \
            --reps 3 --warmup 1 --metric "$METRIC" --run-id "omp-w$w" \
            --check-cmd "grep -qx 'threads: {threads}'" --work '{size}' \
            -- 'OMP_NUM_THREADS={threads}' "$tmp/omp_sum" '{size}' "$tmp/log.$w"
        [[ $rc -eq 0 ]] || fail "omp w=$w: exit $rc: $(cat "$tmp/omp$w.csv.err")"
        [[ $(rows "$tmp/omp$w.csv") -eq 3 ]] || fail "omp w=$w: not 3 rows"
        all_equal "$tmp/omp$w.csv" verified 1
        all_equal "$tmp/omp$w.csv" driver exec:omp
        all_equal "$tmp/omp$w.csv" kernel sum
        all_equal "$tmp/omp$w.csv" workers "$w"
        all_equal "$tmp/omp$w.csv" threads_per_rank "$w"
        all_equal "$tmp/omp$w.csv" ranks 1
        all_equal "$tmp/omp$w.csv" size 300000
        all_equal "$tmp/omp$w.csv" work 300000
        all_equal "$tmp/omp$w.csv" rate_unit Mitems/s
        all_equal "$tmp/omp$w.csv" class program
        all_equal "$tmp/omp$w.csv" kernel_lib "$(realpath "$tmp/omp_sum")"
        all_equal "$tmp/omp$w.csv" kernel_lib_sha256 "$(sha256sum "$tmp/omp_sum" | cut -d' ' -f1)"
        timing_consistent "$tmp/omp$w.csv"
        # seconds are what the program printed: its log has warm-up + 3 lines
        [[ $(wc -l < "$tmp/log.$w") -eq 4 ]] || fail "omp w=$w: the program ran $(wc -l < "$tmp/log.$w") times, want 4"
        paste -d' ' <(tail -n 3 "$tmp/log.$w") <(csv_col "$tmp/omp$w.csv" seconds) | while read -r logged row; do
            close_enough "$logged" "$row" 1e-8 || fail "omp w=$w: row says $row s, the program $logged s"
        done
        if [[ $w -eq 1 ]]; then cat "$tmp/omp$w.csv" >> "$tmp/raw.csv"; else tail -n +2 "$tmp/omp$w.csv" >> "$tmp/raw.csv"; fi
    done
    echo "openmp program: rows, own time, start-up, CPU, memory, SHA-256 as expected"
else
    echo "SKIP openmp part: no C compiler with OpenMP here ($(head -1 "$tmp/cc.err" 2>/dev/null))"
fi

# ---- MPI: ranks = workers through mpirun --------------------------------------
if command -v mpicc > /dev/null && command -v "$MPIEXEC" > /dev/null \
    && mpicc -O2 -o "$tmp/mpi_sum" "$here/mpi_sum.c" 2> "$tmp/mpicc.err"; then
    export OMPI_MCA_orte_tmpdir_base=$tmp
    for w in 1 2; do
        ex "$tmp/mpi$w.csv" --name sum --variant mpi --workers "$w" --size 300000 \
            --reps 2 --warmup 0 --metric "$METRIC" --timeout 100 --run-id "mpi-w$w" \
            --check-regex '^ranks: [0-9]+$' --check-cmd "grep -qx 'ranks: {ranks}'" \
            --program "$tmp/mpi_sum" --work '{size}' \
            -- "$MPIEXEC" -n '{ranks}' --oversubscribe "$tmp/mpi_sum" '{size}'
        [[ $rc -eq 0 ]] || fail "mpi w=$w: exit $rc: $(cat "$tmp/mpi$w.csv.err")"
        [[ $(rows "$tmp/mpi$w.csv") -eq 2 ]] || fail "mpi w=$w: not 2 rows"
        all_equal "$tmp/mpi$w.csv" verified 1
        all_equal "$tmp/mpi$w.csv" driver exec:mpi
        all_equal "$tmp/mpi$w.csv" ranks "$w"
        all_equal "$tmp/mpi$w.csv" threads_per_rank 1
        all_equal "$tmp/mpi$w.csv" kernel_lib "$(realpath "$tmp/mpi_sum")"
        timing_consistent "$tmp/mpi$w.csv"
        tail -n +2 "$tmp/mpi$w.csv" >> "$tmp/raw.csv"
    done
    # mpirun's start-up (launching ranks, MPI_Init) is outside the program's time
    awk -F, 'NR > 1 && $9 <= 0.001 { bad = 1 } END { exit bad }' "$tmp/mpi1.csv" \
        || fail "mpi: a start-up under 1 ms through mpirun"
    echo "mpi program: ranks from {ranks}, own time, start-up as expected"
else
    echo "SKIP mpi part: no mpicc or $MPIEXEC here"
fi

# ---- a shell line: evaluated by /bin/sh only when --shell is given -----------
ex "$tmp/sh.csv" --shell --name shline --variant sh --reps 2 --from stderr --metric-unit ms \
    --metric 'took ([0-9.]+) ms' --run-id shline -- 'echo "took $((1 + 1)).5 ms" >&2; sleep 0.01'
[[ $rc -eq 0 ]] || fail "shell: exit $rc: $(cat "$tmp/sh.csv.err")"
all_equal "$tmp/sh.csv" seconds 0.0025
all_equal "$tmp/sh.csv" driver exec:sh
grep -q '^took 2.5 ms$' "$tmp/sh.csv.err" || fail "shell: the program's stderr is not passed on"
tail -n +2 "$tmp/sh.csv" >> "$tmp/raw.csv"
# without --shell the same characters are refused, never evaluated
ex "$tmp/nosh.csv" --name x -- sh -c 'echo $((1+1))' '$HOME'
[[ $rc -eq 0 ]] || fail "no shell: quoted \$ refused: $(cat "$tmp/nosh.csv.err")"
ex "$tmp/nosh.csv" --command 'echo $HOME'
[[ $rc -eq 2 && $(cat "$tmp/nosh.csv.err") == *"add --shell"* ]] || fail "no shell: \$HOME not refused"
ex "$tmp/nosh.csv" --command 'echo "a $HOME"'
[[ $rc -eq 2 ]] || fail "no shell: \$ inside double quotes not refused"
echo "shell line: evaluated with --shell, refused without"

# ---- placeholders and quoting without a shell ---------------------------------
args=$tmp/args
ex "$tmp/ph.csv" --name ph --workers 4 --ranks 2 --size 10 --scaling weak --reps 2 \
    --param mesh=fine --param k=v1.5 \
    --command "sh -c 'printf \"%s|\" \"\$@\" >> $args; echo >> $args' argv0 'w={workers} t={threads}' r={ranks} n={nodes} s={size} ts={total_size} rep={rep} m={mesh} k={k} lit={{workers} \"two words\""
[[ $rc -eq 0 ]] || fail "placeholders: exit $rc: $(cat "$tmp/ph.csv.err")"
want='w=4 t=2|r=2|n=1|s=10|ts=40|rep=REP|m=fine|k=v1.5|lit={workers}|two words|'
[[ $(sed -n 1p "$args") == "${want/REP/0}" ]] || fail "placeholders (warm-up): $(sed -n 1p "$args")"
[[ $(sed -n 2p "$args") == "${want/REP/1}" ]] || fail "placeholders (rep 1): $(sed -n 2p "$args")"
[[ $(sed -n 3p "$args") == "${want/REP/2}" ]] || fail "placeholders (rep 2): $(sed -n 3p "$args")"
all_equal "$tmp/ph.csv" params 'mesh=fine;k=v1.5'
all_equal "$tmp/ph.csv" total_size 40
all_equal "$tmp/ph.csv" scaling weak
all_equal "$tmp/ph.csv" startup_seconds ''
# 2-D weak scaling grows the side by sqrt(workers)
ex "$tmp/ph2.csv" --name ph --workers 4 --size 100 --scaling weak --dims 2 --reps 1 -- true '{total_size}'
all_equal "$tmp/ph2.csv" total_size 200
echo "placeholders: every one substituted, quoting kept, {{ literal"

# ---- --metric-csv: a column of the CSV the program prints -----------------------
ex "$tmp/csv.csv" --name csvout --reps 2 --metric-csv solve_s --metric-unit ms \
    -- printf 'log line\nn,"solve_s",iters\n100, 12.5 ,7\n'
[[ $rc -eq 0 ]] || fail "metric-csv: exit $rc: $(cat "$tmp/csv.csv.err")"
all_equal "$tmp/csv.csv" seconds 0.0125
echo "metric-csv: the column's value in the first row after its header"

# ---- every variant's rows through the summariser --------------------------------
mkdir "$tmp/summary"
"$BIN/parscale-summarize" --out "$tmp/summary" "$tmp/raw.csv" > "$tmp/sum.out" 2>&1 \
    || fail "parscale-summarize on exec rows: $(cat "$tmp/sum.out")"
for d in $(csv_col "$tmp/raw.csv" driver | sort -u); do
    grep -q ",$d," "$tmp/summary/summary.csv" || fail "summary has no $d row"
done
echo "summariser: every exec variant summarised"
