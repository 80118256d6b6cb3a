#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bpf-clang.sh: print the path of a clang that has the BPF back end, the
# default of the Makefile's BPF_CLANG. The native and fuzz builds use $(CC),
# which may be a clang without it (OSS-Fuzz builds its clang for the host's
# target only and puts it first on PATH), so the BPF object has its own
# compiler: the first of these that compiles a file with -target bpf:
#   clang on PATH, /usr/bin/clang, /usr/bin/clang-N, /usr/lib/llvm-N/bin/clang
# (newest N first). Prints nothing and exits 1 when none does.
set -uo pipefail

candidates() {
	command -v clang
	echo /usr/bin/clang
	ls /usr/bin/clang-[0-9]* /usr/lib/llvm-*/bin/clang 2>/dev/null | sort -V -r
}

while read -r c; do
	[ -n "$c" ] && [ -x "$c" ] || continue
	if echo 'int sockfuzz_probe;' | "$c" -target bpf -x c -c - -o /dev/null 2>/dev/null; then
		echo "$c"
		exit 0
	fi
done < <(candidates | awk '!seen[$0]++')
exit 1
