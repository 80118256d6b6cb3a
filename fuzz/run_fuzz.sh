#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# run_fuzz.sh: one bounded fuzzing campaign over the fuzz targets, then a
# summary table; `make fuzz` and `make fuzz-afl` call it.
#
# Usage: fuzz/run_fuzz.sh --engine libfuzzer|afl --bin DIR [--fast-bin DIR]
#                         --replay-bin DIR --cli SOCKFUZZ [--seconds N]
#                         [--jobs N] [--work DIR] [--text TARGET]... TARGET...
#
# For each TARGET (named fuzz_<level>, or a --text target: fuzz_text):
#  1. the seeds, every corpus/*/*.bin (any byte string is an input of every
#     target, and the raw level includes the lifecycle one; a --text target
#     gets every corpus/*/*.trace), are copied into WORK/ENGINE/TARGET/corpus
#     (kept between runs; corpus/ itself is never written);
#  2. the engine fuzzes that corpus. The time budget (--seconds, default 60) is
#     wall time for the whole campaign: with T targets and J workers (--jobs,
#     default nproc) the targets run side by side with J/T workers each
#     (libFuzzer -fork, AFL++ -M/-S; J mod T of them one more), or in
#     ceil(T/J) rounds sharing it (the last round's targets share all J too).
#     Two lanes, with --fast-bin (the same targets built with the same
#     coverage but no sanitizers): of a target's workers one runs --bin
#     (ASan+UBSan, the sanitizer lane) and the others --fast-bin (the fast
#     lane: the properties are the oracle of logic defects), all on the one
#     corpus dir (libFuzzer: separate processes, each reloading it; AFL++:
#     the sanitizer instance is -S san, the fast ones -M fast and -S fastN).
#     A target with one worker, and every target without --fast-bin, has the
#     sanitizer lane only (libFuzzer -fork over all its workers);
#  3. the corpus the engine grew, seeds included, is replayed through the
#     replay main with determinism checked too (SOCKFUZZ_DETERMINISM=1,
#     SPEC §8.10; too dear for the fuzzing loop): a failure is a finding;
#  4. a fast lane's artifact is first re-run under the sanitizer build (the
#     replay main): what that run breaks is the finding, and from here on it
#     is treated as the sanitizer lane's (minimised with --bin, its kind from
#     the replay). One the sanitizer build does not reproduce is still a
#     finding, kept as the fast build found it and reported as such.
#     Each finding (an engine's crash artifact, or the above) is minimised for
#     at most FUZZ_MIN_SECONDS (10) seconds (libFuzzer -minimize_crash,
#     afl-tmin), kept only if it still breaks the same thing, then
#     normalised: decoded at the target's level (sockfuzz print --level), cut
#     down line by line in the text form while it still breaks the same thing
#     (as long again at most) and compiled back, so that the level byte says
#     what the target ran and `sockfuzz replay` runs it the same way (checked).
#     A --text target's finding is kept as the engine found it and replays
#     through the target's replay main. Findings go to WORK/findings/, which
#     each run starts empty;
#  5. WORK/report.html (tools/fuzz_report.py): per target, edges and corpus
#     size over time (WORK/ENGINE/TARGET/timeline.tsv, sampled every
#     FUZZ_SAMPLE_SECONDS (2) while it runs), exec/s, and each finding with
#     its property, minimised trace and replay command (WORK/summary.tsv,
#     WORK/lanes.tsv (workers, executions, exec/s and artifacts per target and
#     lane) and WORK/findings.tsv hold the same for other tools).
# Every child runs under timeout(1); Ctrl-C or TERM stops them all.
#
# Exit: 0 when nothing was found, 1 on a finding, 2 on a usage or setup error.
set -uo pipefail

engine=libfuzzer
bin_dir=
fast_dir=
replay_dir=
cli=
seconds=${FUZZ_SECONDS:-60}
jobs=
work=build/fuzz-work
min_seconds=${FUZZ_MIN_SECONDS:-10}
sample_seconds=${FUZZ_SAMPLE_SECONDS:-2}
targets=()
declare -A text_target

die() {
	echo "run_fuzz.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--engine) engine=$2; shift 2 ;;
	--bin) bin_dir=$2; shift 2 ;;
	--fast-bin) fast_dir=$2; shift 2 ;;
	--replay-bin) replay_dir=$2; shift 2 ;;
	--cli) cli=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--text) text_target[$2]=1; shift 2 ;;
	-h | --help) sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 0 ;;
	-*) die "what is '$1'?" ;;
	*) targets+=("$1"); shift ;;
	esac
