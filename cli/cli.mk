# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# cli/cli.mk: the input format (input/input.h, input/FORMAT.md) and
# build/sockfuzz, the command-line tool. Included by the top-level Makefile.
#
#   make build/sockfuzz   replay, print, compile, props (part of make all)
#   make test-input       the format's cmocka suite (tests/test_input.c)
#   make test-cli         the tool's exit codes and messages (tests/test_cli.sh)
#
# NATIVE_CFLAGS is defined after this fragment is read: use it only in recipes.

# The decoder, encoder and text form: in every flavour's libsockfuzz.a.
INPUT_SRCS := $(wildcard input/*.c)
LIB_SRCS += $(INPUT_SRCS)

# The tool: the native flavour (sanitizers on), linked with the program under
# test. Its objects come from the native flavour's pattern rule.
CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(patsubst %.c,$(BUILD)/native/%.o,$(CLI_SRCS))
CLI_BIN := $(BUILD)/sockfuzz
CLI_PROG := $(BUILD)/native/prog/$(PROG_NAME).prog.o

# Everything the tool links but the program under test (a mutant's CLI links
# the same with its own program object). `kernel` needs the oracle's kernel
# side and the recording build's loader.
CLI_LINK_OBJS := $(CLI_OBJS) $(ORACLE_OBJS)
CLI_LINK_LIBS := $(BUILD)/native/libsockfuzz.a $(REC_KERN_LIB)
# $(call cli_link,PROG_OBJ): the recipe line that links $@.
cli_link = $(CC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) $(CLI_LINK_OBJS) $(1) $(CLI_LINK_LIBS) -o $@ \
	$(KERN_LDLIBS)

$(CLI_BIN): $(CLI_LINK_OBJS) $(CLI_PROG) $(CLI_LINK_LIBS) cli/cli.mk
	$(call msg,LD,$@)
	$(Q)$(call cli_link,$(CLI_PROG))

ALL_TARGETS += $(CLI_BIN)

INPUT_TEST := $(BUILD)/tests/test_input

$(INPUT_TEST): tests/test_input.c $(CLI_PROG) $(BUILD)/native/libsockfuzz.a Makefile cli/cli.mk \
		$(DEPS_STAMP) | $(BUILD)/tests
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) $< $(CLI_PROG) \
		$(BUILD)/native/libsockfuzz.a -lcmocka -o $@

# From the repository root: the suite reads cli/examples/.
test-input: $(INPUT_TEST)
	$(Q)$(TEST_RUN) --cmocka test_input -- $<

test-cli: $(CLI_BIN) tests/test_cli.sh
	$(Q)$(TEST_RUN) test_cli -- tests/test_cli.sh $(CLI_BIN)

# make regress [PROG=...]: an invariant regression run of the corpus, the
# regressions and REGRESS_DIRS (a user's own traces) against the known
# findings in REGRESS_BASELINE (absent: none known); new findings fail it,
# REGRESS_UPDATE=1 writes the baseline instead, JUNIT=DIR adds regress.xml.
REGRESS_BASELINE ?= corpus/baselines/$(PROG_NAME).txt
REGRESS_DIRS ?=
regress: $(CLI_BIN)
	$(Q)$(if $(REGRESS_UPDATE),mkdir -p $(dir $(REGRESS_BASELINE)))
	$(Q)$(CLI_BIN) regress --baseline $(REGRESS_BASELINE) $(if $(REGRESS_UPDATE),--update-baseline) \
		$(if $(JUNIT),--junit $(JUNIT)/regress.xml) corpus/fuzz_lifecycle corpus/fuzz_raw \
		corpus/kernel corpus/regressions $(REGRESS_DIRS)

# input/FORMAT.md's step table is the registry's (sockfuzz steps list).
FORMAT_DOC := input/FORMAT.md
format_doc_table = sed -n '/^<!-- steps: generated/,/^<!-- end of steps/p' $(FORMAT_DOC) | sed '1d;$$d'

format-doc: $(CLI_BIN)
	$(Q)$(CLI_BIN) steps list > $(BUILD)/steps.md
	$(Q)$(PYTHON) -c 'import sys; d=open(sys.argv[1]).read(); t=sys.stdin.read(); \
		a=d.index("<!-- steps: generated"); a=d.index("\n",a)+1; \
		b=d.index("<!-- end of steps"); open(sys.argv[1],"w").write(d[:a]+t+d[b:])' \
		$(FORMAT_DOC) < $(BUILD)/steps.md

test-format-doc: $(CLI_BIN)
	$(Q)$(CLI_BIN) steps list > $(BUILD)/steps.md
	$(call msg,TEST,$(FORMAT_DOC) step table)
	$(Q)$(CLI_BIN) steps list > $(BUILD)/steps.md
	$(Q)$(format_doc_table) | diff -u - $(BUILD)/steps.md || \
		{ echo "$(FORMAT_DOC): the step table is not the registry's: make format-doc"; exit 1; }

TEST_TARGETS += test-input test-cli test-format-doc

.PHONY: test-input test-cli format-doc test-format-doc regress
