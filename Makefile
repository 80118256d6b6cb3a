# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# sockfuzz: one top-level Makefile; each part adds its rules in a fragment
# (bpf/kernel/kernel.mk, bpf/host/host.mk, tests/tests.mk, fuzz/fuzz.mk, ...).
#
# Honours CC, CFLAGS, CXX, CXXFLAGS, LIB_FUZZING_ENGINE and OUT from the
# environment, as OSS-Fuzz build scripts expect; the BPF object has its own
# compiler, BPF_CLANG. V=1 shows full commands.

# The program under test: any libbpf-style sockops source, built unmodified
# with its own flags (README: "Fuzz your own sockops program").
#   make PROG=path/to/prog.bpf.c PROG_CFLAGS='-I... -D...' [target]
# core/ is the default. Another program gets a build tree of its own,
# build/prog/<name>/, where every target (the CLI, the fuzz targets, bench,
# mutants, tests) links that program instead of core/. PROG_CFLAGS is the
# program's own policy (include paths, defines, warnings) for its BPF and its
# native compile; our strict warnings stay on for our code.
PROG ?= core/sockops.bpf.c
PROG_DIR := $(patsubst %/,%,$(dir $(PROG)))
PROG_NAME := $(patsubst %.bpf,%,$(basename $(notdir $(PROG))))
PROG_IS_CORE := $(if $(filter $(abspath $(PROG)),$(abspath core/sockops.bpf.c)),1)
ifeq ($(PROG_IS_CORE),1)
BUILD ?= build
PROG_CFLAGS ?= $(WARN) -Icore
else
BUILD ?= build/prog/$(PROG_NAME)
PROG_CFLAGS ?=
endif
# The mutant catalogue of the program: patches against $(PROG_DIR)'s files.
PROG_MUTANTS ?= $(if $(PROG_IS_CORE),mutants/catalogue,$(PROG_DIR)/mutants)
OUT ?= $(BUILD)/out
# A native clang for the clang-only flavours (MSan); the BPF object is built
# with BPF_CLANG, by default the first clang that has the BPF back end
# (tools/bpf-clang.sh), found once and only when needed: $(CC) may be a clang
# without it, as OSS-Fuzz's is.
CLANG ?= clang
BPF_CLANG ?= $(eval BPF_CLANG := $$(shell tools/bpf-clang.sh))$(BPF_CLANG)
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
PYTHON ?= python3

# Native code defaults to clang; make's built-in default "cc" counts as unset.
ifeq ($(origin CC),default)
CC := clang
endif
ifeq ($(origin CXX),default)
CXX := clang++
endif

CFLAGS ?= -g -O1
CXXFLAGS ?= -g -O1
# Sanitizers are the default for tests and fuzzers; SAN= turns them off (bench).
SAN ?= -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
# Every object says which module it belongs to (-DSF_MODULE_<id>: the last
# folder of its source; for tests/test_<id>[_*].c the module it tests), and a
# module's _internal.h refuses any other includer: a module's internals are
# reachable from that module and its tests only.
module_of = $(if $(filter tests/,$(dir $(1))),$(word 2,$(subst _, ,$(basename $(notdir $(1))))),$(notdir $(patsubst %/,%,$(dir $(1)))))
BASE_CFLAGS = -std=gnu11 $(WARN) -MMD -MP -DSF_MODULE_$(call module_of,$<)
EXTRA_CFLAGS ?=

ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null || gcc -print-multiarch)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Werror -D__TARGET_ARCH_$(ARCH) \
	-I/usr/include/$(MULTIARCH) -Icore

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

# Debian packages (tools/deps.sh): before anything is built, the group the
# goals need is checked, once per build dir, and what is missing is installed
# (as root), saying which. With SOCKFUZZ_NO_DEPS=1 nothing is installed and
# make stops with one line naming what is missing. `make oss-fuzz` alone needs
# the oss-fuzz group, any other goal the build group; goals that build
# nothing need none. Objects depend on DEPS_STAMP, made once, so that a
# change of group rebuilds nothing.
DEPS_FREE_GOALS := clean format check-format print-%
DEPS_GOALS := $(filter-out $(DEPS_FREE_GOALS),$(or $(MAKECMDGOALS),all))
DEPS_GROUP ?= $(if $(filter-out oss-fuzz,$(DEPS_GOALS)),build,oss-fuzz)
ifneq ($(DEPS_GOALS),)
DEPS_OK := $(BUILD)/.deps-$(DEPS_GROUP)-ok
ifneq ($(shell [ $(DEPS_OK) -nt tools/deps.sh ] && echo ok),ok)
DEPS_ERROR := $(shell export SOCKFUZZ_NO_DEPS='$(SOCKFUZZ_NO_DEPS)' BPF_CLANG='$(BPF_CLANG)' \
	PYTHON='$(PYTHON)'; e=$$(tools/deps.sh --make $(DEPS_GROUP)) || echo "$${e:-deps.sh failed}")
