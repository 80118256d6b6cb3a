# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# props/props.mk: the properties, their driver and reference model, and the
# executor and world they check (fuzz/exec.c, fuzz/world.c). Included by the
# top-level Makefile.
#
#   make test-props    the cmocka suites tests/test_props.c and tests/test_exec.c
#   make bench-props   checked events per second through sf_exec, all properties
#                      on and all off, on the optimised flavour (by hand; not in
#                      make test)

PROPS_SRCS := props/registry.c props/run.c props/model.c props/fmt.c props/auth.c \
	props/observe.c props/manage.c props/tuples.c props/robust.c
# Listed one by one: fuzz/ also holds the fuzz targets and the input format,
# which other fragments own.
LIB_SRCS += $(PROPS_SRCS) fuzz/exec.c fuzz/world.c

PROPS_TEST_BUILD := $(BUILD)/tests
PROPS_SUITES := test_props test_exec
PROPS_TEST_BINS := $(addprefix $(PROPS_TEST_BUILD)/,$(PROPS_SUITES))

# NATIVE_CFLAGS is defined after this fragment is read: recipes only.
$(PROPS_TEST_BINS): $(PROPS_TEST_BUILD)/%: tests/%.c $(BUILD)/native/prog/$(PROG_NAME).prog.o \
		$(BUILD)/native/libsockfuzz.a Makefile props/props.mk
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) $< \
		$(BUILD)/native/prog/$(PROG_NAME).prog.o $(BUILD)/native/libsockfuzz.a -lcmocka -o $@

test-props: $(PROPS_TEST_BINS)
	$(Q)status=0; for t in $(PROPS_TEST_BINS); do \
		$(TEST_RUN) --cmocka $$(basename $$t) -- $$t || status=1; \
	done; exit $$status

TEST_TARGETS += test-props

$(BUILD)/bench/bench_props: props/bench_props.c $(BUILD)/bench/prog/$(PROG_NAME).prog.o \
		$(BUILD)/bench/libsockfuzz.a Makefile props/props.mk
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) -g -O2 $(EXTRA_CFLAGS) $< \
		$(BUILD)/bench/prog/$(PROG_NAME).prog.o $(BUILD)/bench/libsockfuzz.a -o $@

bench-props: $(BUILD)/bench/bench_props
	$(Q)$(BUILD)/bench/bench_props

.PHONY: test-props bench-props