done
[ ${#targets[@]} -gt 0 ] || die "no target given"
[ -n "$bin_dir" ] && [ -n "$replay_dir" ] && [ -n "$cli" ] || die "--bin, --replay-bin and --cli are required"
case "$engine" in libfuzzer | afl) ;; *) die "unknown engine '$engine'" ;; esac
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "--seconds wants a positive number, not '$seconds'"
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 1)
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"
for t in "${targets[@]}"; do
	[ -x "$bin_dir/$t" ] || die "$bin_dir/$t: not built"
	[ -z "$fast_dir" ] || [ -x "$fast_dir/$t" ] || die "$fast_dir/$t: not built"
	[ -x "$replay_dir/$t" ] || die "$replay_dir/$t: not built"
done
[ -x "$cli" ] || die "$cli: not built"
if [ "$engine" = afl ]; then
	command -v afl-fuzz >/dev/null || die "afl-fuzz not found (tools/deps.sh afl)"
fi

# ---------------------------------------------------------------------------
# Children and cleanup.

pids=()
stop_children() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
on_signal() {
	echo "run_fuzz.sh: interrupted, stopping the fuzzers" >&2
	stop_children
	exit 130
}
trap on_signal INT TERM

# The replay main under the sanitizers; a broken property aborts it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# What an input breaks, as one word: the property, else the sanitizer's
# report, else "crash"; nothing when it runs clean. $1 target, $2 file.
signature() {
	local log sig
	log=$(timeout -k 2 30 "$replay_dir/$1" "$2" 2>&1 >/dev/null) && return 0
	sig=$(sed -n 's/^sockfuzz: property \([^ ]*\) failed.*/\1/p' <<<"$log")
	[ -n "$sig" ] || sig=$(sed -n 's/.*ERROR: \([A-Za-z]*Sanitizer\): \([^ ]*\).*/\1-\2/p' <<<"$log")
	[ -n "$sig" ] || sig=$(grep -q 'runtime error:' <<<"$log" && echo UBSan-runtime-error)
	echo "${sig:-crash}" | head -n 1
}

# The CLI, bounded like every other child.
run_cli() {
	timeout -k 2 30 "$cli" "$@"
}

# max_len from the target's .options (SF_MAX_INPUT).
max_len() {
	sed -n 's/^max_len *= *\([0-9]*\).*/\1/p' "fuzz/$1.options" 2>/dev/null | head -n 1
}

# ---------------------------------------------------------------------------
# Setup: work dirs and seeds.

