# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# oss-fuzz/oss-fuzz.mk: OSS-Fuzz's builder and build check, emulated.
# Included by the top-level Makefile, after fuzz/fuzz.mk.
#
#   make check-oss-fuzz   (part of make test) oss-fuzz/check.sh: the project
#                         files parse and say what OSS-Fuzz and
#                         ClusterFuzzLite read; build.sh runs as the builder
#                         runs it (its variables only, a clang on PATH that
#                         refuses -target bpf; as nobody, without network)
#                         for each build of oss-fuzz/project.yaml; every
#                         target in $OUT passes what the build check checks.
#                         CHECK_OSS_FUZZ="libfuzzer-address afl-address"
#                         checks only those builds. AFL++ is installed
#                         first (tools/deps.sh afl): project.yaml names it,
#                         so the check builds and runs it rather than skip.

CHECK_OSS_FUZZ ?=
OSS_FUZZ_CHECK_WORK := $(BUILD)/oss-fuzz-check

check-oss-fuzz: $(AFL_STAMP)
	$(Q)$(TEST_RUN) check_oss_fuzz -- oss-fuzz/check.sh --work $(OSS_FUZZ_CHECK_WORK) $(CHECK_OSS_FUZZ)

TEST_TARGETS += check-oss-fuzz

.PHONY: check-oss-fuzz
