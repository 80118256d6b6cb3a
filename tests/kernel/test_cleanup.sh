#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# test_cleanup.sh SOCKFUZZ: `sockfuzz kernel` leaves nothing behind, whatever
# ends it (issue 9, item 5):
#   1. kill -9 of it mid-run: no worker or sandbox process left, no cgroup
#      left with its sockops program attached, no cgroup left at all;
#   2. an empty sockfuzz-<dead pid>-<n> cgroup is removed by the next run;
#   3. SIGTERM prints the summary of the runs completed (not "0 runs") and
#      exits 128 + 15;
#   4. an unwritable --out and a failed write to stdout exit 2.
# Only sockfuzz's own processes and cgroups are looked at (others may run
# theirs at the same time). Every wait is bounded. Skips without the kernel.
set -u
bin=${1:?usage: test_cleanup.sh SOCKFUZZ}
tmp=$(mktemp -d)
pid=
fail() {
	echo "FAIL: $*"
	exit 1
}
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
"$bin" kernel --seed 1 --connections 1 --jobs 1 >"$tmp/probe" 2>&1
case $? in
0) ;;
77)
	echo "SKIP: $(cat "$tmp/probe")"
	exit 0
	;;
*) fail "a one-connection run failed: $(cat "$tmp/probe")" ;;
esac

# A process is running: it exists and is not a zombie.
running() {
	[ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat" 2>/dev/null
}
# Children of $1, one a line.
children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep .
}
# Wait (at most $1 tenths of a second) until the command after it succeeds.
wait_for() {
	tenths=$1
	shift
	while ! "$@"; do
		tenths=$((tenths - 1))
		[ "$tenths" -gt 0 ] || return 1
		sleep 0.1
	done
}

# ---- 1. kill -9 mid-run ----
"$bin" kernel --seed 11 --connections 10000000 --jobs 2 >"$tmp/out" 2>"$tmp/err" &
pid=$!
sandboxes() { # the cgroups of sockfuzz's workers
	for w in $(children "$pid"); do ls -d "$root"/sockfuzz-"$w"-* 2>/dev/null; done
}
two_attached() {
	found=0
	for cg in $(sandboxes); do
		bpftool cgroup show "$cg" 2>/dev/null | grep -q sock_ops && found=$((found + 1))
	done
	[ "$found" -ge 2 ]
}
wait_for 100 two_attached || fail "no two sandboxes with a program attached within 10 s"
sleep 0.5 # mid-run: runs completed and running
workers=$(children "$pid")
inside=$(for w in $workers; do children "$w"; done)
cgroups=$(sandboxes)
procs=$(echo $workers $inside | wc -w)
attached=0
for cg in $cgroups; do
	bpftool cgroup show "$cg" | grep -q sock_ops && attached=$((attached + 1))
done
echo "before kill -9: $procs processes (workers" $workers "; sandboxed" $inside ")," \
	"$(echo $cgroups | wc -w) cgroups, $attached with a sockops program"
[ "$procs" -ge 4 ] || fail "expected 2 workers and 2 sandboxed children, found $procs"
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
none_left() {
	for p in $workers $inside; do running "$p" && return 1; done
	for cg in $cgroups; do [ -e "$cg" ] && return 1; done
	return 0
}
wait_for 100 none_left
left=0
for p in $workers $inside; do running "$p" && left=$((left + 1)); done
cgleft=0
for cg in $cgroups; do [ -e "$cg" ] && cgleft=$((cgleft + 1)); done
progleft=$(bpftool cgroup tree "$root" 2>/dev/null | grep -c -F "$(echo $cgroups | tr ' ' '\n' | sed 's|.*/||;q')")
echo "after kill -9: $left processes, $cgleft cgroups, $progleft with a program attached"
[ "$left" -eq 0 ] || fail "$left processes outlived the parent"
[ "$cgleft" -eq 0 ] || fail "$cgleft cgroups left: $cgroups"
[ "$progleft" -eq 0 ] || fail "a program is still attached under $cgroups"

# ---- 2. the next run removes an empty cgroup of a dead owner ----
dead=$(echo $workers | cut -d' ' -f1)
running "$dead" && fail "pid $dead is running again"
stale="$root/sockfuzz-$dead-99"
mkdir "$stale" || fail "cannot make $stale"
"$bin" kernel --seed 1 --connections 1 --jobs 1 >/dev/null 2>&1
if [ -e "$stale" ]; then
	rmdir "$stale"
	fail "the next run left the empty cgroup $stale"
fi
echo "the next run removed the empty cgroup $stale"

# ---- 3. SIGTERM: the summary of the runs completed ----
"$bin" kernel --seed 12 --connections 10000000 --jobs 2 >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for 100 two_attached || fail "no two sandboxes with a program attached within 10 s"
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
echo "after SIGTERM (exit $rc): $(head -1 "$tmp/out")"
[ "$rc" -eq 143 ] || fail "SIGTERM: exit $rc, not 143"
runs=$(sed -n 's/^kernel oracle: \([0-9]*\) runs.*/\1/p' "$tmp/out")
[ "${runs:-0}" -gt 0 ] || fail "SIGTERM: the summary counts no run: $(cat "$tmp/out")"

# ---- 4. write errors exit 2 ----
"$bin" kernel --seed 1 --connections 1 --jobs 1 --out /sys/kernel >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "--out /sys/kernel (unwritable): exit $rc, not 2"
"$bin" kernel --seed 1 --connections 1 --jobs 1 >/dev/full 2>/dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "stdout /dev/full: exit $rc, not 2"
echo "unwritable --out and a full stdout exit 2"
echo "PASS: nothing left after kill -9, SIGTERM or write errors"
