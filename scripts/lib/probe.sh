# shellcheck shell=bash
# probe.sh: the capacity probe. A machine may not deliver the cores it
# claims (on a shared 2-core VM the second core sometimes gives nothing):
# before and after the sweep, parscale-pthread runs sqrtpow with weak
# scaling at the sweep's worker counts; speedup = p T1 / Tp, and a count is
# delivered when the speedup reaches PROBE_DELIVERED x min(p, cores).

[[ -z ${PARSCALE_PROBE_SH:-} ]] || return 0
PARSCALE_PROBE_SH=1
# shellcheck source-path=SCRIPTDIR source=run.sh
source "${BASH_SOURCE[0]%/*}/run.sh"

readonly PROBE_HEADER=workers,seconds,speedup,delivered,phase
readonly PROBE_KERNEL=sqrtpow PROBE_REPS=3 DEF_PROBE_SIZE=2M
# A probe run has this long; it is meant to take a fraction of a second.
readonly PROBE_TIMEOUT=60
readonly PROBE_DELIVERED=0.8

opt_add <<'EOF'
--probe-size value probe_size new
--no-probe flag no_probe
EOF
setting_add probe_size

# probe_from_options: the probe's settings of a new sweep.
probe_from_options() {
	S[probe_size]=${OPTV[probe_size]:-$DEF_PROBE_SIZE}
	probe_check_values
}

probe_check_values() {
	is_size "${S[probe_size]}" || bad_setting probe_size "want N[k|M|G|Ki|Mi|Gi]"
}

# probe_on: true unless --no-probe.
probe_on() {
	[[ -z ${OPTV[no_probe]:-} ]]
}

# probe_counts: the worker counts the probe measures (1 and the sweep's).
probe_counts() {
	{
		printf '1\n'
		printf '%s\n' "${PLAN[@]##* }"
	} | sort -n -u
}

# probe_describe: the dry run's line about the probe.
probe_describe() {
	probe_on || return 0
	printf '# capacity probe before and after: %s --kernel %s --scaling weak --size %s at workers %s\n' \
		"$(driver_binary pthread)" "$PROBE_KERNEL" "${S[probe_size]}" "$(probe_counts | paste -sd, -)"
}

# run_probe PHASE: measure what parallelism the machine delivers now.
run_probe() {
	local phase=$1 p tmp t1="" tp sp del bin scol
	bin=$(driver_binary pthread)
	if [[ ! -x $bin ]]; then
		warn "no '$bin': skipping the capacity probe"
		return 0
	fi
	tmp=$(mktemp "$DIR/.runs/probe.XXXXXX")
	[[ -s $DIR/probe.csv ]] || printf '%s\n' "$PROBE_HEADER" | write_atomic "$DIR/probe.csv"
	utc_now
	printf '### %s capacity probe (%s)\n' "$NOW" "$phase" >>"$DIR/sweep.log"
	while IFS= read -r p; do
		if ! timeout --foreground --kill-after="$HARD_KILL_AFTER" "$PROBE_TIMEOUT" \
			"$bin" --kernel "$PROBE_KERNEL" --scaling weak --size "${S[probe_size]}" \
			--workers "$p" --reps "$PROBE_REPS" --warmup 1 --timeout "$PROBE_TIMEOUT" \
			--run-id "probe-$phase-$p" --output "$tmp" 2>>"$DIR/sweep.log" 9>&-; then
			warn "capacity probe at $p workers failed (see sweep.log)"
			continue
		fi
		scol=$(csv_col "$tmp" seconds) || {
			warn "capacity probe output has no seconds column"
			break
		}
		tp=$(awk -F, -v c="$scol" 'NR > 1 { print $c }' "$tmp" | sort -g |
			awk '{ v[NR] = $1 } END { if (NR) printf "%.6f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
		[[ -n $tp ]] || continue
		[[ -n $t1 ]] || t1=$tp
		read -r sp del < <(awk -v p="$p" -v t1="$t1" -v tp="$tp" -v c="$CORES" -v f="$PROBE_DELIVERED" \
			'BEGIN { s = p * t1 / tp; m = (p < c) ? p : c; printf "%.3f %d\n", s, (s >= f * m) }')
		printf '%s,%s,%s,%s,%s\n' "$p" "$tp" "$sp" "$del" "$phase" >>"$DIR/probe.csv"
		if ((!del)); then
			warn "capacity probe ($phase): $p workers gave speedup $sp, below $PROBE_DELIVERED × min($p, $CORES cores); the machine is not delivering its cores"
		fi
	done < <(probe_counts)
	rm -f -- "$tmp"
}

# probe_meta: meta.txt's verdict of the probe.
probe_meta() {
	[[ -s $DIR/probe.csv ]] || return 0
	meta_line probe_delivered "$(awk -F, 'NR > 1 && !$4 { bad = 1 } END { print bad ? 0 : 1 }' "$DIR/probe.csv")"
}
