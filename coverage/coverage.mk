# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# coverage/coverage.mk: line, branch and function coverage of the fuzz targets.
# Included by the top-level Makefile, after fuzz/fuzz.mk.
#
#   make coverage        every target's coverage build over the shipped corpus
#                        and the corpora make fuzz grew ($(FUZZ_WORK)), an
#                        llvm-cov HTML report in $(COV_OUT)/html/index.html,
#                        one line per area (core/, host runtime, properties)
#                        and the lines and branches of core/ not reached
#   make test-coverage   (part of make test) the same over the shipped corpus
#                        only, without HTML, and the gate: core/ keeps
#                        CORE_COVERAGE_MIN of its lines and branches, the
#                        branches coverage/unreachable.txt lists counted as
#                        taken (and that list must stay true)
#
# The coverage build is the replay main of each target (fuzz/fuzz_main.c) in
# a build dir of its own, $(COV_BUILD): clang with -fprofile-instr-generate
# -fcoverage-mapping, no sanitizer and no -fsanitize-coverage.

COV_BUILD := $(BUILD)/coverage-build
COV_OUT := $(BUILD)/coverage
COV_CFLAGS := -O0 -g -fprofile-instr-generate -fcoverage-mapping
COV_BINS := $(FUZZ_TARGETS:%=$(COV_BUILD)/native/bin/%)
# The gate, percent of core/'s lines and branches: today's figures. 100 100
# once bpf_map_delete_elem is a fault helper and the corpus has its seeds.
CORE_COVERAGE_MIN := 100 100
COV_RUN = coverage/coverage.sh --bin $(COV_BUILD)/native/bin --out $(COV_OUT) \
	$(FUZZ_TEXT_TARGETS:%=--text %)

# The build is the Makefile's own, in COV_BUILD with the coverage flags (there,
# FUZZ_REPLAY_BINS are COV_BINS).
coverage-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(COV_BUILD) CC=$(CLANG) CFLAGS='$(COV_CFLAGS)' SAN= \
		LIB_FUZZING_ENGINE= coverage-replay-bins

coverage-replay-bins: $(FUZZ_REPLAY_BINS)
	@:

coverage: coverage-build
	$(Q)$(COV_RUN) --grown $(FUZZ_WORK) $(FUZZ_TARGETS)

test-coverage: coverage-build
	$(Q)$(TEST_RUN) test_coverage -- $(COV_RUN) --no-html --min '$(CORE_COVERAGE_MIN)' $(FUZZ_TARGETS)

TEST_TARGETS += test-coverage

.PHONY: coverage coverage-build coverage-replay-bins test-coverage