$(if $(DEPS_ERROR),$(error $(DEPS_ERROR)))
$(shell mkdir -p $(BUILD) && touch $(DEPS_OK))
endif
endif
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): | $(BUILD)
	$(Q)touch $@

$(BUILD) $(BUILD)/bpf $(BUILD)/native $(BUILD)/tools $(BUILD)/tests $(BUILD)/fuzz $(OUT):
	$(Q)mkdir -p $@

CORE_SRCS := $(wildcard core/*.h core/*.c)

# BPF object and skeleton: the kernel build of core/.
$(BUILD)/bpf/%.bpf.o: core/%.bpf.c $(CORE_SRCS) Makefile $(DEPS_STAMP) | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@

# The program under test for BPF: its flags, not ours (the BPF target, BTF and
# the architecture are what every sockops build needs).
PROG_BPF_CFLAGS = -target bpf -O2 -g -D__TARGET_ARCH_$(ARCH) -I/usr/include/$(MULTIARCH) \
	$(PROG_CFLAGS)
# Natively: our runtime's libbpf headers first, then the program's flags.
PROG_NATIVE_CFLAGS = -std=gnu11 -MMD -MP -DSF_MODULE_prog -Ibpf/host/include $(PROG_CFLAGS) \
	-Ibpf/host -I.
# Which program, with which flags, the tree under $(BUILD) was built from: a
# file rewritten only when that changes, so a moved program or new
# PROG_CFLAGS rebuild what depends on them (make sees no other change).
PROG_ID := $(BUILD)/prog.id
$(shell mkdir -p $(BUILD) && printf '%s\n' '$(PROG) $(PROG_CFLAGS)' | cmp -s - $(PROG_ID) || \
	printf '%s\n' '$(PROG) $(PROG_CFLAGS)' > $(PROG_ID))
ifneq ($(PROG_IS_CORE),1)
$(BUILD)/bpf/$(PROG_NAME).bpf.o: $(PROG) $(wildcard $(PROG_DIR)/*.h) Makefile $(PROG_ID) $(DEPS_STAMP) | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(BPF_CLANG) $(PROG_BPF_CFLAGS) -c $< -o $@
endif

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o | $(BUILD)/bpf
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

ALL_TARGETS :=
TEST_TARGETS :=
# Every test group runs its suites through tests/run.sh: one way to count,
# to skip (exit 77: one SKIP line) and, with JUNIT=DIR, to write JUnit XML;
# their logs go to TEST_LOGS.
TEST_RUN := tests/run.sh
TEST_LOGS := $(BUILD)/tests/logs
export LOGDIR := $(TEST_LOGS)
ifneq ($(JUNIT),)
export JUNIT := $(abspath $(JUNIT))
endif
# The sanitizers' run-time settings of everything make runs: leaks are
# errors, the first report stops the run (values in the environment win;
# MSan stops at the first report by default, and afl-fuzz wants its own).
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
# Native sources that go into every flavour's libsockfuzz.a (fragments add theirs).
LIB_SRCS := net/loopback.c
NATIVE_INC := -Ibpf/host -Ibpf/host/include -Icore -I.

# The generated descriptor of the program under test: its maps, globals and
# entry, read from the BPF object's BTF (tools/mapgen.c).
$(BUILD)/tools/mapgen: tools/mapgen.c $(DEPS_STAMP) | $(BUILD)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) -std=gnu11 $(WARN) -g -O1 $< -o $@ $$(pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

$(BUILD)/native/%.prog.c: $(BUILD)/bpf/%.bpf.o $(BUILD)/tools/mapgen $(PROG_ID) | $(BUILD)/native
	$(call msg,MAPGEN,$@)
	$(Q)$(BUILD)/tools/mapgen $< $(PROG) > $@

# Native flavours: one object tree each under $(BUILD)/<flavour>/.
#   native  $(CC) with sanitizers: tests and the CLI
#   gcc     gcc with sanitizers: proves the program builds with both compilers
#   bench   optimised, no sanitizers: make bench
#   fuzz    clang, libFuzzer coverage and sanitizers: the fuzz targets (the sanitizer lane)
#   fuzz-fast  the same coverage, no sanitizers: make fuzz's fast lane
# $(call native_flavor,NAME,CC,CFLAGS[,STAMP]): STAMP, when given, is made
# first (a flavour whose compiler comes from its own packages, e.g. AFL++).
# Fragments may call it too; call it after LIB_SRCS is complete.
define native_flavor
$(BUILD)/$(1)/%.o: %.c Makefile $(DEPS_STAMP) $(4)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(2) $$(BASE_CFLAGS) $(NATIVE_INC) $(3) $(EXTRA_CFLAGS) -c $$< -o $$@

$(BUILD)/$(1)/prog/%.prog.o: $(BUILD)/native/%.prog.c Makefile $(4)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(2) $$(PROG_NATIVE_CFLAGS) $(3) $(EXTRA_CFLAGS) -c $$< -o $$@

$(BUILD)/$(1)/libsockfuzz.a: $(addprefix $(BUILD)/$(1)/,$(LIB_SRCS:.c=.o))
	$$(call msg,AR,$$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef

include $(wildcard bpf/host/host.mk bpf/kernel/kernel.mk bpf/record/record.mk oracle/oracle.mk tests/tests.mk cli/cli.mk props/props.mk fuzz/fuzz.mk bench/bench.mk mutants/mutants.mk)
# Read after the above: they use FUZZ_TARGETS, CLI_BIN, KERN_TEST and the test binaries.
include $(wildcard tests/harness.mk oss-fuzz/oss-fuzz.mk coverage/coverage.mk)


FUZZ_CC ?= clang
# The fuzz flavour's engine instrumentation; with LIB_FUZZING_ENGINE (OSS-Fuzz)
# $(CFLAGS) carries its own, or none (coverage and AFL++ builds).
FUZZ_INSTR ?= $(if $(LIB_FUZZING_ENGINE),,-fsanitize=fuzzer-no-link)
NATIVE_CFLAGS := $(CFLAGS) $(SAN)
$(eval $(call native_flavor,native,$(CC),$(NATIVE_CFLAGS)))
$(eval $(call native_flavor,gcc,gcc,$(CFLAGS) $(SAN)))
$(eval $(call native_flavor,bench,$(CC),-g -O2))
$(eval $(call native_flavor,fuzz,$(FUZZ_CC),$(CFLAGS) $(FUZZ_INSTR) $(SAN)))
$(eval $(call native_flavor,fuzz-fast,$(FUZZ_CC),$(CFLAGS) $(FUZZ_INSTR)))

all: $(ALL_TARGETS)

# Every guarded internal header compiles for its own module and is refused
# from another (cli/, which may include public headers only).
GUARDED_HEADERS = $(shell git ls-files '*.h' | xargs grep -l '^.if !defined.SF_MODULE_')
test-modules: $(DEPS_STAMP)
	$(call msg,TEST,module guards of $(words $(GUARDED_HEADERS)) internal headers)
	$(Q)for h in $(GUARDED_HEADERS); do \
		m=$$(sed -n 's/^.if !defined.SF_MODULE_\([a-z_]*\).*/\1/p' $$h); \
		echo '#include "'$$h'"' | $(CC) -std=gnu11 $(NATIVE_INC) -Ibpf/kernel -DSF_MODULE_$$m \
			-fsyntax-only -x c - || { echo "$$h: does not compile for $$m/"; exit 1; }; \
		if echo '#include "'$$h'"' | $(CC) -std=gnu11 $(NATIVE_INC) -Ibpf/kernel \
			-DSF_MODULE_cli -fsyntax-only -x c - 2>/dev/null; then \
			echo "$$h: reachable from cli/"; exit 1; fi; \
	done
TEST_TARGETS += test-modules

# make test: every test; each fragment adds its runner to TEST_TARGETS.
test: $(TEST_TARGETS)
	@echo "make test: all test groups passed"

format:
	$(Q)git ls-files '*.c' '*.h' | xargs clang-format -i

check-format:
	$(Q)git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

clean:
	$(Q)rm -rf $(BUILD)

# make print-VAR: the value of VAR, for scripts (one list, one place).
print-%:
	@echo '$($*)'

.PHONY: all test format check-format clean test-modules

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
