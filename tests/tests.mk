# tests/tests.mk: the native cmocka suites (make test-unit, test_steps among them) and the scenario
# benchmark (make bench-scenarios). Included by the top-level Makefile.
#
# One binary per suite in $(BUILD)/tests/. test_sockops runs twice: against the
# native flavour ($(CC)) and against the gcc flavour, so the core is proven under
# both compilers. The host suites and test_other_program link programs of their
# own (tests/data/*.bpf.c), built through the same pipeline as the core: clang
# -target bpf, tools/mapgen, the native flags.
#
# NATIVE_CFLAGS is defined after this fragment is read: use it only in recipes.

TEST_BUILD := $(BUILD)/tests
TEST_DATA_BUILD := $(TEST_BUILD)/data
TEST_LDLIBS := -lcmocka

# The host runtime's suites: tests/test_host_<module>.c for each module of
# bpf/host/, all on tests/data/host_fixture.bpf.c (tests/host_fixture.h).
HOST_SUITES := $(patsubst tests/%.c,%,$(wildcard tests/test_host_*.c))

UNIT_SUITES := test_sockops test_sockops_gcc $(HOST_SUITES) test_other_program test_input_mutate
UNIT_BINS := $(addprefix $(TEST_BUILD)/,$(UNIT_SUITES))

$(TEST_DATA_BUILD): | $(TEST_BUILD)
	$(Q)mkdir -p $@

# Programs under tests/data/: BPF object, generated descriptor, native object.
$(TEST_DATA_BUILD)/%.bpf.o: tests/data/%.bpf.c Makefile tests/tests.mk $(DEPS_STAMP) | $(TEST_DATA_BUILD)
	$(call msg,BPF,$@)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

$(TEST_DATA_BUILD)/%.prog.c: $(TEST_DATA_BUILD)/%.bpf.o $(BUILD)/tools/mapgen | $(TEST_DATA_BUILD)
	$(call msg,MAPGEN,$@)
	$(Q)$(BUILD)/tools/mapgen $< tests/data/$*.bpf.c > $@

$(TEST_DATA_BUILD)/%.prog.o: $(TEST_DATA_BUILD)/%.prog.c Makefile tests/tests.mk
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

# $(call unit_suite,BINARY,SOURCE,PROGRAM OBJECT,LIBRARY,COMPILER,FLAGS)
define unit_suite
$(TEST_BUILD)/$(1): $(2) $(3) $(4) Makefile tests/tests.mk | $(TEST_BUILD)
	$$(call msg,CCLD,$$@)
	$(Q)$(5) $$(BASE_CFLAGS) $$(NATIVE_INC) $(6) $$(EXTRA_CFLAGS) $(2) $(3) $(4) $$(TEST_LDLIBS) -o $$@
endef

$(eval $(call unit_suite,test_sockops,tests/test_sockops.c,$(BUILD)/native/prog/$(PROG_NAME).prog.o,$(BUILD)/native/libsockfuzz.a,$$(CC),$$(NATIVE_CFLAGS)))
$(eval $(call unit_suite,test_sockops_gcc,tests/test_sockops.c,$(BUILD)/gcc/prog/$(PROG_NAME).prog.o,$(BUILD)/gcc/libsockfuzz.a,gcc,$$(CFLAGS) $$(SAN)))
$(foreach s,$(HOST_SUITES),$(eval $(call unit_suite,$(s),tests/$(s).c,$(TEST_DATA_BUILD)/host_fixture.prog.o,$(BUILD)/native/libsockfuzz.a,$$(CC),$$(NATIVE_CFLAGS))))
$(eval $(call unit_suite,test_input_mutate,tests/test_input_mutate.c,$(BUILD)/native/prog/$(PROG_NAME).prog.o,$(BUILD)/native/libsockfuzz.a,$$(CC),$$(NATIVE_CFLAGS)))
$(eval $(call unit_suite,test_other_program,tests/test_other_program.c,$(TEST_DATA_BUILD)/other_sockops.prog.o,$(BUILD)/native/libsockfuzz.a,$$(CC),$$(NATIVE_CFLAGS)))

# The step-kind registry and the oracle's handler tables against it: the
# native library, the program and the oracle's kernel side, as the CLI links.
STEPS_TEST := $(TEST_BUILD)/test_steps
$(STEPS_TEST): tests/test_steps.c $(ORACLE_OBJS) $(BUILD)/native/prog/$(PROG_NAME).prog.o \
		$(BUILD)/native/libsockfuzz.a $(REC_KERN_LIB) Makefile tests/tests.mk | $(TEST_BUILD)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) $< $(ORACLE_OBJS) \
		$(BUILD)/native/prog/$(PROG_NAME).prog.o $(BUILD)/native/libsockfuzz.a $(REC_KERN_LIB) \
		$(TEST_LDLIBS) -o $@ $(KERN_LDLIBS)
UNIT_BINS += $(STEPS_TEST)

# Run every suite (all of them, even after a failure) through tests/run.sh:
# its counts, and for a suite that failed its failures (the whole log stays in
# $(TEST_LOGS)/<suite>.log).
test-unit: $(UNIT_BINS)
	$(Q)status=0; for t in $(UNIT_BINS); do \
		$(TEST_RUN) --cmocka $$(basename $$t) -- $$t || status=1; \
	done; exit $$status

TEST_TARGETS += test-unit

# The five seed scenarios in a loop on the optimised flavour, no sanitizers.
$(TEST_BUILD)/bench_scenarios: tests/bench_scenarios.c $(BUILD)/bench/prog/$(PROG_NAME).prog.o $(BUILD)/bench/libsockfuzz.a Makefile tests/tests.mk | $(TEST_BUILD)
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) -g -O2 $(EXTRA_CFLAGS) $< $(BUILD)/bench/prog/$(PROG_NAME).prog.o $(BUILD)/bench/libsockfuzz.a -o $@

bench-scenarios: $(TEST_BUILD)/bench_scenarios
	$(Q)$(TEST_BUILD)/bench_scenarios

.PHONY: test-unit bench-scenarios

# The proof of PROG= (issue 11): tests/data/upstream_like/upstream_like.bpf.c built and
# fuzzed through PROG= finds exactly SPEC §9 (a), (b), (d) (tests/test_prog.sh).
# Only from the default program's build (it calls make with PROG= itself).
TEST_PROG_SECONDS ?= 10
test-prog: $(DEPS_STAMP)
	$(call msg,TEST,tests/test_prog.sh: make PROG=tests/data/upstream_like/upstream_like.bpf.c)
	$(Q)MIN_SEEDS="$(MUT_MINIMAL_SEEDS)" tests/test_prog.sh "$(MAKE) --no-print-directory" \
		$(TEST_PROG_SECONDS)

ifeq ($(PROG_IS_CORE),1)
TEST_TARGETS += test-prog
endif
.PHONY: test-prog