findings_dir=$work/findings
rm -rf "$findings_dir"
mkdir -p "$findings_dir" || die "cannot create $work"
declare -A start_count
for t in "${targets[@]}"; do
	w=$work/$engine/$t
	rm -rf "$w/crashes" "$w/afl" "$w/logs"
	mkdir -p "$w/corpus" "$w/crashes/fast" "$w/logs"
	ext=bin
	[ -n "${text_target[$t]:-}" ] && ext=trace
	for f in corpus/*/*."$ext"; do
		[ -f "$f" ] && cp -f "$f" "$w/corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
	done
	start_count[$t]=$(find "$w/corpus" -type f | wc -l)
	# An empty corpus dir stalls AFL++; the empty input is the empty run.
	[ "${start_count[$t]}" -gt 0 ] || { : >"$w/corpus/empty"; start_count[$t]=1; }
	: >"$w/stats"
	printf 'seconds\tedges\tcorpus\texecs\n' >"$w/timeline.tsv"
done

# ---------------------------------------------------------------------------
# Fuzzing.

ntargets=${#targets[@]}
rounds=$(((ntargets + jobs - 1) / jobs))
round_seconds=$((seconds / rounds))
[ "$round_seconds" -gt 0 ] || round_seconds=1
# Workers per target: a round's targets share its cores (the first ones get
# one more when they do not divide evenly). One worker of a target is the
# sanitizer lane's; with --fast-bin the others are the fast lane's.
declare -A nworkers nfast
any_fast=0
for ((r = 0; r < rounds; r++)); do
	first=$((r * jobs))
	m=$((ntargets - first < jobs ? ntargets - first : jobs))
	for ((k = 0; k < m; k++)); do
		t=${targets[$((first + k))]}
		nworkers[$t]=$((jobs / m + (k < jobs % m ? 1 : 0)))
		nfast[$t]=0
		[ -n "$fast_dir" ] && nfast[$t]=$((${nworkers[$t]} - 1))
		[ "${nfast[$t]}" -eq 0 ] || any_fast=1
	done
done
echo "run_fuzz.sh: $engine, ${seconds}s on $jobs cores: $ntargets targets, $rounds round(s) of ${round_seconds}s"
for t in "${targets[@]}"; do
	echo "  $t: ${nworkers[$t]} worker(s) ($((${nworkers[$t]} - ${nfast[$t]})) sanitizer, ${nfast[$t]} fast)"
done

# The lane of a libFuzzer log or an AFL++ instance dir, by its name.
lane_of() {
	case $(basename "$1") in fuzz-fast-* | fast*) echo fast ;; *) echo san ;; esac
}

start_libfuzzer() { # target, work dir
	local t=$1 w=$2 i args=() fork=() n=${nworkers[$1]} nf=${nfast[$1]}
	args=(-max_total_time="$round_seconds" -print_final_stats=1 -timeout=10
		-rss_limit_mb=2048 -max_len="$(max_len "$t")" -dict="fuzz/$t.dict")
	[ "$n" -gt 1 ] && [ "$nf" -eq 0 ] && fork=(-fork="$n")
	SOCKFUZZ_STATS=$w/stats timeout -k 10 $((round_seconds + 60)) \
		"$bin_dir/$t" "${args[@]}" "${fork[@]}" -artifact_prefix="$w/crashes/" "$w/corpus" \
		>"$w/logs/fuzz.log" 2>&1 &
	pids+=($!)
	# The fast lane: one process per worker, each reloading the shared
	# corpus dir (-reload, on by default) for what the others added.
	for ((i = 1; i <= nf; i++)); do
		SOCKFUZZ_STATS=$w/stats timeout -k 10 $((round_seconds + 60)) \
			"$fast_dir/$t" "${args[@]}" -artifact_prefix="$w/crashes/fast/" "$w/corpus" \
			>"$w/logs/fuzz-fast-$i.log" 2>&1 &
		pids+=($!)
	done
}

start_afl() { # target, work dir
	local t=$1 w=$2 i role bin n=${nworkers[$1]} nf=${nfast[$1]}
	for ((i = 0; i < n; i++)); do
		bin=$bin_dir/$t
		if [ "$n" -eq 1 ]; then
			role=()
		elif [ "$nf" -gt 0 ]; then
			# One instance built with the sanitizers, a secondary as AFL++
			# advises; the main and the other secondaries without.
			case $i in
			0) role=(-S san) ;;
			1) role=(-M fast) bin=$fast_dir/$t ;;
			*) role=(-S "fast$i") bin=$fast_dir/$t ;;
			esac
		elif [ "$i" -eq 0 ]; then
			role=(-M main)
		else
			role=(-S "sec$i")
		fi
		# AFL++ sets its own ASAN_OPTIONS (abort_on_error, symbolize=0).
		# The structure-aware mutator (AFL_CUSTOM_MUTATOR_LIBRARY, when make
		# fuzz-afl gives it) needs the target's level.
		env -u ASAN_OPTIONS -u UBSAN_OPTIONS SOCKFUZZ_STATS="$w/stats" SOCKFUZZ_LEVEL="${t#fuzz_}" \
			AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
			AFL_TRY_AFFINITY=1 AFL_SKIP_CRASHES=1 AFL_NO_STARTUP_CALIBRATION=1 \
			timeout -k 10 $((round_seconds + 60)) \
			afl-fuzz "${role[@]}" -i "$w/corpus" -o "$w/afl" -V "$round_seconds" \
			-t 10000 -m none -x "fuzz/$t.dict" -- "$bin" \
			>"$w/logs/afl-$i.log" 2>&1 &
		pids+=($!)
	done
}

# The four __u64 of struct fuzz_stats (fuzz_target.h): inputs events checks failures.
shared_stats() {
	od -An -t u8 -N 32 -v "$1" 2>/dev/null | tr -s ' \n' ' '
}
# One timeline row per sample: seconds since the campaign started, edges,
# corpus size and executions so far. libFuzzer: each log's last status line
# (executions summed over the lanes' workers, edges and corpus the largest).
# AFL++ writes its fuzzer_stats and plot_data once a minute, the first after
# a minute: executions come from the targets' shared counters (SOCKFUZZ_STATS),
# corpus from the largest instance queue, both live, and edges from the
# newest plot_data row, empty before there is one. $1 target, $2 its work dir.
sample() {
	local t=$1 w=$2 line edges corpus execs log e q
	if [ "$engine" = libfuzzer ]; then
		edges=0 corpus=0 execs=0
		for log in "$w"/logs/fuzz*.log; do
			line=$(grep -E '^#[0-9]+' "$log" 2>/dev/null | tail -n 1)
			[ -n "$line" ] || continue
			e=$(grep -o 'cov: [0-9]*' <<<"$line" | cut -d' ' -f2)
			[ "${e:-0}" -gt "$edges" ] && edges=$e
			e=$(grep -o 'corp: [0-9]*' <<<"$line" | cut -d' ' -f2)
			[ "${e:-0}" -gt "$corpus" ] && corpus=$e
			e=$(grep -o '^#[0-9]*' <<<"$line" | tr -d '#')
			execs=$((execs + ${e:-0}))
		done
		[ "$execs" -gt 0 ] || return 0
	else
		read -r execs _ <<<"$(shared_stats "$w/stats")"
		[ "${execs:-0}" -gt 0 ] || return 0
		corpus=0
		for q in "$w"/afl/*/queue; do
			e=$(find "$q" -maxdepth 1 -name 'id:*' 2>/dev/null | wc -l)
			[ "$e" -gt "$corpus" ] && corpus=$e
		done
		line=$(cat "$w"/afl/*/plot_data 2>/dev/null | grep -v '^#' | sort -n | tail -n 1)
		edges=
		[ -z "$line" ] || IFS=', ' read -r _ _ _ _ _ _ _ _ _ _ _ _ edges _ <<<"$line"
	fi
	printf '%s\t%s\t%s\t%s\n' $((SECONDS - campaign_start)) "${edges-0}" "${corpus:-0}" \
		"${execs:-0}" >>"$w/timeline.tsv"
}
sampler() { # the targets of one round
	while sleep "$sample_seconds"; do
		for t in "$@"; do
			sample "$t" "$work/$engine/$t"
		done
	done
}

declare -A started
campaign_start=$SECONDS
for ((r = 0; r < rounds; r++)); do
	round=()
	for ((k = r * jobs; k < ntargets && k < (r + 1) * jobs; k++)); do
		t=${targets[$k]}
		round+=("$t")
		started[$t]=$(date +%s)
		"start_$engine" "$t" "$work/$engine/$t"
	done
	sampler "${round[@]}" &
	sampler_pid=$!
	for p in "${pids[@]}"; do
		wait "$p"
	done
	kill "$sampler_pid" 2>/dev/null
	wait "$sampler_pid" 2>/dev/null
	for t in "${round[@]}"; do
		sample "$t" "$work/$engine/$t"
	done
	pids=()
done

# ---------------------------------------------------------------------------
# Statistics per target.

declare -A execs eps corp cov checks afl_saved
# Per target and lane ("$t:san", "$t:fast"): workers, executions, exec/s,
# the lane's artifacts and, for the fast lane, how many of them the sanitizer
# build reproduced and did not.
declare -A lworkers lexecs leps lartifacts lrepro lnorepro
# Field $2 of an AFL++ fuzzer_stats file $1.
afl_stat() {
	sed -n "s/^$2 *: *//p" "$1" | head -n 1
}
# "EXECS EXEC/S" of one libFuzzer process: its final stats, else (fork mode,
# a crashed run) its last status line; an early crash leaves "exec/s: 0",
# and then the run's wall time is used. $1 its log, $2 its start time.
libfuzzer_stats() {
	local log=$1 e x d
	e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	x=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	[ -n "$e" ] || e=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
	[ -n "$x" ] || x=$(grep -o 'exec/s: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	if [ "${x:-0}" = 0 ] && [ -n "$e" ]; then
		d=$(($(stat -c %Y "$log") - $2))
		x=$((e / (d > 0 ? d : 1)))
	fi
	echo "${e:-0} ${x:-0}"
}

for t in "${targets[@]}"; do
	w=$work/$engine/$t
	read -r _ _ c _ <<<"$(shared_stats "$w/stats")"
	checks[$t]=${c:-0}
	for l in san fast; do
		lexecs[$t:$l]=0 leps[$t:$l]=0 lworkers[$t:$l]=0 lartifacts[$t:$l]='' lrepro[$t:$l]=0 lnorepro[$t:$l]=0
	done
	lworkers[$t:san]=$((${nworkers[$t]} - ${nfast[$t]})) lworkers[$t:fast]=${nfast[$t]}
	if [ "$engine" = libfuzzer ]; then
		g=
		for log in "$w"/logs/fuzz*.log; do
			[ -f "$log" ] || continue
			l=$(lane_of "$log")
			read -r e x <<<"$(libfuzzer_stats "$log" "${started[$t]}")"
			lexecs[$t:$l]=$((${lexecs[$t:$l]} + e)) leps[$t:$l]=$((${leps[$t:$l]} + x))
			e=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
			[ -n "$e" ] && [ "$e" -gt "${g:-0}" ] && g=$e
		done
		execs[$t]=$((${lexecs[$t:san]} + ${lexecs[$t:fast]})) eps[$t]=$((${leps[$t:san]} + ${leps[$t:fast]}))
		cov[$t]=$g
		corp[$t]=$(find "$w/corpus" -type f | wc -l)
		lartifacts[$t:san]=$(find "$w/crashes" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
			-o -name 'timeout-*' -o -name 'oom-*' \) | sort)
		lartifacts[$t:fast]=$(find "$w/crashes/fast" -type f \( -name 'crash-*' -o -name 'leak-*' \
			-o -name 'timeout-*' -o -name 'oom-*' \) | sort)
	else
		g=0 k=0
		for s in "$w"/afl/*/fuzzer_stats; do
			[ -f "$s" ] || continue
			l=$(lane_of "$(dirname "$s")")
			lexecs[$t:$l]=$((${lexecs[$t:$l]} + $(afl_stat "$s" execs_done)))
			leps[$t:$l]=$(awk -v a="${leps[$t:$l]}" -v b="$(afl_stat "$s" execs_per_sec)" \
				'BEGIN { printf "%d", a + b }')
			[ "$(afl_stat "$s" edges_found)" -gt "$g" ] && g=$(afl_stat "$s" edges_found)
			# afl-fuzz exits 0 after crashes: saved_crashes is the verdict.
			k=$((k + $(afl_stat "$s" saved_crashes) + $(afl_stat "$s" saved_hangs)))
			lartifacts[$t:$l]+=" $(find "$(dirname "$s")"/crashes "$(dirname "$s")"/hangs -type f \
				-name 'id:*' 2>/dev/null | sort)"
		done
		execs[$t]=$((${lexecs[$t:san]} + ${lexecs[$t:fast]})) eps[$t]=$((${leps[$t:san]} + ${leps[$t:fast]}))
		cov[$t]=$g afl_saved[$t]=$k
		# Keep the queue for the next run, as libFuzzer keeps its corpus;
		# the queue holds the corpus it started from, so copy by content.
		declare -A have=()
		while read -r sum _; do
			have[$sum]=1
		done < <(find "$w/corpus" -type f -exec sha1sum {} +)
		while read -r sum f; do
			[ -n "${have[$sum]:-}" ] && continue
			have[$sum]=1
			cp "$f" "$w/corpus/afl-${sum:0:16}"
		done < <(find "$w"/afl/*/queue -maxdepth 1 -type f -name 'id:*' -exec sha1sum {} + 2>/dev/null)
		unset have
		# The corpus is the distinct inputs, as libFuzzer's: the instances'
		# queues hold each other's finds, so their sizes do not add up.
		corp[$t]=$(find "$w/corpus" -type f | wc -l)
	fi
