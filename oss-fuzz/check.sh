#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# check.sh: `make check-oss-fuzz`, OSS-Fuzz's builder and build check,
# emulated here.
#
#  1. The project files parse and say what OSS-Fuzz and ClusterFuzzLite read
#     (oss-fuzz/check_files.py checks).
#  2. For each build OSS-Fuzz makes of oss-fuzz/project.yaml (check_files.py
#     configs: libFuzzer with each sanitizer, AFL++ with ASan where
#     afl-clang-fast exists, and the coverage build), build.sh runs as the
#     builder runs it: `bash -eux $SRC/build.sh` with only the variables it
#     sets (SRC OUT WORK CC CXX CFLAGS CXXFLAGS LIB_FUZZING_ENGINE SANITIZER
#     FUZZING_ENGINE ARCHITECTURE, PATH, HOME), CFLAGS built as its compile
#     script builds them (base-clang's flags, SANITIZER_FLAGS_*, COVERAGE_FLAGS),
#     and a `clang` first on PATH that refuses -target bpf, as OSS-Fuzz's has
#     no BPF back end. As root the build also runs as nobody in a network
#     namespace of its own: no root, no network. Left out: CXXFLAGS_EXTRA's
#     -stdlib=libc++ (Debian's libFuzzer is built against libstdc++).
#  3. What the build check (bad_build_check) does, in its own words: $OUT holds
#     T, T.options, T.dict and T_seed_corpus.zip for every fuzz target T (make
#     print-FUZZ_TARGETS); each T is instrumented for the sanitizer asked for
#     and no other; it starts and runs 4 inputs; it runs its seed corpus and
#     a few hundred mutations with its .options and .dict (AFL++: afl-fuzz
#     starts on the seeds and runs them; coverage: the seeds write a profile
#     that llvm-cov reads) without a finding.
#
# Each build keeps its $WORK in WORK_ROOT/ENGINE-SANITIZER/ (default
# build/oss-fuzz-check), so a second run only relinks what changed; $OUT is
# emptied first, as on OSS-Fuzz.
#
# Usage: oss-fuzz/check.sh [--work WORK_ROOT] [ENGINE-SANITIZER...]
# Exit: 0 when every check passed, 1 otherwise, 2 on bad usage.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
work_root=build/oss-fuzz-check
only=()
while [ $# -gt 0 ]; do
	case "$1" in
	--work) work_root=$2; shift 2 ;;
	-*) echo "check.sh: what is '$1'?" >&2; exit 2 ;;
	*) only+=("$1"); shift ;;
	esac
done
mkdir -p "$work_root" || exit 2
work_root=$(cd "$work_root" && pwd)
py=${PYTHON:-python3}
# shellcheck source=tests/suite.sh
. tests/suite.sh
suite_begin check_oss_fuzz

# --- 1. the files ---------------------------------------------------------
while IFS=$'\t' read -r status what; do
	[ "$status" = ok ] && ok "$what" || bad "$what"
done < <("$py" oss-fuzz/check_files.py checks)

# --- the builder's environment ---------------------------------------------
# base-clang's CFLAGS and base-builder's SANITIZER_FLAGS_* / COVERAGE_FLAGS_*.
base_cflags="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan_checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
declare -A sanitizer_flags=(
	[address]="-fsanitize=address -fsanitize-address-use-after-scope"
	[undefined]="-fsanitize=$ubsan_checks,unsigned-integer-overflow -fno-sanitize-recover=$ubsan_checks"
	[memory]="-fsanitize=memory -fsanitize-memory-track-origins"
	[coverage]=""
)
coverage_flags_libfuzzer="-fsanitize=fuzzer-no-link"
coverage_flags_coverage="-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument"
# The run time's: unsigned overflow is a coverage signal there, not an error.
run_env=(ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=silence_unsigned_overflow=1:print_stacktrace=1:halt_on_error=1
	MSAN_OPTIONS=halt_on_error=1)

