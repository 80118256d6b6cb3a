#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# test_scale.sh SOCKFUZZ: one large random run through the kernel oracle
# (issue 9 item 2): at least 200 connections and 4096 callbacks compared,
# with 0 differences, in which the kernel reached a full auth ring (no
# consumer), a full probe ring and a full map (user space filled km_manage).
# And the campaign's mix on two workers, which take the runs in order as each
# is free: runs 0 to M-1, each once, of which every --large-every N-th is
# large, whichever worker took it.
# Its own sandbox (sockfuzz kernel: private network namespace and cgroup,
# removed afterwards). Exit 77 (SKIP) where the kernel cannot be used.
set -u
bin=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
"$bin" kernel --seed 3 --connections 200 --large-every 1 --jobs 1 >"$out" 2>&1
rc=$?
cat "$out"
[ $rc -eq 77 ] && exit 77
fail() { echo "FAIL test_scale: $*"; exit 1; }
[ $rc -eq 0 ] || fail "sockfuzz kernel exited $rc"
grep -q 'expansion differences: 0, replay differences: 0, not expressible: 0 ' "$out" ||
	fail "differences, or a run not compared"
conns=$(sed -n 's/.*the largest run compared: \([0-9]*\) connections, \([0-9]*\) callbacks.*/\1/p' "$out")
cbs=$(sed -n 's/.*the largest run compared: \([0-9]*\) connections, \([0-9]*\) callbacks.*/\2/p' "$out")
[ "${conns:-0}" -ge 200 ] || fail "the largest run compared has ${conns:-0} connections, not 200"
[ "${cbs:-0}" -ge 4096 ] || fail "the largest run compared has ${cbs:-0} callbacks, not 4096"
# Each state: in how many runs, and how many drops or refused updates.
for s in 'a full auth ring' 'a full probe ring' 'a full map'; do
	set -- $(sed -n "s/.*$s in \([0-9]*\)[^(]*(\([0-9]*\) .*/\1 \2/p" "$out")
	[ "${1:-0}" -ge 1 ] && [ "${2:-0}" -ge 1 ] || fail "no run compared reached $s"
done
# Every large run fills a map: with --large-every 2, runs 1, 3, 5 and so on,
# half of runs 0 to M-1 (an ordinary run may count a refused update too).
"$bin" kernel --seed 3 --connections 2500 --large-every 2 --jobs 2 >"$out" 2>&1 ||
	fail "sockfuzz kernel --large-every 2 --jobs 2 exited $?"
runs=$(sed -n 's/^kernel oracle: \([0-9]*\) runs.*/\1/p' "$out")
large=$(sed -n 's/.*a full map in \([0-9]*\) .*/\1/p' "$out")
[ -n "$runs" ] && [ "${large:-0}" -ge 2 ] && [ "$large" -ge $((runs / 2)) ] ||
	fail "--large-every 2 on two workers: ${large:-?} large runs of ${runs:-?}"
echo "PASS test_scale: ${conns} connections, ${cbs} callbacks in one run; full rings and map compared; ${large} of ${runs} runs large at --large-every 2 on two workers"