done

# ---------------------------------------------------------------------------
# Findings: minimise, normalise, check the replay command. From here on every
# run of a target also checks determinism (fuzz_target.h), which the fuzzing
# loop leaves out.

export SOCKFUZZ_DETERMINISM=1

minimise() { # target, input, output
	local t=$1 in=$2 out=$3 log=$work/$engine/$1/logs/minimise.log
	if [ "$engine" = libfuzzer ]; then
		timeout -k 5 $((min_seconds + 20)) "$bin_dir/$t" -minimize_crash=1 \
			-max_total_time="$min_seconds" -exact_artifact_path="$out" "$in" >"$log" 2>&1
	else
		env -u ASAN_OPTIONS -u UBSAN_OPTIONS timeout -k 5 $((min_seconds + 20)) \
			afl-tmin -i "$in" -o "$out" -t 10000 -m none -- "$bin_dir/$t" >"$log" 2>&1
	fi
	[ -s "$out" ]
}

# Cut the text form down: delete fault and step lines, last first, and reset
# each global, keeping each cut after which the input still breaks SIG.
# Bounded by FUZZ_MIN_SECONDS. $1 target, $2 signature, $3 the .trace.
shrink() {
	local t=$1 sig=$2 trace=$3 try=$3.try i sub end=$((SECONDS + min_seconds))
	keep_if_same() {
		run_cli compile "$try" -o "$try.bin" 2>/dev/null &&
			[ "$(signature "$t" "$try.bin")" = "$sig" ] && mv "$try" "$trace"
	}
	for ((i = $(wc -l <"$trace"); i > 2 && SECONDS < end; i--)); do
		sed "${i}d" "$trace" >"$try"
		keep_if_same
	done
	for sub in monitoring=on node_ip=none pod_gateway=none; do
		sed "2s/ ${sub%%=*}=[^ ]*/ $sub/" "$trace" >"$try"
		cmp -s "$try" "$trace" || keep_if_same
	done
	rm -f "$try" "$try.bin"
}