# The clang OSS-Fuzz puts first on PATH, as far as BPF goes: it refuses
# -target bpf (and logs each refusal), and is the real clang otherwise.
real_clang=$(command -v clang) real_clangxx=$(command -v clang++)
fake=$work_root/bin
mkdir -p "$fake"
for c in clang clang++; do
	real=$real_clang
	[ "$c" = clang++ ] && real=$real_clangxx
	cat >"$fake/$c" <<EOF
#!/bin/sh
# A $c without the BPF back end (oss-fuzz/check.sh).
prev=
for a in "\$@"; do
	case "\$prev \$a" in
	"-target bpf"* | *--target=bpf | *-target=bpf)
		echo "\$*" >>"$fake/refused.log"
		echo "$c: error: unable to create target: 'No available targets are compatible with triple \"bpf\"'" >&2
		exit 1 ;;
	esac
	prev=\$a
done
echo x >>"$fake/calls.log"
exec $real "\$@"
EOF
	chmod 755 "$fake/$c"
done
chmod 755 "$work_root"

# run_build ENGINE SANITIZER: build.sh with the builder's environment; sets
# src out wrk.
as_builder=()
if [ "$(id -u)" = 0 ]; then
	as_builder=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all --)
	if unshare --net -- true 2>/dev/null; then
		as_builder=(unshare --net -- "${as_builder[@]}")
	else
		printf '  %-8s %s\n' NOTE "no network namespace here: the builds run as nobody, with the network"
	fi
