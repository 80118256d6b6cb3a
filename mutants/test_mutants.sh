#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck disable=SC2015 # ok() cannot fail: "COND && ok || bad MSG" is if-then-else
# test_mutants.sh: `make test-mutants` (mutants/mutants.mk), once the patches
# are applied and built: every patch of mutants/catalogue/ has its line in
# mutants/catalogue.txt and the catalogue lists no mutant without a patch;
# core replays FILE... clean (exit 0) and each MUTANT is killed by them (its
# CLI, MUT_BUILD/MUTANT/sockfuzz, exits 1).
#
# Usage: mutants/test_mutants.sh MUT_BUILD "MUTANT..." FILE...
set -uo pipefail

build=$1 mutants=$2
shift 2
# shellcheck source=tests/suite.sh
. "$(dirname "$0")/../tests/suite.sh"
suite_begin test_mutants

patches=(mutants/catalogue/*.patch)
for p in "${patches[@]}"; do
	n=$(basename "$p" .patch)
	line="${n%%-*} ${n#*-}: $(sed -n '1s/^# //p' "$p")"
	grep -qxF "$line" mutants/catalogue.txt && ok "$n in the catalogue" ||
		bad "$p: no line '$line' in mutants/catalogue.txt"
done
[ "$(grep -c '^[0-9]' mutants/catalogue.txt)" -eq ${#patches[@]} ] && ok "the catalogue lists only patches" ||
	bad "mutants/catalogue.txt lists a mutant with no patch"

for m in core $mutants; do
	"$build/$m/sockfuzz" replay "$@" >"$build/$m/replay.log" 2>&1
	rc=$? want=1
	[ "$m" = core ] && want=0
	if [ "$rc" -eq "$want" ]; then
		printf '  %-8s %s\n' OK "$m: replay exit $rc"
		ok "$m: replay exit $want"
	else
		bad "$m: replay exit $rc, want $want, see $build/$m/replay.log"
	fi
done
# Every failure says what it is (sf_failure_kind()): a lifecycle input's is
# kernel-producible; a raw event before the failure makes it raw-only. The
# seven defects' replays hold both kinds.
kinds=$(for m in $mutants; do
	awk '/: property .* failed at step/ { path = $1; getline; print path, $1 }' \
		"$build/$m/replay.log"
done)
if [ -z "$kinds" ]; then
	bad "no failure in the mutants' replays to label"
else
	unlabelled=$(awk '$2 != "kernel-producible:" && $2 != "raw-only:"' <<<"$kinds" | head -n 1)
	[ -z "$unlabelled" ] && ok "every failure is labelled" || bad "unlabelled failure: $unlabelled"
	wrong=$(awk '$1 ~ /fuzz_lifecycle\// && $2 != "kernel-producible:"' <<<"$kinds" | head -n 1)
	[ -z "$wrong" ] && ok "lifecycle inputs' failures are kernel-producible" ||
		bad "a lifecycle input's failure is not kernel-producible: $wrong"
	grep -q ' kernel-producible:$' <<<"$kinds" && grep -q ' raw-only:$' <<<"$kinds" &&
		ok "both kinds occur" || bad "the replays show only one kind of finding"
fi
suite_end
