#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# test_cli.sh: build/sockfuzz as a user and a script see it: exit codes
# (0 OK, 1 property failed, 2 usage or environment error), the messages on
# stderr, help at every level, and print/compile round trips over the shipped
# examples (cli/examples/*.trace) and random binary inputs.
#
# Usage: tests/test_cli.sh [SOCKFUZZ]   (default build/sockfuzz; run from the
# repository root). Prints one line per failed check and "N passed, N failed".
set -uo pipefail

cli=${1:-build/sockfuzz}
[ -x "$cli" ] || { echo "test_cli: $cli is not built" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# run ARGS...: run the tool; sets rc, out (stdout), err (stderr).
run() {
	"$cli" "$@" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}

# expect RC STDERR-SUBSTRING DESCRIPTION: after run.
expect() {
	if [ "$rc" -ne "$1" ]; then
		bad "$3: exit $rc, want $1; stderr: $err"
	elif [ -n "$2" ] && [[ "$err" != *"$2"* ]]; then
		bad "$3: stderr lacks '$2'; got: $err"
	else
		ok
	fi
}

usage_top='Usage: sockfuzz [OPTIONS] COMMAND { ARGS | help }'

# --- help at every level: stderr, exit 0, nothing on stdout -----------------
for args in "help" "--help" "-h"; do
	run $args
	expect 0 "$usage_top" "sockfuzz $args"
	[ -z "$out" ] && ok || bad "sockfuzz $args wrote to stdout"
done
for c in replay print compile props version; do
	for h in help --help -h; do
		run "$c" "$h"
		expect 0 "Usage: sockfuzz $c" "sockfuzz $c $h"
	done
done
run props list help
expect 0 "Usage: sockfuzz props" "props list help"

# --- usage errors: exit 2, "Error: what is 'x'?", then the help --------------
run
expect 2 "$usage_top" "no command"
run bogus
expect 2 "Error: what is 'bogus'?" "unknown command"
[[ "$err" == *"$usage_top"* ]] && ok || bad "unknown command: no help after the error"
run rep x.bin
expect 2 "Error: what is 'rep'?" "abbreviated command"
run --frob version
expect 2 "Error: what is '--frob'?" "unknown long option"
run -x
expect 2 "Error: what is '-x'?" "unknown short option"
run replay --frob x.bin
expect 2 "Error: what is '--frob'?" "unknown replay option"
run replay --level fast x.bin
expect 2 "Error: unknown level 'fast' (lifecycle or raw)" "bad level"
run replay
expect 2 "Usage: sockfuzz replay" "replay without a file"
run print a b
expect 2 "Error: what is 'b'?" "print with two files"
run compile x.trace -o
expect 2 "Error: -o needs a file" "compile -o without a file"
run props bogus
expect 2 "Error: what is 'bogus'?" "unknown props command"
run version extra
expect 2 "Error: what is 'extra'?" "version with an argument"

# --- version ----------------------------------------------------------------
run version
expect 0 "" "version"
[[ "$out" == "sockfuzz v"*"(input format v1)" ]] && ok || bad "version prints '$out'"
run --version
[[ "$rc" -eq 0 && "$out" == "sockfuzz v"* ]] && ok || bad "--version: exit $rc, '$out'"

# --- environment errors: exit 2 with the reason -----------------------------
for c in replay print compile; do
	run "$c" "$work/nope.bin"
	expect 2 "Error: cannot open '$work/nope.bin': No such file or directory" "$c missing file"
done
run print "$work"
expect 2 "Error: cannot read '$work': Is a directory" "print a directory"

# --- text errors: exit 2, FILE:LINE: message --------------------------------
printf 'sockfuzz-trace v1 lifecycle\n# a comment\nenrol 127.0.0.5\n\nconect slot=1\n' >"$work/bad.trace"
for c in replay print compile; do
	run "$c" "$work/bad.trace"
	expect 2 "Error: $work/bad.trace:5: unknown step 'conect'" "$c bad text"
done
printf 'sockfuzz-trace v2 lifecycle\n' >"$work/v2.trace"
run print "$work/v2.trace"
expect 2 "Error: $work/v2.trace:1: version 'v2' is not supported (this is v1)" "wrong version"
printf 'sockfuzz-trace v1 lifecycle\nlisten slot=0 on=127.0.0.9:70000\n' >"$work/port.trace"
run compile "$work/port.trace" -o "$work/port.bin"
expect 2 "Error: $work/port.trace:2: listen: port 70000 out of range (0..65535)" "port out of range"
[ ! -e "$work/port.bin" ] && ok || bad "compile wrote OUT after a text error"
run print --level raw cli/examples/1_manage.trace
expect 2 "the text is at the lifecycle level, --level says raw" "text level against --level"

# --- print/compile round trips over the examples ----------------------------
n=0
for t in cli/examples/*.trace; do
	n=$((n + 1))
	b="$work/$(basename "$t" .trace).bin"
	run compile "$t" -o "$b"
	expect 0 "" "compile $t"
	run print "$b"
	expect 0 "" "print $b"
	if [ "$out" == "$(grep -v '^#' "$t")" ]; then ok; else bad "print(compile($t)) differs"; fi
	# compile to a pipe gives the same bytes as -o.
	"$cli" compile "$t" | cmp -s - "$b" && ok || bad "compile $t to stdout differs from -o"
	# print of the text itself is the canonical text too.
	run print "$t"
	if [ "$out" == "$(grep -v '^#' "$t")" ]; then ok; else bad "print $t is not canonical"; fi
done
[ "$n" -ge 5 ] && ok || bad "only $n examples in cli/examples"

# stdin: - reads it.
"$cli" compile - <cli/examples/2_connect_waypoint.trace | "$cli" print - >"$work/stdin.out" 2>&1
grep -v '^#' cli/examples/2_connect_waypoint.trace | cmp -s - "$work/stdin.out" && ok ||
	bad "compile - | print - round trip"

# compile refuses to write binary to a terminal (needs script(1) for a pty).
if command -v script >/dev/null; then
	script -qec "$cli compile cli/examples/1_manage.trace" /dev/null >"$work/tty.out" 2>&1
	rc=$?
	err=$(cat "$work/tty.out")
	expect 2 "Error: not writing binary to a terminal" "compile to a terminal"
fi

# --- binary input is never rejected -----------------------------------------
for i in $(seq 1 20); do
	head -c $((RANDOM % 600)) /dev/urandom >"$work/r.bin"
	for level in "" "--level lifecycle" "--level raw"; do
		# shellcheck disable=SC2086
		run print $level "$work/r.bin"
		expect 0 "" "print $level random binary $i"
		echo "$out" >"$work/r.trace"
		run compile "$work/r.trace" -o "$work/r2.bin"
		expect 0 "" "compile(print(random binary $i))"
		run print "$work/r2.bin"
		[ "$out" == "$(cat "$work/r.trace")" ] && ok || bad "print(compile(print(random $i)))"
	done
done
: >"$work/empty.bin"
run print "$work/empty.bin"
expect 0 "" "print empty file"
[ "$out" == $'sockfuzz-trace v1 lifecycle\nglobals monitoring=on node_ip=none pod_gateway=none' ] &&
	ok || bad "the empty file is not the empty run: $out"

# --- props and replay -------------------------------------------------------
run props list
expect 0 "" "props list"
[[ "$out" == NAME*SPEC*DOC* ]] && ok || bad "props list header: $(head -1 <<<"$out")"
[ "$(wc -l <<<"$out")" -ge 2 ] && ok || bad "props list lists no property"

run replay "$work/empty.bin"
expect 0 "" "replay the empty run"
run replay cli/examples/*.trace
expect 0 "" "replay the examples"
[[ "$out" == *"replay: "*" inputs, 0 failed"* ]] && ok || bad "replay summary: $(tail -1 <<<"$out")"
run replay "$work/empty.bin" "$work/nope.bin"
expect 2 "Error: cannot open '$work/nope.bin'" "replay with one file missing"
[[ "$out" != *"replay "* ]] && ok || bad "replay ran inputs before reporting a missing file"

# A property that fails gives 1: only with a failing input at hand (e.g. a
# mutant's regression), named by SOCKFUZZ_FAILING_INPUT.
if [ -n "${SOCKFUZZ_FAILING_INPUT:-}" ]; then
	run replay "$SOCKFUZZ_FAILING_INPUT"
	expect 1 "" "replay a failing input"
	[[ "$out" == *"failed at step"* ]] && ok || bad "replay of a failing input says: $out"
fi

echo "test_cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
