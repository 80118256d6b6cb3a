#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# test_lanes.sh: the two lanes of make fuzz (fuzz/run_fuzz.sh --fast-bin).
#  1. A two-second campaign of fuzz_lifecycle on two cores against mutant
#     MUT (its sanitizer and fast builds, replay main and CLI, mutants.mk):
#     one sanitizer and one fast worker, each with its exec/s in the summary
#     and lanes.tsv; the fast lane's artifact is re-run under the sanitizer
#     build and reproduces; the finding is reported once, names the fast
#     lane among those that found it, and its reproducer replays through the
#     mutant's CLI (sanitizer build) with its kind.
#  2. A fast lane whose artifact the sanitizer build runs clean (a stub that
#     saves a seed as its crash): the finding is not dropped, it is reported
#     as fast-only, saying the sanitizer build does not reproduce it.
#  3. One core: the sanitizer lane only, even with a fast build given.
#
# Usage: tests/test_lanes.sh CLI REPLAY_BIN FUZZ_BIN FAST_BIN MUT_DIR   (from the repository root)
set -uo pipefail

cli=$1 replay_bin=$2 fuzz_bin=$3 fast_bin=$4 mut=$5
t=fuzz_lifecycle
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/suite.sh
. "$(dirname "$0")/suite.sh"
suite_begin test_lanes
export FUZZ_MIN_SECONDS=1 FUZZ_SAMPLE_SECONDS=1

# A field of lanes.tsv: $1 work dir, $2 lane (san, fast), $3 column name.
lane_field() {
	awk -F'\t' -v lane="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$2 == lane { print $(c[col]) }' "$1/lanes.tsv"
}

# --- 1. a mutant, found in the fast lane, re-run under the sanitizers --------
w=$work/mutant
fuzz/run_fuzz.sh --engine libfuzzer --bin "$mut" --fast-bin "$mut/fast" --replay-bin "$mut/replay" \
	--cli "$mut/sockfuzz" --seconds 2 --jobs 2 --work "$w" $t >"$work/mutant.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "the mutant campaign reports a finding (exit 1)" ||
	bad "mutant campaign: exit $rc: $(tail -n 5 "$work/mutant.log")"
grep -q "  $t: 2 worker(s) (1 sanitizer, 1 fast)" "$work/mutant.log" && ok "one sanitizer and one fast worker" ||
	bad "not 1 sanitizer + 1 fast worker: $(head -n 1 "$work/mutant.log")"
[ -s "$w/libfuzzer/$t/logs/fuzz.log" ] && [ -s "$w/libfuzzer/$t/logs/fuzz-fast-1.log" ] &&
	ok "a log per lane" || bad "the lanes' logs are missing"
for lane in san fast; do
	eps=$(lane_field "$w" $lane exec_per_s)
	[[ "$eps" =~ ^[0-9]+$ ]] && ok "lanes.tsv: the $lane lane's exec/s ($eps)" ||
		bad "lanes.tsv: no exec/s for the $lane lane: $(cat "$w/lanes.tsv")"
done
grep -qE "^$t +sanitizer +1 +[0-9]+ +[0-9]+ " "$work/mutant.log" &&
	grep -qE "^$t +fast +1 +[0-9]+ +[0-9]+ " "$work/mutant.log" &&
	ok "the summary has a row per lane" || bad "the summary's lane rows: $(grep -A3 '^lanes:' "$work/mutant.log")"
[ "$(lane_field "$w" fast artifacts)" -ge 1 ] 2>/dev/null && ok "the fast lane saved an artifact" ||
	bad "the fast lane saved no artifact: $(cat "$w/lanes.tsv")"
[ "$(lane_field "$w" fast reproduced)" = "$(lane_field "$w" fast artifacts)" ] &&
	[ "$(lane_field "$w" fast not_reproduced)" = 0 ] &&
	ok "every fast lane artifact reproduces under the sanitizer build" ||
	bad "fast lane re-run: $(cat "$w/lanes.tsv")"