# Decode at the target's level and re-encode, so the level byte says what the
# target ran, shrinking the text form on the way; the raw bytes are kept as
# they are if the CLI cannot do it. $1 target, $2 signature, $3 input, $4 base.
normalise() {
	local t=$1 sig=$2 in=$3 base=$4
	if run_cli print --binary --level "${t#fuzz_}" "$in" >"$base.trace" 2>"$base.err" &&
		shrink "$t" "$sig" "$base.trace" &&
		run_cli compile "$base.trace" -o "$base.bin" 2>>"$base.err"; then
		rm -f "$base.err"
	else
		cp "$in" "$base.bin"
		echo "    note:       not normalised, see $base.err"
	fi
}

# Where a finding came from (a list: corpus,san,fast), in the summary's words.
lane_words() {
	local l words=()
	for l in ${1//,/ }; do
		case $l in
		san) words+=("sanitizer lane") ;;
		fast) words+=("fast lane (re-run under the sanitizer build: reproduces)") ;;
		*) words+=("corpus replay") ;;
		esac
	done
	local IFS=,
	echo "found by ${words[*]}" | sed 's/,/, /g'
}

# A fast lane's artifact the sanitizer build runs clean: kept as the fast
# build found it (no minimising, which needs the crash), reported with the
# fast build's replay and the sanitizer run's log. $1 target, $2 artifact.
fast_only() {
	local t=$1 f=$2 sig base verdict
	sig=fast-only-$(basename "$f" | sed 's/-.*//;s/^id:.*/afl-crash/')
	[ -z "${seen[$t:$sig]:-}" ] || return 0
	seen[$t:$sig]=1
	base=$findings_dir/$t-$sig-$(sha1sum "$f" | cut -c1-8)
	cp "$f" "$base.bin"
	timeout -k 2 30 "$replay_dir/$t" "$base.bin" >"$base.rerun" 2>&1
	verdict="the sanitizer build does NOT reproduce it: see $base.rerun"
	report+=("$(printf '  %s: %s (%s bytes, from %s, fast lane)\n    reproducer: %s\n    replay:     %s   [%s]' \
		"$t" "$sig" "$(stat -c %s "$f")" "$f" "$base.bin" "$fast_dir/$t $base.bin" "$verdict")")
	printf '%s\t%s\t%s\t%s\t\t%s\t%s\t-\tfast\n' "$t" "$sig" "$(stat -c %s "$f")" "$base.bin" \
		"$fast_dir/$t $base.bin" "$verdict" >>"$work/findings.tsv"
	nfindings[$t]=$((nfindings[$t] + 1))
	nfound=$((nfound + 1))
}

