# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bench/bench.mk: `make bench`, the fuzzing hot path's native throughput
# (bench/bench.c) on the bench flavour (-O2, no sanitizers). It runs on the
# shipped corpus plus whatever corpora `make fuzz` has grown in $(FUZZ_WORK).
# Included by the top-level Makefile.

BENCH_BIN := $(BUILD)/bench/bin/bench
BENCH_SECONDS ?= 1

$(BENCH_BIN): $(BUILD)/bench/bench/bench.o $(call fuzz_link_objs,bench)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -g -O2 $^ -o $@

# The kernel oracle's rate (the default sanitizer build, as make test runs
# it) beside the raw loopback connect rate measured in the same run, on the
# same number of workers; each skips with the reason without root or cgroup v2.
KERNEL_RATE_BIN := $(BUILD)/bench/bin/kernel_rate
BENCH_JOBS ?= 2
BENCH_KERNEL_CONNECTIONS ?= 10000

$(KERNEL_RATE_BIN): bench/kernel_rate.c $(KERN_LIB) bench/bench.mk
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KERN_CFLAGS) $< $(KERN_LIB) -o $@ $(KERN_LDLIBS)

bench: $(BENCH_BIN) $(KERNEL_RATE_BIN) $(BUILD)/sockfuzz
	$(Q)$(BENCH_BIN) --seconds $(BENCH_SECONDS) $(CORPUS_BINS) \
		$(wildcard $(FUZZ_WORK)/libfuzzer/*/corpus)
	$(Q)echo "kernel (load: $$(cut -d' ' -f1-3 /proc/loadavg)):"
	$(Q)$(KERNEL_RATE_BIN) --jobs $(BENCH_JOBS) --seconds $(BENCH_SECONDS); \
		rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]
	$(Q)$(BUILD)/sockfuzz kernel --seed 1 --connections $(BENCH_KERNEL_CONNECTIONS) \
		--jobs $(BENCH_JOBS) > $(BUILD)/bench/oracle.txt 2> $(BUILD)/bench/oracle.log; \
		rc=$$?; sed 's/^kernel oracle: /oracle: /' $(BUILD)/bench/oracle.txt; \
		[ $$rc -ne 77 ] || sed -n 's/^SKIP: /oracle: SKIP: /p' $(BUILD)/bench/oracle.log; \
		[ $$rc -eq 0 ] || [ $$rc -eq 77 ] || { cat $(BUILD)/bench/oracle.log; exit 1; }

ALL_TARGETS += $(BENCH_BIN) $(KERNEL_RATE_BIN)

.PHONY: bench
