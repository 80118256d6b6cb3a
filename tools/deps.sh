#!/usr/bin/env bash
# deps.sh: install the Debian packages the build needs, and say which.
# Usage: tools/deps.sh [group...]   groups: build (default), afl
# Checks commands and headers, not package names, so a machine that has the
# tools some other way (OSS-Fuzz's clang in /usr/local/bin) is left alone. Exits 2 with the reason when something is missing and
# cannot be installed (not root, no apt-get).
set -euo pipefail

need=()
want() { # want FILE|COMMAND PACKAGE: a path must exist, a command be on PATH
	case "$1" in
	/*) [ -e "$1" ] || need+=("$2") ;;
	*) command -v "$1" >/dev/null || need+=("$2") ;;
	esac
}

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build)
for g in "${groups[@]}"; do
	case "$g" in
	build)
		want clang clang
		want llvm-strip llvm
		want llvm-profdata llvm
		want /usr/include/bpf/libbpf.h libbpf-dev
		want bpftool bpftool
		want /usr/include/cmocka.h libcmocka-dev
		want /usr/include/x86_64-linux-gnu/asm/types.h linux-libc-dev
		want /usr/include/gelf.h libelf-dev
		want /usr/include/zlib.h zlib1g-dev
		want pkg-config pkg-config
		want ip iproute2
		want gcc gcc
		want python3 python3
		;;
	afl)
		want afl-fuzz afl++
		want afl-clang-fast afl++
		;;
	*)
		echo "deps.sh: unknown group '$g'" >&2
		exit 2
		;;
	esac
done

[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps.sh: missing Debian packages: ${need[*]}; install them (needs root and apt-get)" >&2
	exit 2
fi
echo "deps.sh: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