nfound=0
report=()
printf 'target\tproperty\tbytes\treproducer\ttrace\treplay\tverdict\tkind\tlane\n' >"$work/findings.tsv"
raw_report=()
declare -A nfindings seen found_by
for t in "${targets[@]}"; do
	w=$work/$engine/$t
	nfindings[$t]=0
	# The whole corpus (seeds included) once more, now with determinism.
	# The replay stops at the first failure and names its file; for a
	# sanitizer report, which does not, the files are tried one by one.
	# Each input with where it came from: the corpus replay, or a lane.
	inputs=() from=()
	if ! log=$(timeout -k 2 120 "$replay_dir/$t" "$w/corpus" 2>&1 >/dev/null); then
		f=$(sed -n 's/^sockfuzz: property .* bytes, \(.*\))$/\1/p' <<<"$log" | head -n 1)
		if [ -z "$f" ]; then
			end=$((SECONDS + 60))
			for g in "$w"/corpus/*; do
				[ $SECONDS -lt $end ] || break
				[ -n "$(signature "$t" "$g")" ] && f=$g && break
			done
		fi
		[ -n "$f" ] && inputs+=("$f") && from+=(corpus)
	fi
	# The sanitizer lane's first: a defect both lanes found is reported
	# from the sanitizer lane's own artifact.
	for l in san fast; do
		for f in ${lartifacts[$t:$l]}; do
			inputs+=("$f") from+=("$l")
		done
	done
	arts=${lartifacts[$t:san]}${lartifacts[$t:fast]}
	if [ "$engine" = afl ] && [ "${afl_saved[$t]}" -gt 0 ] && [ -z "${arts//[[:space:]]/}" ]; then
		report+=("  $t: fuzzer_stats counts ${afl_saved[$t]} crashes/hangs but $w/afl has none")
		printf '%s\tafl-unsaved\t0\t\t\t\t%s\n' "$t" "fuzzer_stats counts crashes that $w/afl lacks" \
			>>"$work/findings.tsv"
		nfindings[$t]=$((nfindings[$t] + 1))
	fi
	# First every input's signature, so that a finding names every lane
	# (and the corpus replay) that found it; then each finding once, from
	# the first input that showed it.
	sigs=()
	for i in "${!inputs[@]}"; do
		f=${inputs[$i]} lane=${from[$i]}
		# The replay main is the sanitizer build: for a fast lane's
		# artifact, this is its re-run under the sanitizers.
		sig=$(signature "$t" "$f")
		if [ "$lane" = fast ]; then
			if [ -n "$sig" ]; then
				lrepro[$t:fast]=$((${lrepro[$t:fast]} + 1))
			else
				lnorepro[$t:fast]=$((${lnorepro[$t:fast]} + 1))
				fast_only "$t" "$f"
				continue
			fi
		fi
		# Not reproducible by the replay main: an engine timeout, OOM or hang.
		[ -n "$sig" ] || sig=$(basename "$f" | sed 's/-.*//;s/^id:.*/afl-crash/')
		if [ -z "${seen[$t:$sig]:-}" ]; then
			seen[$t:$sig]=$f found_by[$t:$sig]=$lane
			sigs+=("$sig")
		elif [[ ",${found_by[$t:$sig]}," != *",$lane,"* ]]; then
			found_by[$t:$sig]+=,$lane
		fi
	done
	for sig in "${sigs[@]}"; do
		f=${seen[$t:$sig]} lane=${found_by[$t:$sig]}
		min=$w/crashes/min-$sig
		rm -f "$min"
		src=$f
		minimise "$t" "$f" "$min" && [ "$(signature "$t" "$min")" = "$sig" ] && src=$min
		base=$findings_dir/$t-$sig-$(sha1sum "$src" | cut -c1-8)
		if [ -n "${text_target[$t]:-}" ]; then
			# The text itself is the reproducer; the target replays it.
			note=
			cp "$src" "$base.trace"
			repro=$base.trace
			replay=("$replay_dir/$t" "$repro")
		else
			note=$(normalise "$t" "$sig" "$src" "$base")
			repro=$base.bin
			# Bytes that could not be normalised may look like text.
			replay=("$cli" replay ${note:+--binary} "$repro")
		fi
		timeout -k 2 30 "${replay[@]}" >"$base.replay" 2>&1
		case $? in
		0 | 2) verdict="does NOT reproduce: see $base.replay" ;;
		*) verdict="reproduces" ;;
		esac
		# Whether production can reach it, as the replay says (sf_failure_kind()).
		kind=-
		grep -q '^ *kernel-producible:' "$base.replay" && kind=kernel-producible
		grep -q '^ *raw-only:' "$base.replay" && kind=raw-only
		line=$(printf '  %s: %s (%s bytes, from %s, %s)\n    reproducer: %s%s\n    replay:     %s   [%s]%s' \
			"$t" "$sig" "$(stat -c %s "$repro")" "$f" "$(lane_words "$lane")" "$repro" \
			"$([ "$repro" = "$base.bin" ] && [ -f "$base.trace" ] && echo ' (+ .trace)')" \
			"${replay[*]}" "$verdict" "${note:+$'\n'$note}")
		if [ "$kind" = raw-only ]; then raw_report+=("$line"); else report+=("$line"); fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$sig" "$(stat -c %s "$repro")" "$repro" \
			"$([ -f "$base.trace" ] && echo "$base.trace")" "${replay[*]}" "$verdict" "$kind" "$lane" \
			>>"$work/findings.tsv"
		nfindings[$t]=$((nfindings[$t] + 1))
		nfound=$((nfound + 1))
	done
