# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# tests/harness.mk: tests of make test's own machinery and of the campaign
# report. Included by the top-level Makefile, after fuzz/fuzz.mk.
#
#   make test-harness   tests/run.sh and tools/junit.py: the kernel groups as
#                       nobody print one SKIP line each and make goes on;
#                       JUnit for every suite (tests/test_harness.sh)
#   make test-report    the campaign report's structure, on a made-up work
#                       dir and a two-second campaign (tests/test_report.sh)

test-harness: $(CLI_BIN) $(KERN_TEST) $(PROPS_TEST_BINS) tests/test_harness.sh
	$(Q)$(TEST_RUN) test_harness -- tests/test_harness.sh $(CLI_BIN) $(KERN_TEST)

test-report: $(CLI_BIN) $(BUILD)/native/bin/fuzz_text $(BUILD)/fuzz/bin/fuzz_text tests/test_report.sh
	$(Q)$(TEST_RUN) test_report -- tests/test_report.sh $(CLI_BIN) $(BUILD)/native/bin $(BUILD)/fuzz/bin

TEST_TARGETS += test-harness test-report

.PHONY: test-harness test-report