fi
run_build() {
	local engine=$1 sanitizer=$2 cflags cc=clang cxx=clang++ lfe=-fsanitize=fuzzer cov
	local dir=$work_root/$engine-$sanitizer extra=()
	src=$dir/src out=$dir/out wrk=$dir/work
	rm -rf "$out" "$src"
	mkdir -p "$src" "$out" "$wrk"
	cp oss-fuzz/build.sh "$src/build.sh"
	ln -s "$root" "$src/sockfuzz"
	cov=$coverage_flags_libfuzzer
	[ "$sanitizer" = coverage ] && cov=$coverage_flags_coverage
	if [ "$engine" = afl ]; then
		# compile_afl: AFL++'s compilers, its driver as the engine, no -fsanitize=fuzzer-no-link.
		cc=afl-clang-fast cxx=afl-clang-fast++ cov= lfe=$wrk/libFuzzingEngine.a
		cp /usr/lib/afl/libAFLDriver.a "$lfe"
		extra=(AFL_QUIET=1 AFL_IGNORE_UNKNOWN_ENVS=1
			ASAN_OPTIONS=detect_leaks=0:symbolize=0:detect_odr_violation=0:abort_on_error=1)
	fi
	cflags="$base_cflags ${sanitizer_flags[$sanitizer]} $cov"
	[ ${#as_builder[@]} -gt 0 ] && chown -R nobody "$out" "$wrk"
	: >"$fake/calls.log"
	: >"$fake/refused.log"
	chmod 666 "$fake/calls.log" "$fake/refused.log"
	"${as_builder[@]}" env -i PATH="$fake:$PATH" HOME="$wrk" SRC="$src" OUT="$out" WORK="$wrk" \
		CC="$cc" CXX="$cxx" CFLAGS="$cflags" CXXFLAGS="$cflags" LIB_FUZZING_ENGINE="$lfe" \
		SANITIZER="$sanitizer" FUZZING_ENGINE="$engine" ARCHITECTURE=x86_64 "${extra[@]}" \
		bash -eux "$src/build.sh" >"$dir/build.log" 2>&1
}

# Calls to a runtime's functions (prefix $2) in $1, a disassembly, as
# bad_build_check counts them.
calls() { grep -cE "call[q]?\s+[0-9a-f]+ <$2" "$1"; }

# The libFuzzer flags of T.options' [libfuzzer] section.
options() {
	sed -n '/^\[libfuzzer\]/,/^\[/{s/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p}' "$1"
}

# --- SOCKFUZZ_NO_DEPS=1: nothing installed, one line naming what is missing --
cat >"$fake/apt-get" <<EOF
#!/bin/sh
echo "\$*" >>"$fake/apt-get.log"
exit 1
EOF
chmod 755 "$fake/apt-get"
rm -f "$fake/apt-get.log"
env -u MAKEFLAGS -u MAKELEVEL PATH="$fake:$PATH" make --no-print-directory SOCKFUZZ_NO_DEPS=1 \
	BPF_CLANG=/nonexistent/clang BUILD="$work_root/no-deps" oss-fuzz >"$work_root/no-deps.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l <"$work_root/no-deps.log")" -eq 1 ] &&
	grep -q 'missing BPF_CLANG=/nonexistent/clang' "$work_root/no-deps.log" &&
	ok "SOCKFUZZ_NO_DEPS=1: one line naming what is missing, exit $rc" ||
	bad "SOCKFUZZ_NO_DEPS=1 with no BPF clang: exit $rc: $(cat "$work_root/no-deps.log")"
[ ! -e "$fake/apt-get.log" ] && ok "SOCKFUZZ_NO_DEPS=1 installs nothing" ||
	bad "SOCKFUZZ_NO_DEPS=1 ran apt-get $(cat "$fake/apt-get.log")"
rm -f "$fake/apt-get"

targets=$(env -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory print-FUZZ_TARGETS)
configs=$("$py" oss-fuzz/check_files.py configs) || exit 2
while read -r engine sanitizer; do
	name=$engine-$sanitizer
	if [ ${#only[@]} -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then
		continue
	fi
	if [ "$engine" = afl ] && ! command -v afl-clang-fast >/dev/null; then
		skip "$name" "no afl-clang-fast here (tools/deps.sh afl)"
		continue
	fi
	t0=$SECONDS
	if ! run_build "$engine" "$sanitizer"; then
		bad "$name: build.sh failed: $(tail -n 15 "$work_root/$name/build.log")"
		continue
	fi
	ok "$name: build.sh"
	# AFL++'s compilers run the clang they were built with, by its path.
	[ "$engine" = afl ] || { [ -s "$fake/calls.log" ] && ok "$name: \$CC is the clang on PATH" ||
		bad "$name: the clang on PATH was never run"; }
	# tools/bpf-clang.sh tries the clang on PATH first, on a line from stdin.
	refused=$(grep -v -- '-x c -c - -o /dev/null$' "$fake/refused.log")
	[ -z "$refused" ] && ok "$name: nothing was compiled for -target bpf with \$CC" ||
		bad "$name: -target bpf went to \$CC: $(head -n 1 <<<"$refused")"
	printf '  %-8s %s: %s\n' OUT "$name" "$(cd "$out" && ls | tr '\n' ' ')"
	for t in $targets; do
		for f in "$t" "$t.options" "$t.dict" "${t}_seed_corpus.zip"; do
			[ -s "$out/$f" ] && ok "$name: \$OUT/$f" || bad "$name: no \$OUT/$f"
		done
		[ -x "$out/$t" ] || continue
		corpus=$work_root/$name/corpus/$t
		rm -rf "$corpus" && mkdir -p "$corpus"
		"$py" -m zipfile -e "$out/${t}_seed_corpus.zip" "$corpus" && nseeds=$(find "$corpus" -type f | wc -l)
		[ "${nseeds:-0}" -gt 0 ] && ok "$name: $t has $nseeds seeds" || bad "$name: $t's seed zip is empty"
		mapfile -t opts < <(options "$out/$t.options")
		log=$work_root/$name/$t.log
		dis=$work_root/$name/$t.dis
		objdump -d "$out/$t" >"$dis"
		case "$engine-$sanitizer" in
		libfuzzer-coverage)
			# A coverage build: no sanitizer, a profile from the seeds.
			[ "$(calls "$dis" __asan_)" -eq 0 ] && [ "$(calls "$dis" __sanitizer_cov_trace)" -eq 0 ] &&
				nm "$out/$t" | grep __llvm_profile_runtime >/dev/null && ok "$name: $t is a coverage build" ||
				bad "$name: $t is not a plain coverage build"
			rm -f "$work_root/$name/$t".*.profraw
			env -i "${run_env[@]}" LLVM_PROFILE_FILE="$work_root/$name/$t.%p.profraw" "$out/$t" -runs=0 \
				"${opts[@]}" "$corpus" >"$log" 2>&1 && ok "$name: $t runs its seeds" ||
				bad "$name: $t on its seeds: $(tail -n 5 "$log")"
			if llvm-profdata merge -sparse "$work_root/$name/$t".*.profraw -o "$work_root/$name/$t.profdata" 2>>"$log" &&
				lines=$(llvm-cov report "$out/$t" -instr-profile="$work_root/$name/$t.profdata" 2>>"$log" |
					awk '$1 == "TOTAL" { print $(NF - 2) }') && [ -n "$lines" ] && [ "$lines" != "0.00%" ]; then
				ok "$name: $t's seeds cover $lines of its lines"
			else
				bad "$name: no coverage report for $t: $(tail -n 3 "$log")"
			fi
			;;
		afl-*)
			[ "$(calls "$dis" __asan_)" -ge 1000 ] && nm "$out/$t" | grep __afl_area_ptr >/dev/null &&
				ok "$name: $t is built with AFL++ and ASan" || bad "$name: $t lacks AFL++ or ASan instrumentation"
			rm -rf "$work_root/$name/afl-$t"
			env -i PATH="$PATH" HOME="$wrk" AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
				AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=30000 \
				timeout -k 5 60 afl-fuzz -i "$corpus" -o "$work_root/$name/afl-$t" -x "$out/$t.dict" \
				-E 2000 -t 10000 -m none -- "$out/$t" >"$log" 2>&1
			crashes=$(sed -n 's/^saved_crashes *: *//p' "$work_root/$name/afl-$t"/default/fuzzer_stats 2>/dev/null)
			grep -q 'All set and ready to roll' "$log" && [ "${crashes:-x}" = 0 ] &&
				ok "$name: afl-fuzz runs $t on its seeds" || bad "$name: afl-fuzz $t: crashes ${crashes:-?}: $(tail -n 5 "$log")"
			;;
		*)
			case $sanitizer in
			address) want=__asan_ ;;
			undefined) want=__ubsan_ ;;
			memory) want=__msan_ ;;
			esac
			asan=$(calls "$dis" __asan_) msan=$(calls "$dis" __msan_) ubsan=$(calls "$dis" __ubsan_)
			case $sanitizer in
			address) [ "$asan" -ge 1000 ] && [ "$msan" -le 3 ] && [ "$ubsan" -le 200 ] ;;
			undefined) [ "$ubsan" -ge 168 ] && [ "$asan" -eq 0 ] && [ "$msan" -le 3 ] ;;
			memory) [ "$msan" -ge 1000 ] && [ "$asan" -eq 0 ] && [ "$ubsan" -le 200 ] ;;
			esac && ok "$name: $t calls $want (asan $asan, msan $msan, ubsan $ubsan)" ||
				bad "$name: $t is not built with $sanitizer only (asan $asan, msan $msan, ubsan $ubsan)"
			env -i "${run_env[@]}" "$out/$t" -seed=1337 -runs=4 >"$log" 2>&1
			edges=$(sed -n 's/^INFO: Loaded [0-9]* modules\{0,1\} *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -n 1)
			grep -q 'Done 4 runs' "$log" && [ "${edges:-0}" -ge 100 ] && ok "$name: $t starts ($edges edges)" ||
				bad "$name: $t does not start, or has ${edges:-no} edges: $(tail -n 5 "$log")"
			env -i "${run_env[@]}" "$out/$t" -seed=1 -runs=$((nseeds + 300)) -rss_limit_mb=2560 -timeout=25 \
				"${opts[@]}" -dict="$out/$t.dict" "$corpus" >"$log" 2>&1 &&
				grep -q 'Done [0-9]* runs' "$log" && ok "$name: $t runs its seeds and 300 mutations" ||
				bad "$name: $t on its seeds: $(grep -m 3 -E 'ERROR|SUMMARY|property' "$log")"
			;;
		esac
		rm -f "$dis"
	done
	printf '  %-8s %s: %s s\n' TIME "$name" $((SECONDS - t0))
done <<<"$configs"

suite_end
