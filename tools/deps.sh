#!/usr/bin/env bash
# deps.sh: install the Debian packages the build needs, and say which.
# Usage: tools/deps.sh [--make] [group...]
#   groups: oss-fuzz (what `make oss-fuzz` needs: the BPF object, the program
#           descriptor and the native build), build (the default: everything
#           else too, tests and checks), afl (AFL++)
# Checks commands and files, not package names, so a machine that has the
# tools some other way (OSS-Fuzz's clang in /usr/local/bin) is left alone; the
# BPF compiler is $BPF_CLANG when set, else what tools/bpf-clang.sh finds.
# With SOCKFUZZ_NO_DEPS=1 nothing is installed. When something is missing and
# is not installed (that, not root, or no apt-get) it prints one line naming
# it and exits 2; --make prints that line on stdout (make's $(shell) shows it
# with $(error)), everything else goes to stderr.
set -euo pipefail

here=$(dirname "$0")
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
out=2
if [ "${1:-}" = --make ]; then
	out=1
	shift
fi

need=() what=()
want() { # want FILE|COMMAND PACKAGE: a path must exist, a command be on PATH
	case "$1" in
	/*) [ -e "$1" ] && return ;;
	*) command -v "$1" >/dev/null && return ;;
	esac
	need+=("$2")
	what+=("$1 ($2)")
}
want_bpf_clang() {
	if [ -n "${BPF_CLANG:-}" ]; then
		echo 'int x;' | "$BPF_CLANG" -target bpf -x c -c - -o /dev/null 2>/dev/null && return
		what+=("BPF_CLANG=$BPF_CLANG cannot compile for -target bpf")
		need+=(clang)
	elif ! "$here/bpf-clang.sh" >/dev/null; then
		what+=("a clang with the BPF back end (clang)")
		need+=(clang)
	fi
}
want_python_module() { # want_python_module MODULE PACKAGE
	"${PYTHON:-python3}" -c "import $1" 2>/dev/null && return
	need+=("$2")
	what+=("python3 module $1 ($2)")
}

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build)
for g in "${groups[@]}"; do
	case "$g" in
	oss-fuzz | build)
		want_bpf_clang
		want /usr/include/bpf/libbpf.h libbpf-dev
		want "/usr/include/$multiarch/asm/types.h" linux-libc-dev
		want /usr/include/gelf.h libelf-dev
		want /usr/include/zlib.h zlib1g-dev
		want pkg-config pkg-config
		want python3 python3
		;;&
	build)
		want clang clang
		want llvm-profdata llvm
		want llvm-cov llvm
		want bpftool bpftool
		want /usr/include/cmocka.h libcmocka-dev
		want ip iproute2
		want gcc gcc
		want setpriv util-linux
		want_python_module yaml python3-yaml
		;;
	oss-fuzz) ;;
	afl)
		want afl-fuzz afl++
		want afl-clang-fast afl++
		;;
	*)
		echo "deps.sh: unknown group '$g'" >&$out
		exit 2
		;;
	esac
done

[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
missing=$(printf '%s, ' "${what[@]}")
missing=${missing%, }
if [ "${SOCKFUZZ_NO_DEPS:-}" = 1 ]; then
	echo "deps.sh: missing $missing; SOCKFUZZ_NO_DEPS=1, so nothing is installed" >&$out
	exit 2
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps.sh: missing $missing; install ${need[*]} (needs root and apt-get)" >&$out
	exit 2
fi
echo "deps.sh: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/dev/null || ! apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then
	echo "deps.sh: apt-get could not install ${need[*]} (missing $missing)" >&$out
	exit 2
fi
