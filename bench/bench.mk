# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# bench/bench.mk: `make bench`, the fuzzing hot path's native throughput
# (bench/bench.c) on the bench flavour (-O2, no sanitizers). It runs on the
# shipped corpus plus whatever corpora `make fuzz` has grown in $(FUZZ_WORK).
# Then the same inputs through the builds fuzzing and testing run (BENCH_BUILDS):
# checked events/s per build and the ratio to the plain one.
# Included by the top-level Makefile.

BENCH_BIN := $(BUILD)/bench/bin/bench
BENCH_SECONDS ?= 1

$(BENCH_BIN): $(BUILD)/bench/bench/bench.o $(call fuzz_link_objs,bench)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -g -O2 $^ -o $@

# The builds compared, NAME:FLAVOUR, the plain one first (the ratios' base):
# the native flavour (ASan+UBSan: tests, replay mains), fuzz-fast (libFuzzer's
# coverage: the fast lane) and fuzz (both: the sanitizer lane). bench.c is
# linked into each as it is; the coverage builds get libFuzzer's runtime
# without its main, so the coverage callbacks cost what they cost fuzzing.
BENCH_BUILDS := plain:bench asan-ubsan:native coverage:fuzz-fast coverage-asan-ubsan:fuzz
BENCH_BUILD_BINS := $(foreach b,$(wordlist 2,$(words $(BENCH_BUILDS)),$(BENCH_BUILDS)), \
	$(BUILD)/bench/bin/bench-$(firstword $(subst :, ,$(b))))
FUZZ_NO_MAIN = $(shell $(FUZZ_CC) -print-file-name=libclang_rt.fuzzer_no_main-$(shell uname -m).a)

$(BUILD)/bench/bin/bench-asan-ubsan: $(BUILD)/native/bench/bench.o $(call fuzz_link_objs,native)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NATIVE_CFLAGS) $^ -o $@

$(BUILD)/bench/bin/bench-coverage: $(BUILD)/fuzz-fast/bench/bench.o $(call fuzz_link_objs,fuzz-fast)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CFLAGS) $^ $(FUZZ_NO_MAIN) -lstdc++ -lm -o $@

$(BUILD)/bench/bin/bench-coverage-asan-ubsan: $(BUILD)/fuzz/bench/bench.o $(call fuzz_link_objs,fuzz)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CFLAGS) $(SAN) $^ $(FUZZ_NO_MAIN) -lstdc++ -lm -o $@

BENCH_INPUTS = $(CORPUS_BINS) $(wildcard $(FUZZ_WORK)/libfuzzer/*/corpus)

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

bench: $(BENCH_BIN) $(BENCH_BUILD_BINS) $(KERNEL_RATE_BIN) $(BUILD)/sockfuzz
	$(Q)$(BENCH_BIN) --seconds $(BENCH_SECONDS) $(BENCH_INPUTS)
	$(Q)echo "per build, the same inputs, one core (load: $$(cut -d' ' -f1-3 /proc/loadavg)):"
	$(Q)for b in $(BENCH_BUILDS); do n=$${b%%:*}; bin=$(BUILD)/bench/bin/bench-$$n; \
		[ $$n != plain ] || bin=$(BENCH_BIN); \
		$$bin --seconds $(BENCH_SECONDS) --row "$$n ($${b#*:})" $(BENCH_INPUTS) \
			2>$(BUILD)/bench/$$n.log || { cat $(BUILD)/bench/$$n.log; exit 1; }; \
	done > $(BUILD)/bench/builds.tsv
	$(Q)awk -F'\t' 'NR == 1 { base = $$2; printf "%-28s %18s %9s %16s %16s\n", "build (flavour)", \
		"checked events/s", "x plain", "fuzz_raw exec/s", "fuzz_raw events/s" } \
		{ printf "%-28s %18.0f %8.3fx %16.0f %16.0f\n", $$1, $$2, $$2 / base, $$3, $$4 } \
		END { print "goals (issue 10): 5M checked events/s plain, 1M per core with the sanitizers;" \
			" timings are of a shared machine: compare instruction counts (callgrind)" }' \
		$(BUILD)/bench/builds.tsv
	$(Q)echo "kernel (load: $$(cut -d' ' -f1-3 /proc/loadavg)):"
	$(Q)$(KERNEL_RATE_BIN) --jobs $(BENCH_JOBS) --seconds $(BENCH_SECONDS) \
		> $(BUILD)/bench/raw.txt; rc=$$?; cat $(BUILD)/bench/raw.txt; \
		[ $$rc -eq 0 ] || [ $$rc -eq 77 ]
	$(Q)$(BUILD)/sockfuzz kernel --seed 1 --connections $(BENCH_KERNEL_CONNECTIONS) \
		--jobs $(BENCH_JOBS) > $(BUILD)/bench/oracle.txt 2> $(BUILD)/bench/oracle.log; \
		rc=$$?; sed 's/^kernel oracle: /oracle: /' $(BUILD)/bench/oracle.txt; \
		[ $$rc -ne 77 ] || sed -n 's/^SKIP: /oracle: SKIP: /p' $(BUILD)/bench/oracle.log; \
		[ $$rc -eq 0 ] || [ $$rc -eq 77 ] || { cat $(BUILD)/bench/oracle.log; exit 1; }
	$(Q)raw=$$(sed -n 's/^raw loopback: \([0-9]*\) connections.*/\1/p' $(BUILD)/bench/raw.txt); \
		orc=$$(sed -n 's/.*(\([0-9]*\) connections\/s recorded.*/\1/p' $(BUILD)/bench/oracle.txt); \
		[ -z "$$raw" ] || [ -z "$$orc" ] || awk -v r=$$raw -v o=$$orc -v j=$(BENCH_JOBS) \
		'BEGIN { printf "oracle / raw loopback on %u workers: %.0f / %.0f connections/s = %.0f%%;" \
			" goal (issue 9 item 6): 10000/s on 2 cores, sanitizer build\n", j, o, r, 100 * o / r }'

ALL_TARGETS += $(BENCH_BIN) $(KERNEL_RATE_BIN)

.PHONY: bench
