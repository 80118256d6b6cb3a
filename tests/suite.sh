# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# suite.sh: sourced by the shell suites (tests/test_cli.sh, tools/check-*.sh):
# every check is recorded, a failure is printed when it happens, the counts at
# the end; with JUNIT_FILE set (tests/run.sh sets it under make test
# JUNIT=DIR) every check becomes a JUnit test case of that file.
#
#   suite_begin NAME   before the first check
#   ok [WHAT]          a check passed
#   bad WHAT           a check failed: prints "FAIL: WHAT"
#   skip WHAT WHY      a check that cannot run here: prints "  SKIP     WHAT: WHY"
#   suite_end          prints "NAME: N passed, N failed[, N skipped]", writes
#                      JUNIT_FILE; returns 1 when a check failed

suite_name=suite
suite_results=
passed=0
failed=0
skipped=0

suite_begin() {
	suite_name=$1
	suite_results=$(mktemp)
}

# One result line: status, what, why (tabs and newlines flattened).
_suite_record() {
	[ -n "$suite_results" ] || return 0
	printf '%s\t%s\t%s\n' "$1" "$(tr '\t\n' '  ' <<<"$2")" "$(tr '\t\n' '  ' <<<"${3:-}")" \
		>>"$suite_results"
}

ok() {
	passed=$((passed + 1))
	_suite_record ok "${1:-check $((passed + failed + skipped))}"
}

bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
	_suite_record fail "$*" "$*"
}

skip() {
	skipped=$((skipped + 1))
	printf '  %-8s %s: %s\n' SKIP "$1" "$2"
	_suite_record skip "$1" "$2"
}

suite_end() {
	local extra=
	[ "$skipped" -gt 0 ] && extra=", $skipped skipped"
	echo "$suite_name: $passed passed, $failed failed$extra"
	if [ -n "${JUNIT_FILE:-}" ] && [ -n "$suite_results" ]; then
		"${PYTHON:-python3}" "$(dirname "${BASH_SOURCE[0]}")/../tools/junit.py" cases \
			"$suite_name" "$suite_results" "$JUNIT_FILE" || failed=$((failed + 1))
	fi
	rm -f "$suite_results"
	[ "$failed" -eq 0 ]
}