done

# ---------------------------------------------------------------------------
# Summary.

echo
echo "sockfuzz $engine campaign: ${seconds}s on $jobs cores; work dir $work/$engine"
row() {
	printf '%-16s %12s %9s %14s %7s %15s %9s\n' "$@"
}
row target execs exec/s corpus edges prop-checks findings
printf 'target\texecs\texec_per_s\tcorpus_start\tcorpus\tedges\tchecks\tfindings\n' >"$work/summary.tsv"
for t in "${targets[@]}"; do
	row "$t" "${execs[$t]:-?}" "${eps[$t]:-?}" "${start_count[$t]}->${corp[$t]:-?}" \
		"${cov[$t]:-?}" "${checks[$t]}" "${nfindings[$t]}"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${execs[$t]:-}" "${eps[$t]:-}" \
		"${start_count[$t]}" "${corp[$t]:-}" "${cov[$t]:-}" "${checks[$t]}" "${nfindings[$t]}" \
		>>"$work/summary.tsv"
done
echo
# Per lane: the sanitizer lane (ASan+UBSan) against the fast lane (none).
if [ "$any_fast" = 1 ]; then
	echo "lanes: sanitizer = --bin (ASan+UBSan), fast = --fast-bin (no sanitizers)"
	lrow() {
		printf '%-16s %-9s %7s %12s %9s %13s  %s\n' "$@"
	}
	lrow target lane workers execs exec/s exec/s/worker artifacts
