# shellcheck shell=bash
# resume.sh: make an interrupted run folder consistent before more runs are
# appended to it, trusting nothing it reads. status.csv and raw.csv are
# parsed strictly: a line that cannot have come from a sweep (wrong field
# count, a run id not in plan.txt, a configuration that does not match the
# plan's, an unknown state, a run id listed twice) is refused with
# FILE:LINE. What an interruption leaves is repaired and said on stderr: a
# cut last line is dropped; rows of runs that status.csv does not record as
# complete are dropped; a configuration recorded complete whose rows in
# raw.csv are not exactly its repetitions is run again.

[[ -z ${PARSCALE_RESUME_SH:-} ]] || return 0
PARSCALE_RESUME_SH=1
# shellcheck source-path=SCRIPTDIR source=meta.sh
source "${BASH_SOURCE[0]%/*}/meta.sh"

opt_add <<'EOF'
--retry-failed flag retry_failed
EOF

# tasks_running: die if a task of a job array is running in DIR (its lock
# is held): a resume would run its configuration a second time.
tasks_running() {
	local l
	for l in "$DIR"/tasks/*.lock; do
		[[ -e $l ]] || continue
		flock -n "$l" true 2>/dev/null ||
			usage_error "task '$(basename -- "$l" .lock)' of '$DIR' is running (a Slurm job array?); wait for it, or collect first"
	done
}

# folder_audit OUT: write the audited status.csv and raw.csv of DIR into
# folder OUT (raw.csv only if DIR has one); warnings go to stderr, a
# malformed file is a usage error. With --retry-failed, failed and
# verify-failed configurations are dropped so they run again.
folder_audit() {
	local out=$1 f msgs line rc=0
	local -a args=()
	for f in status raw; do
		: >"$out/$f.in"
		[[ -s $DIR/$f.csv ]] || continue
		complete_lines "$DIR/$f.csv" >"$out/$f.in"
		[[ -z $(tail -c 1 -- "$DIR/$f.csv") ]] ||
			warn "dropping the cut last line of '$DIR/$f.csv' (line $(($(wc -l <"$DIR/$f.csv") + 1)))"
	done
	args=("$DIR/plan.txt" "$out/status.in" "$out/raw.in" "$out/raw.in")
	msgs=$(awk -F, -v reps="${S[reps]}" -v retry="${OPTV[retry_failed]:-0}" \
		-v sh="$STATUS_HEADER" -v snf="$STATUS_FIELDS" \
		-v sname="$DIR/status.csv" -v rname="$DIR/raw.csv" \
		-v sout="$out/status.csv" -v rout="$out/raw.csv" '
		function err(file, msg) { print "ERR " file ":" FNR ": " msg; bad = 1; exit 1 }
		FILENAME == ARGV[1] { if (FNR > 1) { plan[$2] = $3 ":" $4 ":" $5 ":" $6 ":" $7; porder[++np] = $2 } next }
		FILENAME == ARGV[2] {
			if (FNR == 1) { if ($0 != sh) err(sname, "not a status header (want " sh ")"); next }
			if (NF != snf) err(sname, "want " snf " fields, found " NF)
			if (!($2 in plan)) err(sname, "run id " $2 " is not in plan.txt")
			if ($1 != plan[$2] || $1 != $3 ":" $4 ":" $5 ":" $6 ":" $7)
				err(sname, "configuration " $1 " of " $2 " does not match plan.txt (" plan[$2] ")")
			if ($8 !~ /^[0-9]+$/) err(sname, "bad exit code " $8)
			if ($9 != "ok" && $9 != "failed" && $9 != "verify-failed") err(sname, "bad state " $9)
			if ($11 !~ /^[0-9]+(\.[0-9]+)?$/) err(sname, "bad seconds " $11)
			if ($2 in sline) err(sname, "run id " $2 " listed twice (first at line " sline[$2] ")")
			sline[$2] = FNR; state[$2] = $9; text[$2] = $0; sorder[++ns] = $2
			next
		}
		pass == 0 && FNR == 1 && FILENAME == ARGV[3] {
			pass = 1; nf = NF; head = $0
			for (i = 1; i <= NF; i++) if ($i == "rep") rc = i
			if ($1 != "run_id" || !rc) err(rname, "not a raw parscale header")
			next
		}
		pass == 1 && FNR == 1 { pass = 2; decide(); print head > rout; next }
		pass == 1 {
			if (NF != nf) err(rname, "want " nf " fields, found " NF)
			if (!($1 in plan)) err(rname, "rows of run id " $1 ", which is not in plan.txt")
			rows[$1]++
			if (seen[$1, $rc]++) dup[$1] = 1
			next
		}
		pass == 2 { if ($1 in keeprows) print > rout; next }
		function decide(   i, id, keep) {
			for (i = 1; i <= ns; i++) {
				id = sorder[i]
				keep = state[id] == "ok" || (!retry && state[id] != "")
				if (!keep) continue
				if (state[id] != "failed" && (rows[id] != reps || (id in dup))) {
					print "WARN configuration " id " is marked " state[id] " in status.csv but raw.csv has " \
						rows[id] + 0 " of its " reps " rows" ((id in dup) ? ", some twice" : "") "; running it again"
					continue
				}
				if (state[id] == "failed" && rows[id]) {
					print "WARN dropping " rows[id] " rows of " id ", which status.csv records as failed"
					rows[id] = 0
				}
				done[id] = 1
				if (state[id] != "failed") keeprows[id] = 1
			}
			for (id in rows) if (rows[id] && !(id in keeprows)) dropped += rows[id]
			if (dropped) print "WARN dropping " dropped " rows of runs that status.csv does not record as complete"
		}
		END {
			if (bad) exit 1
			if (pass == 0) decide()
			print sh > sout
			for (i = 1; i <= ns; i++) if (sorder[i] in done) print text[sorder[i]] > sout
		}' "${args[@]}") || rc=$?
	while IFS= read -r line; do
		case $line in
		ERR*) usage_error "${line#ERR }" ;;
		WARN*) warn "${line#WARN }" ;;
		esac
	done <<<"$msgs"
	((rc == 0)) || die "auditing '$DIR' failed"
}

# folder_repair: audit DIR and, only if it passes, put the result in
# place; the stderr of a run that was interrupted goes to the log.
folder_repair() {
	local f id audit="$DIR/.audit.$$"
	mkdir -- "$audit" || die "cannot create '$audit'"
	# shellcheck disable=SC2064  # the name is fixed now
	trap "rm -rf -- '$audit'" EXIT
	folder_audit "$audit"
	for f in "$DIR"/*.tmp.* "$DIR"/.owner.tmp.*; do
		[[ ! -e $f ]] || rm -f -- "$f"
	done
	if [[ -s $DIR/.runs/run.err ]]; then
		id=$(awk '/^### .* \[[0-9]+\/[0-9]+\] / { id = $NF } END { print id }' "$DIR/sweep.log" 2>/dev/null)
		{
			utc_now
			printf '### %s interrupted run %s; its stderr was:\n' "$NOW" "${id:-?}"
			cat -- "$DIR/.runs/run.err"
		} >>"$DIR/sweep.log"
	fi
	rm -rf -- "$DIR/.runs"
	mkdir -- "$DIR/.runs" || die "cannot create '$DIR/.runs'"
	mv -f -- "$audit/status.csv" "$DIR/status.csv"
	if [[ -s $audit/raw.csv ]]; then
		mv -f -- "$audit/raw.csv" "$DIR/raw.csv"
	elif [[ -e $DIR/raw.csv ]]; then
		rm -f -- "$DIR/raw.csv"
	fi
	rm -rf -- "$audit"
	trap - EXIT
}

# folder_done_ids FILE: the run ids an audited status FILE records as done.
folder_done_ids() {
	awk -F, 'NR > 1 { print $2 }' "$1"
}
