#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# coverage.sh: `make coverage` and `make test-coverage` (coverage/coverage.mk).
#
# Runs each target's coverage build (its replay main, compiled with
# -fprofile-instr-generate -fcoverage-mapping and nothing else: no sanitizer,
# no -fsanitize-coverage) over the shipped corpus (corpus/*/*.bin, or
# corpus/*/*.trace for a --text target) and, with --grown DIR, over the
# corpora `make fuzz` grew (DIR/libfuzzer/TARGET/corpus, DIR/afl/TARGET/corpus)
# when they exist; merges the profiles; writes OUT/coverage.json and
# OUT/coverage.lcov (llvm-cov export), OUT/uncovered.txt and, unless
# --no-html, the HTML report OUT/html/index.html; prints coverage/summary.py's
# lines per area and core/'s uncovered lines and branches, and with --min its
# gate.
#
# Usage: coverage/coverage.sh --bin DIR --out OUT [--grown DIR] [--no-html]
#        [--min "LINES BRANCHES"] [--text TARGET]... TARGET...
# Exit: 0, 1 when a shipped input fails or the gate is not met, 2 on bad usage.
set -uo pipefail

bin='' out='' grown='' html=true min='' targets=()
declare -A text_target
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--grown) grown=$2; shift 2 ;;
	--no-html) html=false; shift ;;
	--min) min=$2; shift 2 ;;
	--text) text_target[$2]=1; shift 2 ;;
	-*) echo "coverage.sh: what is '$1'?" >&2; exit 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
[ -n "$bin" ] && [ -n "$out" ] && [ ${#targets[@]} -gt 0 ] ||
	{ echo "coverage.sh: --bin, --out and targets are required" >&2; exit 2; }
profdata=${LLVM_PROFDATA:-llvm-profdata} cov=${LLVM_COV:-llvm-cov}
prof=$out/profiles
rm -rf "$prof" && mkdir -p "$prof" || exit 2

# Our sources only: not the generated descriptor, not the system's headers.
ignore='(^|/)build[^/]*/|^/usr/'
objects=()
for t in "${targets[@]}"; do
	b=$bin/$t
	[ -x "$b" ] || { echo "coverage.sh: $b is not built" >&2; exit 2; }
	objects+=(-object "$b")
	ext=bin
	[ -n "${text_target[$t]:-}" ] && ext=trace
	seeds=(corpus/*/*."$ext")
	if ! LLVM_PROFILE_FILE="$prof/$t-shipped-%p.profraw" "$b" "${seeds[@]}" >"$prof/$t-shipped.log" 2>&1; then
		echo "coverage.sh: $t fails on the shipped corpus:" >&2
		tail -n 20 "$prof/$t-shipped.log" >&2
		exit 1
	fi
	printf '  %-8s %s: %s shipped inputs\n' RUN "$t" "${#seeds[@]}"
	for engine in libfuzzer afl; do
		dir=${grown:+$grown/$engine/$t/corpus}
		[ -n "$dir" ] && [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || continue
		if LLVM_PROFILE_FILE="$prof/$t-$engine-%p.profraw" "$b" "$dir" >"$prof/$t-$engine.log" 2>&1; then
			printf '  %-8s %s: %s inputs grown by %s\n' RUN "$t" "$(ls "$dir" | wc -l)" "$engine"
		else
			# A finding of the campaign: make fuzz reports it; its profile is lost.
			rm -f "$prof/$t-$engine"-*.profraw
			printf '  %-8s %s: the %s corpus has a failing input (see make fuzz); left out\n' NOTE "$t" "$engine"
		fi
	done
done

"$profdata" merge -sparse "$prof"/*.profraw -o "$out/coverage.profdata" || exit 1
# The first target is the binary, the others -object.
first=("${objects[@]:1:1}")
rest=("${objects[@]:2}")
common=(-instr-profile "$out/coverage.profdata" "${first[@]}" "${rest[@]}" -ignore-filename-regex="$ignore")
"$cov" export "${common[@]}" >"$out/coverage.json" || exit 1
"$cov" export -format=lcov "${common[@]}" >"$out/coverage.lcov" || exit 1
if $html; then
	rm -rf "$out/html"
	"$cov" show -format=html -output-dir="$out/html" -show-branches=count -show-line-counts-or-regions \
		-project-title=sockfuzz "${common[@]}" || exit 1
	printf '  %-8s %s\n' HTML "$out/html/index.html"
fi
"${PYTHON:-python3}" coverage/summary.py --unreachable coverage/unreachable.txt ${min:+--min "$min"} \
	--uncovered "$out/uncovered.txt" "$out/coverage.json" "$out/coverage.lcov"
