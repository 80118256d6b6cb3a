#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# mutants.sh: run the kill stages against built mutants and write the report.
#
# Usage: mutants/mutants.sh MUT_BUILD ID...
#   ID is a mutant number (NNN) or "core" (the unmutated program: the control
#   row; anything that "kills" core is a false alarm and voids the run).
#
# Expects, for each ID, the drop-in binaries in MUT_BUILD/ID/ (mutants.mk):
#   test_sockops    cmocka unit tests        killed: exit status != 0
#   sockfuzz        replay CLI               killed: exit 1 (a property broke)
#   fuzz_lifecycle  libFuzzer targets        killed: a crash within the budget
#   fuzz_raw
# A missing binary makes its column "n/a" (that part of the project is absent).
#
# Stages:
#   tests   the unit tests
#   replay  every seed (corpus/<target>/), every regression (corpus/regressions/)
#           and every killer trace (mutants/killers/), one replay command
#   fuzz    each target from its seed corpus alone (no regressions, no killers),
#           -max_total_time=$FUZZ_TIME, fixed -seed; the wall time to the first
#           crash. Jobs run $JOBS at a time. Every mutant is fuzzed, also those
#           the tests or the replay already kill.
#   minimal the measure of the fuzzer rather than of the seeds: each target
#           from the minimal seeds alone ($MIN_SEEDS: one input per seed
#           scenario of the notes, no negative case, no regression), once per
#           fuzz seed of $MIN_FUZZ_SEEDS, up to $FUZZ_TIME each; the time to
#           kill per mutant, target and fuzz seed, and per fuzz seed the
#           median and maximum over the mutants of the faster target.
#
# A program with known defects (the control fails a property on the replay:
# the upstream-like program of tests/data/ has three) is measured against
# them: the control's findings become a baseline (MUT_BUILD/known.txt,
# sockfuzz regress --update-baseline), the replay stage kills a mutant by a
# finding not in it (sockfuzz regress), and the fuzz stages switch off the
# baseline's properties (SOCKFUZZ_PROPS_OFF): a mutant that breaks only an
# already broken property is then the replay's to find.
#
# Environment: FUZZ_TIME (60), FUZZ_SEED (1), JOBS (2), STAGES ("tests replay
# fuzz minimal"), MIN_SEEDS (files), MIN_FUZZ_SEEDS ("1 2"), CATALOGUE
# (mutants/catalogue: the patches, NNN-name.patch), KILLERS (mutants/killers),
# REPORT (MUT_BUILD/report.txt, only written for a full run).
# Prints the table and ends with "mutation score: K/N killed (P%)".
set -uo pipefail

MB=${1:?usage: mutants.sh MUT_BUILD ID...}
shift
IDS=("$@")
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_SEED=${FUZZ_SEED:-1}
JOBS=${JOBS:-2}
STAGES=${STAGES:-tests replay fuzz minimal}
MIN_SEEDS=${MIN_SEEDS:-}
MIN_FUZZ_SEEDS=${MIN_FUZZ_SEEDS:-1 2}
REPORT=${REPORT:-}
CATALOGUE=${CATALOGUE:-mutants/catalogue}
KILLERS=${KILLERS:-mutants/killers}
KNOWN=
TARGETS=(fuzz_lifecycle fuzz_raw)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

has_stage() { [[ " $STAGES " == *" $1 "* ]]; }

now() { date +%s.%N; }
elapsed() { awk "BEGIN { print $2 - $1 }"; }

