#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# run.sh: run one suite the way make test runs them all.
#
# Usage: tests/run.sh [--cmocka] NAME -- COMMAND [ARG...]
#
#  - The sanitizers' run-time settings are the Makefile's (exported to every
#    recipe: one place), LOGDIR where the logs go (TEST_LOGS).
#  - A cmocka suite (--cmocka) is quiet: its log goes to $LOGDIR/NAME.log and
#    its count lines are shown; when it fails, its failures. With JUNIT=DIR,
#    cmocka writes DIR/NAME-GROUP.xml itself (CMOCKA_MESSAGE_OUTPUT=xml), one
#    file per test group.
#  - Any other command is a shell suite: its output is shown as it comes. With
#    JUNIT=DIR it is given JUNIT_FILE=DIR/NAME.xml (tests/suite.sh writes its
#    checks there); a command that writes none gets one test case, itself.
#  - Exit 77 is "cannot run here" (the automake convention; `sockfuzz kernel`
#    without root): one line "  SKIP     NAME: reason" and success. So is a
#    cmocka suite whose every test was skipped (the kernel scenarios without
#    root), with the reason its tests printed ("SKIP: reason").
#
# Exit: the suite's, 0 for a skip; 2 for bad usage.
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
junit() { "${PYTHON:-python3}" "$here/tools/junit.py" "$@"; }

cmocka=false
if [ "${1:-}" = --cmocka ]; then
	cmocka=true
	shift
fi
name=${1:-}
[ -n "$name" ] && [ "${2:-}" = -- ] && [ $# -ge 3 ] ||
	{ echo "run.sh: usage: tests/run.sh [--cmocka] NAME -- COMMAND [ARG...]" >&2; exit 2; }
shift 2

logdir=${LOGDIR:-build/tests/logs}
mkdir -p "$logdir" || exit 2
log=$logdir/$name.log
if [ -n "${JUNIT:-}" ]; then
	mkdir -p "$JUNIT" || { echo "run.sh: cannot create JUNIT=$JUNIT" >&2; exit 2; }
	rm -f "$JUNIT/$name.xml" "$JUNIT/$name"-*.xml # cmocka appends to a file that exists
fi

skip_line() { # the reason a suite gave for not running: its first "SKIP: " line
	local why
	why=$(sed -n 's/^SKIP: //p' "$log" | head -n 1)
	printf '  %-8s %s: %s\n' SKIP "$name" "${why:-cannot run here}"
}

if $cmocka; then
	if [ -n "${JUNIT:-}" ]; then
		CMOCKA_MESSAGE_OUTPUT=xml CMOCKA_XML_FILE="$JUNIT/$name-%g.xml" "$@" >"$log" 2>&1
	else
		"$@" >"$log" 2>&1
	fi
	rc=$?
	xml=()
	[ -n "${JUNIT:-}" ] && mapfile -t xml < <(ls "$JUNIT/$name"-*.xml 2>/dev/null)
	if [ ${#xml[@]} -gt 0 ]; then
		read -r tests fails skips < <(junit counts "${xml[@]}")
	else
		tests=$(sed -n 's/^\[=*\] \([0-9]*\) test(s) run\.$/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
		skips=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s).*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
		fails=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
	fi
	if [ "$rc" -eq 77 ] || { [ "$rc" -eq 0 ] && [ "${tests:-0}" -gt 0 ] && [ "$skips" = "$tests" ]; }; then
		skip_line
		exit 0
	fi
	printf '  %-8s %s: %s test(s), %s failed, %s skipped\n' "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" \
		"$name" "${tests:-?}" "${fails:-?}" "${skips:-?}"
	if [ "$rc" -ne 0 ]; then
		if [ ${#xml[@]} -gt 0 ]; then
			junit failures "${xml[@]}"
		elif [ -n "${JUNIT:-}" ]; then
			# It died before cmocka wrote a word: the suite is one failed case.
			junit whole "$name" "$rc" "$log" "$JUNIT/$name.xml"
		fi
		grep -vE '^\[ *(RUN|OK) *\] ' "$log"
	fi
	exit "$rc"
fi

if [ -n "${JUNIT:-}" ]; then
	export JUNIT_FILE=$JUNIT/$name.xml
fi
"$@" 2>&1 | tee "$log" | grep --line-buffered -v '^SKIP: '
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 77 ]; then
	skip_line
	[ -n "${JUNIT:-}" ] && junit whole "$name" 77 "$log" "$JUNIT/$name.xml"
	exit 0
fi
# shellcheck disable=SC2015 # the XML's absence is what is tested
if [ -n "${JUNIT:-}" ] && [ ! -s "$JUNIT/$name.xml" ]; then
	junit whole "$name" "$rc" "$log" "$JUNIT/$name.xml" || exit 2
fi
exit "$rc"
