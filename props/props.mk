# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# props/props.mk: the properties, their driver and reference model, and the
# executor and world they check (run/exec.c, world/world.c). Included by the
# top-level Makefile.
#
#   make test-props    the cmocka suites tests/test_props.c, test_exec.c and test_world.c

PROPS_SRCS := $(wildcard props/*.c)
# The layers above the input format: world -> fmt -> props -> run.
LIB_SRCS += $(wildcard world/*.c fmt/*.c) $(PROPS_SRCS) $(wildcard run/*.c)

PROPS_TEST_BUILD := $(BUILD)/tests
PROPS_SUITES := test_props test_exec test_world
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

.PHONY: test-props
