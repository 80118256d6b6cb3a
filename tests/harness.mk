# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# tests/harness.mk: tests of make test's own machinery and of the campaign
# report. Included by the top-level Makefile, after fuzz/fuzz.mk.
#
#   make test-harness   tests/run.sh and tools/junit.py: the kernel groups as
#                       nobody print one SKIP line each and make goes on;
#                       JUnit for every suite (tests/test_harness.sh)
#   make test-report    the campaign report's structure, on a made-up work
#                       dir and a two-second campaign (tests/test_report.sh)
#   make test-lanes     make fuzz's sanitizer and fast lanes: a two-second
#                       campaign on mutant LANES_MUTANT (killed at the seeds,
#                       so the fast lane surely finds it), re-run under the
#                       sanitizer build; a fast-only finding; one core
#                       (tests/test_lanes.sh)

test-harness: $(CLI_BIN) $(KERN_TEST) $(PROPS_TEST_BINS) tests/test_harness.sh
	$(Q)$(TEST_RUN) test_harness -- tests/test_harness.sh $(CLI_BIN) $(KERN_TEST)

test-report: $(CLI_BIN) $(BUILD)/native/bin/fuzz_text $(BUILD)/fuzz/bin/fuzz_text tests/test_report.sh
	$(Q)$(TEST_RUN) test_report -- tests/test_report.sh $(CLI_BIN) $(BUILD)/native/bin $(BUILD)/fuzz/bin

LANES_MUTANT := $(firstword $(MUT_SPEC9))
LANES_MUT := $(MUT_BUILD)/$(LANES_MUTANT)
test-lanes: $(CLI_BIN) $(BUILD)/native/bin/fuzz_lifecycle $(BUILD)/fuzz/bin/fuzz_lifecycle \
		$(BUILD)/fuzz-fast/bin/fuzz_lifecycle $(LANES_MUT)/fuzz_lifecycle $(LANES_MUT)/fast/fuzz_lifecycle \
		$(LANES_MUT)/replay/fuzz_lifecycle $(LANES_MUT)/sockfuzz tests/test_lanes.sh
	$(Q)$(TEST_RUN) test_lanes -- tests/test_lanes.sh $(CLI_BIN) $(BUILD)/native/bin $(BUILD)/fuzz/bin \
		$(BUILD)/fuzz-fast/bin $(LANES_MUT)

TEST_TARGETS += test-harness test-report
# The mutant is core/'s.
ifeq ($(PROG_IS_CORE),1)
TEST_TARGETS += test-lanes
endif

.PHONY: test-harness test-report test-lanes
