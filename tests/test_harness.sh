#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# test_harness.sh: make test's own machinery (tests/run.sh, tools/junit.py).
#  1. The unprivileged path: as nobody (setpriv, when run as root; as
#     oneself otherwise) the kernel groups each print one SKIP line with the
#     reason and succeed, and make goes on to the next group: `make
#     test-kernel test-oracle test-props` exits 0 with both SKIP lines and the
#     props suites run; underneath, `sockfuzz kernel` exits 77 with one SKIP
#     line and the kernel scenarios skip every test.
#  2. JUnit: that make run with JUNIT=DIR writes well-formed JUnit for every
#     suite, the skips as skipped; a failing shell suite is a failure in its
#     XML and its exit status stays; a suite's own checks (tests/suite.sh)
#     are one test case each.
#
# Usage: tests/test_harness.sh SOCKFUZZ KERNEL_TEST   (from the repository root,
# with both built and `make test-props` up to date)
set -uo pipefail

cli=${1:-build/sockfuzz} kern=${2:-build/kernel/test_kernel_scenarios}
py=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
# shellcheck source=tests/suite.sh
. "$(dirname "$0")/suite.sh"
suite_begin test_harness

# as_user CMD...: CMD without privileges. Root drops to nobody; anyone else
# has none to drop.
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		--bounding-set=-all env HOME="$work" "$@"; }
	mkdir -p "$work/nobody" && chown nobody "$work/nobody"
else
	as_user() { "$@"; }
	mkdir -p "$work/nobody"
fi
u=$work/nobody

# --- 1. the unprivileged path -------------------------------------------------
as_user "$cli" kernel --connections 10 >"$u/kernel.out" 2>"$u/kernel.err"
rc=$?
[ "$rc" -eq 77 ] && ok "sockfuzz kernel unprivileged: exit 77" || bad "sockfuzz kernel unprivileged: exit $rc"
[ "$(wc -l <"$u/kernel.err")" -eq 1 ] && grep -q '^SKIP: the kernel oracle cannot run here: .' "$u/kernel.err" &&
	ok "sockfuzz kernel: one SKIP line with the reason" || bad "sockfuzz kernel said: $(cat "$u/kernel.err")"
as_user "$kern" >"$u/kern.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "kernel scenarios unprivileged: exit 0" || bad "kernel scenarios unprivileged: exit $rc"
[ "$(grep -c '^SKIP: .' "$u/kern.out")" -ge 1 ] && ! grep -q 'PASSED  \] [1-9]' "$u/kern.out" &&
	ok "kernel scenarios: every test skipped, with the reason" || bad "kernel scenarios: $(tail -n 3 "$u/kern.out")"

as_user env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory TEST_LOGS="$u/logs" \
	JUNIT="$u/junit" test-kernel test-oracle test-props >"$u/make.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "make test-kernel test-oracle test-props unprivileged: exit 0" ||
	bad "unprivileged make: exit $rc: $(tail -n 5 "$u/make.out")"
for g in test_kernel_scenarios test_oracle; do
	[ "$(grep -c "^  SKIP     $g: ." "$u/make.out")" -eq 1 ] && ok "$g: one SKIP line" ||
		bad "$g: not one SKIP line: $(grep -i skip "$u/make.out")"
done
[ "$(grep -c '^SKIP' "$u/make.out")" -eq 0 ] && ok "no other SKIP lines" ||
	bad "SKIP lines besides the groups': $(grep '^SKIP' "$u/make.out" | head -n 3)"
grep -q '^  PASS     test_props: ' "$u/make.out" && grep -q '^  PASS     test_exec: ' "$u/make.out" &&
	ok "make went on after the skips" || bad "the groups after the skips did not run: $(cat "$u/make.out")"

# --- 2. JUnit -----------------------------------------------------------------
for x in test_kernel_scenarios-kernel_scenarios test_oracle test_props-props test_props-defects test_exec-exec; do
	[ -s "$u/junit/$x.xml" ] && ok "JUnit $x.xml" || bad "no JUnit $x.xml in $(ls "$u/junit" 2>&1)"
