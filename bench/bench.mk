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

bench: $(BENCH_BIN)
	$(Q)$(BENCH_BIN) --seconds $(BENCH_SECONDS) $(CORPUS_BINS) \
		$(wildcard $(FUZZ_WORK)/libfuzzer/*/corpus)

ALL_TARGETS += $(BENCH_BIN)

.PHONY: bench
