#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# test_report.sh: the campaign report of make fuzz (tools/fuzz_report.py).
#  1. A made-up work dir (three targets, one without samples, a finding whose
#     trace has markup in it): the page has a section per target with both
#     charts, a point per sample, the exec/s, the finding's property, trace
#     (escaped) and replay command, each lane's exec/s (lanes.tsv: the
#     sanitizer and the fast lane of one target) and the lanes that found the
#     finding, and loads nothing from elsewhere; the page's own check
#     (--check) passes, and fails on pages that lack a chart point, a trace,
#     a lane's exec/s, or that load a script.
#     The same work dir with an AFL++ campaign beside it, whose first samples
#     have no edges yet: each page is checked against its own engine's
#     timelines (the title says which), the edges chart has a point per
#     sample with edges, the page says how many lack them; a page whose title
#     names no engine fails the check.
#  2. A real two-second campaign of one target (fuzz/run_fuzz.sh) writes a
#     report that passes --check; one whose engine does not start fails.
#  3. A work dir without summary.tsv: one line and exit 2.
#
# Usage: tests/test_report.sh CLI REPLAY_BIN_DIR LIBFUZZER_BIN_DIR   (from the repository root)
set -uo pipefail

cli=${1:-build/sockfuzz} replay_bin=${2:-build/native/bin} fuzz_bin=${3:-build/fuzz/bin}
report() { "${PYTHON:-python3}" tools/fuzz_report.py "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/suite.sh
. "$(dirname "$0")/suite.sh"
suite_begin test_report

# --- 1. a made-up campaign --------------------------------------------------
w=$work/made-up
mkdir -p "$w/libfuzzer/fuzz_a" "$w/libfuzzer/fuzz_b" "$w/libfuzzer/fuzz_c" "$w/findings"
printf 'target\texecs\texec_per_s\tcorpus_start\tcorpus\tedges\tchecks\tfindings\n' >"$w/summary.tsv"
printf 'fuzz_a\t90000\t4500\t72\t300\t950\t12345\t0\n' >>"$w/summary.tsv"
printf 'fuzz_b\t800\t61\t72\t80\t400\t99\t1\n' >>"$w/summary.tsv"
printf 'fuzz_c\t0\t0\t72\t72\t0\t0\t0\n' >>"$w/summary.tsv"
printf 'seconds\tedges\tcorpus\texecs\n' | tee "$w/libfuzzer/fuzz_c/timeline.tsv" \
	"$w/libfuzzer/fuzz_b/timeline.tsv" >"$w/libfuzzer/fuzz_a/timeline.tsv"
for s in 2 4 6 8 10 12 14; do
	printf '%s\t%s\t%s\t%s\n' "$s" $((900 + s * 3)) $((72 + s * 15)) $((s * 6000)) >>"$w/libfuzzer/fuzz_a/timeline.tsv"
done
printf '2\t380\t75\t200\n5\t400\t80\t800\n' >>"$w/libfuzzer/fuzz_b/timeline.tsv"
trace=$w/findings/fuzz_b-auth_once-12345678.trace
printf 'sockfuzz-trace v1 lifecycle\n# <script>alert(1)</script> & more\nenrol 127.0.0.5\n' >"$trace"
printf 'target\tproperty\tbytes\treproducer\ttrace\treplay\tverdict\tkind\tlane\n' >"$w/findings.tsv"
printf 'fuzz_b\tauth_once\t12\t%s\t%s\t%s\treproduces\tkernel-producible\tsan,fast\n' "${trace%.trace}.bin" \
	"$trace" "build/sockfuzz replay ${trace%.trace}.bin" >>"$w/findings.tsv"
printf 'target\tlane\tworkers\texecs\texec_per_s\tartifacts\treproduced\tnot_reproduced\n' >"$w/lanes.tsv"
printf 'fuzz_a\tsan\t1\t10000\t500\t0\t0\t0\nfuzz_a\tfast\t3\t80000\t4000\t1\t1\t0\n' >>"$w/lanes.tsv"

page=$work/page.html
report --engine libfuzzer --seconds 14 --jobs 2 "$w" "$page" && ok "report writes" || bad "report failed"
report --check "$w" "$page" >"$work/check.log" && ok "--check passes" ||
	bad "--check on a good page: $(cat "$work/check.log")"
grep -q '<script' "$page" && bad "the page has a <script> (the trace was not escaped?)" || ok "no script"
grep -qF '# &lt;script&gt;alert(1)&lt;/script&gt; &amp; more' "$page" && ok "the trace is escaped" ||
	bad "the trace is not in the page, escaped"
[ "$(grep -o '<section class="target"' "$page" | wc -l)" -eq 3 ] && ok "a section per target" ||
	bad "not 3 target sections"
[ "$(grep -o '<svg ' "$page" | wc -l)" -eq 6 ] && ok "two charts per target" || bad "not 6 charts"
grep -q 'no samples' "$page" && ok "a target without samples says so" || bad "no 'no samples'"
grep -qF 'build/sockfuzz replay '"${trace%.trace}.bin" "$page" && ok "the replay command" ||
	bad "the replay command is not in the page"
grep -qiE '(src|href)="(https?:)?//' "$page" && bad "the page loads from the network" || ok "no network"
grep -qF 'sanitizer (ASan+UBSan): 500 exec/s' "$page" && grep -qF 'fast (no sanitizers): 4000 exec/s' "$page" &&
	ok "each lane's exec/s" || bad "the lanes' exec/s are not in the page"
grep -qF 'found by the sanitizer lane, the fast lane (re-run under the sanitizer build)' "$page" &&
	ok "the lanes that found the finding" || bad "the finding's lanes are not in the page"

# --check is not a check that cannot fail: PAGE edited by SED-SCRIPT fails it.
must_fail() { # PAGE SED-SCRIPT WHAT-IT-LACKS
	sed "$2" "$1" >"$work/edited.html"
	report --check "$w" "$work/edited.html" >/dev/null && bad "--check passed a page with $3" ||
		ok "--check fails a page with $3"
}
must_fail "$page" '0,/<polyline points="[^ ]* /s//<polyline points="/' "a chart point lost"
must_fail "$page" 's|&lt;/script&gt; &amp; more||' "a trace lost"
must_fail "$page" 's|fast (no sanitizers): 4000 exec/s|fast (no sanitizers): ? exec/s|' "a lane's exec/s lost"
must_fail "$page" 's|</body>|<script src="https://example.com/x.js"></script></body>|' "a script from elsewhere"

# An AFL++ campaign in the same work dir: edges only from the third sample on.
mkdir -p "$w/afl/fuzz_a" "$w/afl/fuzz_b" "$w/afl/fuzz_c"
printf 'seconds\tedges\tcorpus\texecs\n' | tee "$w/afl/fuzz_b/timeline.tsv" "$w/afl/fuzz_c/timeline.tsv" \
	>"$w/afl/fuzz_a/timeline.tsv"
printf '2\t\t80\t9000\n4\t\t95\t18000\n62\t990\t140\t270000\n64\t995\t141\t280000\n' \
	>>"$w/afl/fuzz_a/timeline.tsv"
printf '2\t\t75\t200\n' >>"$w/afl/fuzz_b/timeline.tsv"
afl_page=$work/afl-page.html
report --engine afl --seconds 64 --jobs 2 "$w" "$afl_page" && ok "the AFL++ report writes" ||
	bad "the AFL++ report failed"
report --check "$w" "$afl_page" >"$work/check.log" && ok "--check passes the AFL++ page" ||
	bad "--check on the AFL++ page: $(cat "$work/check.log")"
report --check "$w" "$page" >"$work/check.log" && ok "--check passes the libFuzzer page beside it" ||
	bad "--check on the libFuzzer page with an afl dir beside it: $(cat "$work/check.log")"
[ "$(grep -o '<polyline points="[^"]*"' "$afl_page" | head -n 2 | awk '{ print NF - 1 }' | tr '\n' ' ')" = "2 4 " ] &&
	ok "the edges chart has the samples with edges, the corpus chart all" ||
	bad "fuzz_a's chart points: $(grep -o '<polyline points="[^"]*"' "$afl_page" | head -n 2)"
grep -qF '4 samples (2 with edges: afl had not reported them at the others)' "$afl_page" &&
	ok "the page says how many samples lack edges" || bad "the samples without edges are not said"
grep -q 'no samples' "$afl_page" && ok "a target without edges says so" || bad "fuzz_b's edges chart: no 'no samples'"
must_fail "$afl_page" 's|<title>sockfuzz afl campaign|<title>sockfuzz afl++ campaign|' "a title naming no engine"
# Checked against libFuzzer's timelines, the AFL++ page's points are wrong.
must_fail "$afl_page" 's|<title>sockfuzz afl campaign|<title>sockfuzz libfuzzer campaign|' "another engine's title"

# --- 2. a real campaign of two seconds --------------------------------------
if [ -x "$fuzz_bin/fuzz_text" ] && [ -x "$replay_bin/fuzz_text" ] && [ -x "$cli" ]; then
	FUZZ_SAMPLE_SECONDS=1 fuzz/run_fuzz.sh --engine libfuzzer --bin "$fuzz_bin" --replay-bin "$replay_bin" \
		--cli "$cli" --seconds 2 --jobs 1 --work "$work/real" --text fuzz_text fuzz_text \
		>"$work/real.log" 2>&1 && ok "a two-second campaign" || bad "run_fuzz.sh: $(tail -n 5 "$work/real.log")"
	report --check "$work/real" "$work/real/report.html" >"$work/real-check.log" &&
		ok "the campaign's report passes --check" || bad "real report: $(cat "$work/real-check.log")"
	[ "$(tail -n +2 "$work/real/libfuzzer/fuzz_text/timeline.tsv" | wc -l)" -ge 1 ] &&
		ok "the campaign sampled its target" || bad "no timeline samples"
	# An engine that does not start runs nothing and finds nothing: not a pass.
	mkdir -p "$work/dead"
	printf '#!/bin/sh\necho "cannot start" >&2\nexit 1\n' >"$work/dead/fuzz_text"
	chmod +x "$work/dead/fuzz_text"
	fuzz/run_fuzz.sh --engine libfuzzer --bin "$work/dead" --replay-bin "$replay_bin" --cli "$cli" \
		--seconds 1 --jobs 1 --work "$work/dead-work" --text fuzz_text fuzz_text >"$work/dead.log" 2>&1
	rc=$?
	[ "$rc" -eq 2 ] && grep -q 'no input ran in fuzz_text' "$work/dead.log" &&
		ok "a campaign whose engine does not start fails (exit 2)" || bad "dead engine: exit $rc: $(tail -n 3 "$work/dead.log")"
else
	bad "the fuzz_text builds or $cli are missing"
fi

# --- 3. bad input ---------------------------------------------------------
mkdir -p "$work/empty"
report "$work/empty" "$work/x.html" 2>"$work/err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -q 'summary.tsv' "$work/err" &&
	ok "a work dir without summary.tsv: one line, exit 2" || bad "empty work dir: exit $rc, $(cat "$work/err")"

suite_end