done
"$py" tools/junit.py check "$u"/junit/*.xml >"$work/check.log" && ok "every JUnit file is well-formed" ||
	bad "JUnit: $(cat "$work/check.log")"
read -r tests fails skips < <("$py" tools/junit.py counts "$u/junit/test_kernel_scenarios-kernel_scenarios.xml")
[ "${tests:-0}" -gt 0 ] && [ "$skips" = "$tests" ] && [ "$fails" = 0 ] &&
	ok "the kernel scenarios are skipped in JUnit" || bad "kernel JUnit: $tests tests, $fails failed, $skips skipped"
read -r tests fails skips < <("$py" tools/junit.py counts "$u/junit/test_oracle.xml")
[ "$tests $fails $skips" = "1 0 1" ] && grep -q 'message="the kernel oracle cannot run here: ' "$u/junit/test_oracle.xml" &&
	ok "the oracle is skipped in JUnit, with the reason" || bad "oracle JUnit: $(cat "$u/junit/test_oracle.xml")"
read -r tests fails skips < <("$py" tools/junit.py counts "$u"/junit/test_props-*.xml)
[ "${tests:-0}" -gt 10 ] && [ "$fails $skips" = "0 0" ] && ok "the props suites pass in JUnit" ||
	bad "props JUnit: $tests tests, $fails failed, $skips skipped"

# A failing suite: its status stays and its XML says failed.
mkdir -p "$work/junit"
JUNIT=$work/junit LOGDIR=$work/logs tests/run.sh fake_fail -- sh -c 'echo boom; exit 3' >"$work/fail.out" 2>&1
rc=$?
[ "$rc" -eq 3 ] && ok "a failing suite keeps its exit status" || bad "a failing suite: exit $rc"
read -r tests fails skips < <("$py" tools/junit.py counts "$work/junit/fake_fail.xml")
[ "$tests $fails" = "1 1" ] && grep -q boom "$work/junit/fake_fail.xml" && ok "a failing suite fails in JUnit" ||
	bad "fake_fail.xml: $(cat "$work/junit/fake_fail.xml")"
# A cmocka suite that dies before cmocka writes its XML still has one.
JUNIT=$work/junit LOGDIR=$work/logs tests/run.sh --cmocka fake_crash -- sh -c 'echo dying; exit 134' \
	>"$work/crash.out" 2>&1
rc=$?
read -r tests fails skips < <("$py" tools/junit.py counts "$work/junit/fake_crash.xml" 2>/dev/null)
[ "$rc" -eq 134 ] && [ "${tests:-} ${fails:-}" = "1 1" ] && ok "a cmocka suite that crashes fails in JUnit" ||
	bad "fake_crash: exit $rc, JUnit ${tests:-none} tests ${fails:-} failed"
# A suite with checks of its own: one test case each, a failed one failed.
cat >"$work/suite.sh" <<EOF
. $PWD/tests/suite.sh
suite_begin fake_suite
ok "first"
bad "second <&> broke"
skip "third" "no kernel"
suite_end
EOF
JUNIT=$work/junit LOGDIR=$work/logs tests/run.sh fake_suite -- bash "$work/suite.sh" >"$work/suite.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] && ok "a suite with a failed check fails" || bad "fake_suite: exit $rc"
read -r tests fails skips < <("$py" tools/junit.py counts "$work/junit/fake_suite.xml")
[ "$tests $fails $skips" = "3 1 1" ] && ok "a suite's checks are its test cases" ||
	bad "fake_suite.xml: $tests tests, $fails failed, $skips skipped"
"$py" tools/junit.py check "$work/junit/fake_suite.xml" "$work/junit/fake_fail.xml" >/dev/null &&
	ok "well-formed, markup in a name escaped" || bad "fake JUnit is not well-formed"
printf '<testsuites><testsuite name="x"></testsuite>' >"$work/junit/broken.xml"
"$py" tools/junit.py check "$work/junit/broken.xml" >/dev/null && bad "junit.py check passed a broken file" ||
	ok "junit.py check fails a broken file"

suite_end