grep -q 're-run under the sanitizer build: [1-9][0-9]* reproduce, 0 do not' "$work/mutant.log" &&
	ok "the summary says the re-run reproduced it" || bad "no re-run line in the summary"
rows=$(tail -n +2 "$w/findings.tsv")
[ "$(wc -l <<<"$rows")" -eq 1 ] && ok "one finding (the lanes' copies merged)" ||
	bad "findings.tsv: $rows"
IFS=$'\t' read -r _ prop _ repro _ _ verdict kind lanes <<<"$rows"
[[ ",$lanes," == *,fast,* ]] && ok "the finding names the fast lane ($lanes)" ||
	bad "the finding's lanes: '$lanes'"
[ "$verdict" = reproduces ] && [ "$kind" != - ] && [ -n "$kind" ] &&
	ok "its reproducer replays through the sanitizer build ($prop, $kind)" ||
	bad "verdict '$verdict', kind '$kind'"
"$mut/sockfuzz" replay "$repro" >/dev/null 2>&1
[ $? -eq 1 ] && ok "the mutant's CLI replays $prop" || bad "$repro does not fail on the mutant"
"${PYTHON:-python3}" tools/fuzz_report.py --check "$w" "$w/report.html" >"$work/check.log" &&
	ok "the report passes --check (lanes shown)" || bad "report: $(cat "$work/check.log")"

# --- 2. a fast lane finding the sanitizer build does not reproduce ----------
seed=$(ls corpus/$t/*.bin | head -n 1)
mkdir -p "$work/stub"
cat >"$work/stub/$t" <<EOF
#!/bin/sh
# A fast build that "crashes" on a seed that runs clean everywhere else.
for a; do case \$a in -artifact_prefix=*) p=\${a#-artifact_prefix=} ;; esac; done
echo '#1	INITED cov: 1 ft: 1 corp: 1/1b exec/s: 0 rss: 1Mb'
cp "$PWD/$seed" "\${p}crash-0123456789abcdef"
echo '==1== ERROR: libFuzzer: deadly signal'
exit 1
EOF
chmod +x "$work/stub/$t"
w=$work/stub-work
fuzz/run_fuzz.sh --engine libfuzzer --bin "$fuzz_bin" --fast-bin "$work/stub" --replay-bin "$replay_bin" \
	--cli "$cli" --seconds 1 --jobs 2 --work "$w" $t >"$work/stub.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "a fast-only artifact is a finding (exit 1)" ||
	bad "stub campaign: exit $rc: $(tail -n 5 "$work/stub.log")"
grep -q 'the sanitizer build does NOT reproduce it' "$work/stub.log" &&
	grep -q "$t: fast-only-crash" "$work/stub.log" &&
	ok "the summary says the sanitizer build does not reproduce it" ||
	bad "no fast-only line: $(tail -n 8 "$work/stub.log")"
[ "$(lane_field "$w" fast not_reproduced)" = 1 ] && ok "lanes.tsv counts it not reproduced" ||
	bad "lanes.tsv: $(cat "$w/lanes.tsv")"
grep -qP '\tfast-only-crash\t.*\tfast$' "$w/findings.tsv" && ok "findings.tsv keeps it, lane fast" ||
	bad "findings.tsv: $(cat "$w/findings.tsv")"

# --- 3. one core: the sanitizer lane only -----------------------------------
w=$work/one
fuzz/run_fuzz.sh --engine libfuzzer --bin "$fuzz_bin" --fast-bin "$fast_bin" --replay-bin "$replay_bin" \
	--cli "$cli" --seconds 1 --jobs 1 --work "$w" $t >"$work/one.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "a one-core campaign" || bad "one core: exit $rc: $(tail -n 5 "$work/one.log")"
[ "$(tail -n +2 "$w/lanes.tsv" | cut -f2 | tr '\n' ' ')" = "san " ] &&
	[ ! -e "$w/libfuzzer/$t/logs/fuzz-fast-1.log" ] && ok "one core: the sanitizer lane only" ||
	bad "one core lanes: $(cat "$w/lanes.tsv")"

suite_end
