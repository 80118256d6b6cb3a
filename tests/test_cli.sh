#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# test_cli.sh: build/sockfuzz as a user and a script see it: exit codes
# (0 OK, 1 property failed, 2 usage or environment error), the messages on
# stderr, help at every level, and print/compile round trips over the shipped
# examples (cli/examples/*.trace) and random binary inputs.
#
# Usage: tests/test_cli.sh [SOCKFUZZ]   (default build/sockfuzz; run from the
# repository root). Prints one line per failed check and "N passed, N failed"
# (tests/suite.sh; JUNIT_FILE set: every check in JUnit form).
set -uo pipefail

cli=${1:-build/sockfuzz}
[ -x "$cli" ] || { echo "test_cli: $cli is not built" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=tests/suite.sh
. "$(dirname "$0")/suite.sh"
suite_begin test_cli

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
		ok "$3"
	fi
}

# expect_one_line RC STDERR-SUBSTRING DESCRIPTION: expect, and stderr is that one line.
expect_one_line() {
	expect "$@"
	[ "$(wc -l <<<"$err")" -eq 1 ] && ok "$3: one line" || bad "$3: stderr is not one line: $err"
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

# --- text-looking input without the header: exit 2, one line ----------------
# (printable text, a BOM, a leading comment or blank line); --binary runs it.
looks_text="looks like text but has no 'sockfuzz-trace v1 LEVEL' header"
printf 'enrol 127.0.0.5\nclose slot=1\n' >"$work/nohdr.trace"
printf '\xef\xbb\xbfenrol 127.0.0.5\n' >"$work/bom.trace"
printf '# my run\nenrol 127.0.0.5\n' >"$work/comment.trace"
printf '\n\x01\x02\x03' >"$work/blank.trace"
printf 'sockfuzz-tracev1 lifecycle\x01' >"$work/typo.bin"
for f in nohdr bom comment blank; do
	for c in replay print kernel; do
		run "$c" "$work/$f.trace"
		expect_one_line 2 "Error: '$work/$f.trace' $looks_text" "$c $f without a header"
	done
	run replay --binary "$work/$f.trace"
	expect 0 "" "replay --binary $f"
	run print "$work/$f.trace" --binary
	expect 0 "" "print $f --binary (option after the file)"
done
run compile "$work/nohdr.trace" -o "$work/nohdr.bin"
expect_one_line 2 "Error: $work/nohdr.trace:1: expected the header" "compile without a header"
# The header after a BOM, comments, blank lines (CRLF too) and blanks is text;
# error lines count from the top of the file.
printf '\xef\xbb\xbf# a run\r\n\n   \n  sockfuzz-trace v1 lifecycle\nenrol 127.0.0.5\n' >"$work/pre.trace"
for c in print replay; do
	run "$c" "$work/pre.trace"
	expect 0 "" "$c: the header after a BOM, a comment and blank lines"
done
run print "$work/pre.trace"
[[ "$out" == $'sockfuzz-trace v1 lifecycle\n'*$'\nenrol 127.0.0.5' ]] && ok "print after a preamble" ||
	bad "print after a preamble: $out"
run compile "$work/pre.trace" -o "$work/pre.bin"
expect 0 "" "compile after a preamble"
printf '\n# x\nsockfuzz-trace v1 lifecycle\nenrol 127.0.0.5\nconect slot=1\n' >"$work/pre-bad.trace"
for c in replay compile; do
	run "$c" "$work/pre-bad.trace" -o "$work/x.bin"
	[ "$c" = replay ] && run "$c" "$work/pre-bad.trace"
	expect_one_line 2 "Error: $work/pre-bad.trace:5: unknown step 'conect'" "$c: line numbers after a preamble"
done
run print "$work/typo.bin"
expect_one_line 2 "Error: $work/typo.bin:1: expected the header" "a header with a typo"

# --- inputs that block or cannot be written: exit 2, one line ----------------
mkfifo "$work/fifo"
for c in replay print compile; do
	timeout 10 "$cli" "$c" "$work/fifo" >"$work/out" 2>"$work/err" </dev/null
	rc=$? err=$(cat "$work/err")
	expect_one_line 2 "Error: '$work/fifo' is a FIFO: give it on stdin ('-') instead" "$c a FIFO"
done
for args in "replay cli/examples/1_manage.trace" "print cli/examples/1_manage.trace" \
	"props list" "version" "compile cli/examples/1_manage.trace"; do
	# shellcheck disable=SC2086
	"$cli" $args >/dev/full 2>"$work/err"
	rc=$? err=$(cat "$work/err")
	expect_one_line 2 "Error: cannot write" "$args > /dev/full"
done
run compile cli/examples/1_manage.trace -o /dev/full
expect_one_line 2 "Error: cannot write '/dev/full': No space left on device" "compile -o /dev/full"
: >"$work/file"
run kernel --out "$work/file" cli/examples/1_manage.trace
expect_one_line 2 "Error: --out '$work/file' is not a directory" "kernel --out a file"
run kernel --out "$work/nope" cli/examples/1_manage.trace
expect_one_line 2 "Error: --out '$work/nope': No such file or directory" "kernel --out missing"
run kernel --out /proc cli/examples/1_manage.trace
expect_one_line 2 "Error: --out '/proc' cannot be written" "kernel --out unwritable"
for j in 0 -1 x 65 ""; do
	run kernel --jobs "$j"
	expect_one_line 2 "Error: --jobs: '$j' is not a number from 1 to" "kernel --jobs '$j'"
done
for o in -Vx -hx -Vhx; do
	run "$o"
	expect 2 "Error: what is '-x'?" "$o"
	[ -z "$out" ] && ok "$o prints no version" || bad "$o printed '$out'"
done

# --- exit codes documented where a user looks --------------------------------
for args in "help" "kernel help"; do
	# shellcheck disable=SC2086
	run $args
	[[ "$err" == *"Exit: 0 OK, 1 a property failed"*"2 usage"*"77 kernel cannot run here"* ]] &&
		ok "$args documents 0/1/2/77" || bad "$args does not document the exit codes: $err"
done
grep -q '77' README.md && grep -q 'Exit codes: 0' README.md && ok "README documents 77" ||
	bad "README does not document exit 77 next to 0/1/2"

# --- binary input is never rejected -----------------------------------------
# (a binary the tool writes starts with the version byte, 0x01, so it never
# looks like text; the random bytes follow one)
for i in $(seq 1 20); do
	{ printf '\x01'; head -c $((RANDOM % 600)) /dev/urandom; } >"$work/r.bin"
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

# --- regress: against a baseline of known findings ----------------------------
run regress help
expect 0 "Usage: sockfuzz regress" "regress help"
run regress
expect 2 "Error: regress needs a PATH" "regress without a PATH"
run regress "$work/no-such-file"
expect 2 "no-such-file" "regress of a missing file"
printf 'not a baseline line\n' >"$work/bad.baseline"
run regress --baseline "$work/bad.baseline" corpus/fuzz_lifecycle
expect_one_line 2 "bad.baseline:1: expected 'PROPERTY SIGNATURE [PATH]'" "regress with a malformed baseline"
run regress --update-baseline corpus/fuzz_lifecycle
expect_one_line 2 "--update-baseline needs --baseline FILE" "regress --update-baseline without a FILE"
run regress --baseline "$work/none.baseline" corpus/fuzz_lifecycle
expect 0 "" "regress of the clean core without a baseline file"
[[ "$out" == *" 0 new;"* ]] && ok "regress says 0 new" || bad "regress: $out"
run regress --update-baseline --baseline "$work/core.baseline" corpus/fuzz_lifecycle
expect 0 "" "regress --update-baseline"
[ "$(grep -vc '^#' "$work/core.baseline")" -eq 0 ] && ok "core's baseline holds no finding" ||
	bad "core's baseline: $(cat "$work/core.baseline")"

suite_end
