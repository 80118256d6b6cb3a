#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# check_corpus.sh: `make test-corpus`. Fails when
#  - a corpus/*/*.trace has no .bin, a .bin has no .trace, or a .bin differs
#    from `sockfuzz compile` of its .trace (run `make corpus` after editing);
#  - a fuzz target's .options max_len is not SF_MAX_INPUT (input/input.h) (for
#    a --text target: less than the largest .trace, which would cut seeds),
#    or its .dict is not what fuzz/gen_dict.sh makes of the current format;
#  - any corpus file breaks a property or trips a sanitizer, replayed through
#    `sockfuzz replay` and through every target's replay main (each target
#    replays every .bin: any byte string is an input of each; a --text
#    target every .trace), the latter with determinism checked
#    (SOCKFUZZ_DETERMINISM=1).
#
# Usage: fuzz/check_corpus.sh --cli SOCKFUZZ --replay-bin DIR --work DIR
#                             [--text TARGET]... TARGET...
set -uo pipefail

cli='' replay_dir='' work=build/corpus-check targets=()
declare -A text_target
while [ $# -gt 0 ]; do
	case "$1" in
	--cli) cli=$2; shift 2 ;;
	--text) text_target[$2]=1; shift 2 ;;
	--replay-bin) replay_dir=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	-*) echo "check_corpus.sh: what is '$1'?" >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
[ -x "$cli" ] && [ -n "$replay_dir" ] && [ ${#targets[@]} -gt 0 ] ||
	{ echo "check_corpus.sh: --cli, --replay-bin and targets are required" >&2; exit 2; }

# Determinism too (SPEC §8.10): the replay mains run every input twice.
export SOCKFUZZ_DETERMINISM=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$work"
status=0
fail() {
	echo "  FAIL     $*"
	status=1
}

# 1. Sources and their compiled form agree.
ntrace=0
for f in corpus/*/*.trace corpus/*/*.bin; do
	[ -f "$f" ] || continue
	case "$f" in
	*.trace) [ -f "${f%.trace}.bin" ] || fail "$f has no .bin (make corpus)" ;;
	*.bin) [ -f "${f%.bin}.trace" ] || fail "$f has no .trace" ;;
	esac
done
for t in corpus/*/*.trace; do
	[ -f "$t" ] || continue
	ntrace=$((ntrace + 1))
	out=$work/$(echo "${t%.trace}" | tr / _).bin
	if ! "$cli" compile "$t" -o "$out" >"$out.log" 2>&1; then
		fail "$t does not compile:"
		cat "$out.log"
	elif ! cmp -s "$out" "${t%.trace}.bin"; then
		fail "${t%.trace}.bin is not the compile of $t (make corpus)"
	fi
done
printf '  %-8s %s\n' CORPUS "$ntrace traces match their .bin"

# 2. .options agree with the decoder's limit, the dictionaries with the format.
max=$(sed -n 's/^#define SF_MAX_INPUT[[:space:]]*\([0-9]*\).*/\1/p' input/input.h)
largest_trace=$(stat -c %s corpus/*/*.trace | sort -n | tail -n 1)
for t in "${targets[@]}"; do
	if [ -n "${text_target[$t]:-}" ]; then
		len=$(sed -n 's/^max_len = \([0-9]*\)$/\1/p' "fuzz/$t.options")
		[ "${len:-0}" -ge "$largest_trace" ] ||
			fail "fuzz/$t.options: max_len ${len:-?} would cut the largest .trace ($largest_trace bytes)"
	else
		grep -qx "max_len = $max" "fuzz/$t.options" || fail "fuzz/$t.options: max_len is not SF_MAX_INPUT ($max)"
	fi
	if ! fuzz/gen_dict.sh "$cli" "$t" >"$work/$t.dict" 2>&1 || ! cmp -s "$work/$t.dict" "fuzz/$t.dict"; then
		fail "fuzz/$t.dict is not what fuzz/gen_dict.sh writes (make dict)"
	fi
done

# 3. Everything replays clean, through the CLI and through each target.
bins=(corpus/*/*.bin)
log=$work/replay-cli.log
if "$cli" replay "${bins[@]}" >"$log" 2>&1; then
	printf '  %-8s %s\n' REPLAY "$cli replay: ${#bins[@]} files"
else
	fail "$cli replay corpus/*/*.bin:"
	tail -n 40 "$log"
fi
traces=(corpus/*/*.trace)
for t in "${targets[@]}"; do
	log=$work/replay-$t.log
	seeds=("${bins[@]}")
	[ -n "${text_target[$t]:-}" ] && seeds=("${traces[@]}")
	if "$replay_dir/$t" "${seeds[@]}" >"$log" 2>&1; then
		printf '  %-8s %s\n' REPLAY "$replay_dir/$t: $(sed -n 's/^sockfuzz: //p' "$log")"
	else
		fail "$replay_dir/$t corpus/*/*.${seeds[0]##*.}:"
		tail -n 40 "$log"
	fi
done
exit $status