fi
printf 'target\tlane\tworkers\texecs\texec_per_s\tartifacts\treproduced\tnot_reproduced\n' >"$work/lanes.tsv"
for t in "${targets[@]}"; do
	for l in san fast; do
		n=${lworkers[$t:$l]}
		[ "$n" -gt 0 ] || continue
		a=$(wc -w <<<"${lartifacts[$t:$l]}")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$l" "$n" "${lexecs[$t:$l]}" "${leps[$t:$l]}" \
			"$a" "${lrepro[$t:$l]}" "${lnorepro[$t:$l]}" >>"$work/lanes.tsv"
		[ "$any_fast" = 1 ] || continue
		what=$a
		[ "$l" = fast ] && [ "$a" -gt 0 ] &&
			what="$a, re-run under the sanitizer build: ${lrepro[$t:$l]} reproduce, ${lnorepro[$t:$l]} do not"
		lrow "$t" "$([ "$l" = san ] && echo sanitizer || echo fast)" "$n" "${lexecs[$t:$l]}" \
			"${leps[$t:$l]}" "$((${leps[$t:$l]} / n))" "$what"
	done
done
[ "$any_fast" = 1 ] && echo
# The page people look at; a report that cannot be written is said, not fatal.
if "${PYTHON:-python3}" tools/fuzz_report.py --engine "$engine" --seconds "$seconds" \
	--jobs "$jobs" "$work" "$work/report.html"; then
	echo "report: $work/report.html"
else
	echo "run_fuzz.sh: the report could not be written (tools/fuzz_report.py)" >&2
fi
# A target that ran nothing (its engine did not start) found nothing either.
idle=()
for t in "${targets[@]}"; do
	[ "${execs[$t]:-0}" -gt 0 ] || idle+=("$t")
done
if [ ${#idle[@]} -gt 0 ]; then
	echo "run_fuzz.sh: no input ran in ${idle[*]}: the engine did not start, see $work/$engine/<target>/logs" >&2
	[ "$nfound" -eq 0 ] && exit 2
fi
if [ "$nfound" -eq 0 ]; then
	echo "no findings: every property held on every input"
	exit 0
fi
# What production can reach first; the findings only raw steps make apart.
echo "FINDINGS ($nfound; ${#raw_report[@]} raw-only):"
[ ${#report[@]} -gt 0 ] && printf '%s\n' "${report[@]}"
if [ ${#raw_report[@]} -gt 0 ]; then
	echo "raw-only (a raw event comes first: no real socket makes these runs):"
	printf '%s\n' "${raw_report[@]}"
fi
echo
echo "Keep each as a regression: its .bin and .trace go to corpus/regressions/ with a note."
exit 1