# The name of ID: its patch's, NNN-NAME.patch.
describe() {
	local p
	if [ "$1" = core ]; then
		echo "unmutated (control)"
		return
	fi
	p=$(compgen -G "$CATALOGUE/$1-*.patch" | head -1)
	p=${p##*/}
	p=${p#"$1"-}
	echo "${p%.patch}"
}

# Files the replay stage runs: seeds of every target, regressions, killers.
replay_files() {
	local d
	for d in corpus/*/ "$KILLERS"/; do
		[ -d "$d" ] || continue
		find "$d" -maxdepth 1 -type f \( -name '*.bin' -o -name '*.trace' \) | sort
	done
}

stage_tests() { # ID -> killed | survived | n/a
	local bin=$MB/$1/test_sockops
	[ -x "$bin" ] || { echo n/a; return; }
	if "$bin" > "$MB/$1/tests.log" 2>&1; then echo survived; else echo killed; fi
}

stage_replay() { # ID -> killed:FILE | survived | error | n/a
	local bin=$MB/$1/sockfuzz files f rc
	[ -x "$bin" ] || { echo n/a; return; }
	mapfile -t files < <(replay_files)
	[ ${#files[@]} -gt 0 ] || { echo n/a; return; }
	if [ -n "$KNOWN" ]; then
		# Killed by a finding the control does not have: the first NEW one.
		"$bin" regress --baseline "$KNOWN" "${files[@]}" > "$MB/$1/replay.log" 2>&1
		rc=$?
		f=$(sed -n 's/^NEW    [a-z_]* [0-9a-f]* \(.*\)/\1/p' "$MB/$1/replay.log" | head -1)
		case $rc in
		0) echo survived ;;
		1) echo "killed:$f" ;;
		*) echo "error($rc)" ;;
		esac
		return
	fi
	"$bin" replay "${files[@]}" > "$MB/$1/replay.log" 2>&1
	rc=$?
	case $rc in
	0) echo survived ;;
	1)
		# Name the first file that kills it (one replay per file; cheap).
		for f in "${files[@]}"; do
			if ! "$bin" replay "$f" > /dev/null 2>&1; then
				echo "killed:$f"
				return
			fi
		done
		echo killed
		;;
	*) echo "error($rc)" ;;
	esac
}

# One fuzz job: ID TARGET [FUZZ_SEED minimal]. Writes MB/ID/TARGET.res (or,
# for the minimal stage, MB/ID/TARGET.min-SEED.res): "killed SECONDS" or
# "survived SECONDS" or "n/a".
fuzz_job() {
	local id=$1 t=$2 seed=${3:-$FUZZ_SEED} stage=${4:-} bin=$MB/$1/$2 t0 t1 rc
	local res=$MB/$id/$t.res dir=$MB/$id/$t.run
	if [ -n "$stage" ]; then
		res=$MB/$id/$t.min-$seed.res
		dir=$MB/$id/$t.min-$seed.run
	fi
	[ -x "$bin" ] && [ -d "corpus/$t" ] || { echo n/a > "$res"; return; }
	rm -rf "$dir" && mkdir -p "$dir/new" "$dir/seeds" "$dir/artifacts"
	# The seeds: the compiled inputs of corpus/<target>/ only (not their .trace
	# sources, not the regressions, not the killers), or the minimal ones.
	if [ -n "$stage" ]; then
		cp $MIN_SEEDS "$dir/seeds/"
	else
		cp corpus/"$t"/*.bin "$dir/seeds/" 2> /dev/null
	fi
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	t0=$(now)
	# New inputs go to new/; the seeds are read, never written.
	SOCKFUZZ_PROPS_OFF=$KNOWN_PROPS timeout -k 10 $((FUZZ_TIME + 60)) "$bin" -max_total_time="$FUZZ_TIME" -seed="$seed" \
		-max_len=4096 "${dict[@]}" -artifact_prefix="$dir/artifacts/" \
		-print_final_stats=1 "$dir/new" "$dir/seeds" > "$dir/log" 2>&1
	rc=$?
	t1=$(now)
	if [ $rc -ne 0 ] && compgen -G "$dir/artifacts/*" > /dev/null; then
		printf 'killed %.1f\n' "$(elapsed "$t0" "$t1")" > "$res"
	elif [ $rc -ne 0 ]; then
		printf 'error(%d) %.1f\n' "$rc" "$(elapsed "$t0" "$t1")" > "$res"
	else
		printf 'survived %.1f\n' "$(elapsed "$t0" "$t1")" > "$res"
	fi
	rm -rf "$dir/new" "$dir/seeds"
}
export -f fuzz_job now elapsed
T_START=$(now)

# Known defects: the control's findings on the replay files are the baseline.
KNOWN_PROPS=
if has_stage replay && [ -x "$MB/core/sockfuzz" ] && [[ " ${IDS[*]} " == *" core "* ]]; then
	mapfile -t files < <(replay_files)
	if ! "$MB/core/sockfuzz" replay "${files[@]}" > /dev/null 2>&1; then
		KNOWN=$MB/known.txt
		"$MB/core/sockfuzz" regress --update-baseline --baseline "$KNOWN" "${files[@]}" \
			> "$MB/known.log" 2>&1 || { echo "mutants.sh: the control's baseline: $(tail -n 1 "$MB/known.log")" >&2; exit 2; }
		KNOWN_PROPS=$(awk '!/^#/ { print $1 }' "$KNOWN" | sort -u | paste -sd, -)
		echo "the unmutated program has $(grep -vc '^#' "$KNOWN") known findings ($KNOWN_PROPS): a mutant is killed by a new one; fuzzing runs without those properties"
	fi
fi
export MB FUZZ_TIME FUZZ_SEED MIN_SEEDS KNOWN_PROPS

for id in "${IDS[@]}"; do
	mkdir -p "$MB/$id"
	if has_stage tests; then stage_tests "$id" > "$MB/$id/tests.res"; else echo - > "$MB/$id/tests.res"; fi
	if has_stage replay; then stage_replay "$id" > "$MB/$id/replay.res"; else echo - > "$MB/$id/replay.res"; fi
done

if has_stage fuzz; then
	# core first (the false-alarm control), then every mutant, JOBS at a time.
	for id in "${IDS[@]}"; do
		for t in "${TARGETS[@]}"; do
			echo "$id $t"
		done
	done | xargs -P "$JOBS" -L 1 bash -c 'fuzz_job "$0" "$1"'
else
	for id in "${IDS[@]}"; do
		for t in "${TARGETS[@]}"; do echo - > "$MB/$id/$t.res"; done
	done
fi

if has_stage minimal && [ -n "$MIN_SEEDS" ]; then
	for id in "${IDS[@]}"; do
		for seed in $MIN_FUZZ_SEEDS; do
			for t in "${TARGETS[@]}"; do
				echo "$id $t $seed minimal"
			done
		done
	done | xargs -P "$JOBS" -L 1 bash -c 'fuzz_job "$0" "$1" "$2" "$3"'
fi

T_END=$(now)

# The minimal stage's table: per mutant, each target and fuzz seed, then per
# fuzz seed the median and maximum time to kill (the faster target).
minimal_table() {
	local id seed t r fk col line
	printf '\nminimal seeds (%s), -max_total_time=%s, fuzz seeds %s:\n' \
		"$(for f in $MIN_SEEDS; do basename "$f" .bin; done | tr '\n' ' ' | sed 's/ $//')" \
		"$FUZZ_TIME" "$MIN_FUZZ_SEEDS"
	printf '%-4s %-31s' ID NAME
	for seed in $MIN_FUZZ_SEEDS; do
		for t in "${TARGETS[@]}"; do printf ' %-17s' "${t#fuzz_}/seed$seed"; done
	done
	echo
	for id in "${IDS[@]}"; do
		printf '%-4s %-31s' "$id" "$(describe "$id")"
		for seed in $MIN_FUZZ_SEEDS; do
			fk=-
			for t in "${TARGETS[@]}"; do
				r=$(cat "$MB/$id/$t.min-$seed.res" 2> /dev/null || echo n/a)
				printf ' %-17s' "$r"
				set -- $r
				if [ "${1:-}" = killed ] && { [ "$fk" = - ] || awk "BEGIN{exit !($2 < $fk)}"; }; then
					fk=$2
				fi
			done
			[ "$id" = core ] || echo "$seed $fk" >> "$MB/minimal.kills"
		done
		echo
	done
	for seed in $MIN_FUZZ_SEEDS; do
		# Sorted first: POSIX awk (Debian's mawk) has no asort. The
		# median is over every mutant, one not killed counting as longer
		# than any time; the maximum is over those killed.
		sort -k2,2g "$MB/minimal.kills" | awk -v s="$seed" '$1 == s { n++; if ($2 != "-") v[++k] = $2 }
			END {
				for (i = k + 1; i <= n; i++) v[i] = "none"
				med = n % 2 ? v[(n + 1) / 2] : (v[n / 2 + 1] == "none" ? "none" : (v[n / 2] + v[n / 2 + 1]) / 2)
				printf "fuzz seed %s: %d/%d killed from minimal seeds, median %s, maximum %s\n", s, k, n,
					med == "none" ? "none" : sprintf("%.1fs", med), k ? sprintf("%.1fs", v[k]) : "none"
			}'
	done
	rm -f "$MB/minimal.kills"
}

# The table.
table=$(mktemp)
{
	printf '%-4s %-31s %-8s %-9s %-8s %-15s %-15s %-9s %s\n' ID NAME EQUIV TESTS REPLAY \
		"FUZZ_LIFECYCLE" "FUZZ_RAW" "FUZZ_KILL" VERDICT
	killed=0
	total=0
	false_alarm=0
	by_tests=0
	by_replay=0
	by_fuzz=0
	survivors=
	for id in "${IDS[@]}"; do
		tests=$(cat "$MB/$id/tests.res")
		replay=$(cat "$MB/$id/replay.res")
		fl=$(cat "$MB/$id/fuzz_lifecycle.res")
		fr=$(cat "$MB/$id/fuzz_raw.res")
		# Time to kill by fuzzing: the faster target.
		fk=-
		for r in "$fl" "$fr"; do
			set -- $r
			if [ "${1:-}" = killed ]; then
				if [ "$fk" = - ] || awk "BEGIN{exit !($2 < $fk)}"; then fk=$2; fi
			fi
		done
		[ "$fk" = - ] || fk="${fk}s"
		verdict=survived
		if [ "$tests" = killed ] || [[ "$replay" == killed* ]] || [ "$fk" != - ] ||
			grep -qs '^killed' "$MB/$id"/*.min-*.res; then
			verdict=killed
		fi
		if [ "$id" = core ]; then
			[ $verdict = killed ] && false_alarm=1
			[ $verdict = killed ] && verdict="FALSE ALARM" || verdict="clean (control)"
		else
			total=$((total + 1))
			[ $verdict = killed ] && killed=$((killed + 1))
		fi
		replay_short=${replay%%:*}
		equiv=-
		if [ -f "$MB/$id/equiv.txt" ]; then
			equiv=$(sed -n 's/^differs at trial \([0-9]*\)/diff@\1/p' "$MB/$id/equiv.txt")
			[ -n "$equiv" ] || equiv="EQUIV?"
		fi
		[ "$id" = core ] && equiv=-
		printf '%-4s %-31s %-8s %-9s %-8s %-15s %-15s %-9s %s\n' "$id" "$(describe "$id")" \
			"$equiv" "$tests" "$replay_short" "$fl" "$fr" "$fk" "$verdict"
		if [ "$id" != core ]; then
			[ "$tests" = killed ] && by_tests=$((by_tests + 1))
			[[ "$replay" == killed* ]] && by_replay=$((by_replay + 1))
			[ "$fk" != - ] && by_fuzz=$((by_fuzz + 1))
			[ "$verdict" = survived ] && survivors="$survivors $id"
		fi
	done
	echo
	echo "EQUIV: the first trial of mutants/equiv.c where the mutant behaves unlike core."
	echo "FUZZ_*: killed/survived and the wall time in seconds; FUZZ_KILL: the faster target."
	if [ $total -gt 0 ] && has_stage fuzz; then
		printf 'killed by: tests %d/%d, replay %d/%d, fuzzing %d/%d; survivors:%s\n' \
			$by_tests $total $by_replay $total $by_fuzz $total "${survivors:- none}"
	fi
	echo
	echo "Replay killers (first file that kills each mutant):"
	for id in "${IDS[@]}"; do
		replay=$(cat "$MB/$id/replay.res")
		[[ "$replay" == killed:* ]] && printf '  %s  %s\n' "$id" "${replay#killed:}"
	done
	printf '\nfuzz: -max_total_time=%s -seed=%s, seeds only, %s jobs; wall time to first crash\n' \
		"$FUZZ_TIME" "$FUZZ_SEED" "$JOBS"
	printf 'total run time: %.0fs\n' "$(elapsed "$T_START" "$T_END")"
	[ $false_alarm = 1 ] && echo "WARNING: the unmutated core was 'killed': the results are void"
	has_stage minimal && [ -n "$MIN_SEEDS" ] && minimal_table
	if [ $total -gt 0 ]; then
		printf 'mutation score: %d/%d killed (%d%%)\n' $killed $total $((100 * killed / total))
	fi
} > "$table"

cat "$table"
[ -n "$REPORT" ] && cp "$table" "$REPORT"
rm -f "$table"
exit 0
