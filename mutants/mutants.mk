# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# mutants.mk: mutation testing of core/ (mutants/README.md). Included by the
# top-level Makefile.
#
#   make mutants               build every mutant of mutants/catalogue/, run the
#                              unit tests, the corpus + regression replay and
#                              both fuzz targets against each; write
#                              $(BUILD)/mutants/report.txt
#   make mutants MUTANT=003    the same for one mutant (or a list: "003 017")
#   make mutants-build         only apply, compile and link every mutant
#   make mutants-equiv         only the equivalence check (mutants/equiv.c)
#   make test-mutants          (part of make test) every patch applies to core/
#                              exactly and builds for BPF and natively; the
#                              SPEC §9 mutants die on the corpus + regression
#                              + killer replay; core replays clean
#
# A mutant NNN lives in $(BUILD)/mutants/NNN/: core/ (a patched copy),
# sockops.bpf.o (clang -target bpf), prog.c (tools/mapgen), native/ and fuzz/
# (the descriptor compiled with each flavour's flags) and the drop-in binaries
# linked from it. core/ itself carries no mutant switch.
#
# NATIVE_CFLAGS is defined after this file is read: rules use it only in
# recipes. CLI_LINK_OBJS, CLI_LINK_LIBS, cli_link and TEST_LDLIBS come
# from fragments read before this one.

MUT_BUILD := $(BUILD)/mutants
# The catalogue of the program under test (PROG_MUTANTS, the Makefile's):
# patches against the files of $(PROG_DIR), applied to a copy of it.
MUT_PATCHES := $(sort $(wildcard $(PROG_MUTANTS)/*.patch))
# NNN of every patch: the part of the name before the first '-'.
MUT_ALL := $(foreach p,$(MUT_PATCHES),$(firstword $(subst -, ,$(notdir $(p)))))
MUTANT ?=
MUT_SEL := $(if $(MUTANT),$(MUTANT),$(MUT_ALL))
# The seven upstream defects of SPEC §9 (a)-(g): the regression suite must kill them.
MUT_SPEC9 := 001 002 003 004 005 006 007
# Traces that kill a mutant the seeds do not: beside the catalogue.
MUT_KILLERS := $(dir $(PROG_MUTANTS))killers
MUT_PATCH_OF = $(firstword $(wildcard $(PROG_MUTANTS)/$(1)-*.patch))
# The program's flags with its own directory pointed at the patched copy.
MUT_PROG_CFLAGS = $(subst -I$(PROG_DIR) ,-I$(MUT_BUILD)/$(1)/$(PROG_DIR) ,$(PROG_CFLAGS) )

$(MUT_BUILD):
	$(Q)mkdir -p $@

# $(call mutant_rules,NNN): the build of one mutant.
define mutant_rules
# A fresh copy of core/ with the patch applied; any fuzz (offset, fuzz factor)
# is an error, so a patch that drifted from core/ is noticed.
$(MUT_BUILD)/$(1)/$(PROG_DIR)/.applied: $(call MUT_PATCH_OF,$(1)) $(wildcard $(PROG_DIR)/*.[ch]) mutants/mutants.mk | $(MUT_BUILD)
	$$(call msg,PATCH,$(MUT_BUILD)/$(1)/$(PROG_DIR))
	$(Q)rm -rf $(MUT_BUILD)/$(1)/$(PROG_DIR) && mkdir -p $(MUT_BUILD)/$(1)/$(PROG_DIR) && \
		cp -r $(PROG_DIR)/. $(MUT_BUILD)/$(1)/$(PROG_DIR)
	$(Q)patch -s -p1 -F0 -N --no-backup-if-mismatch -r - -d $(MUT_BUILD)/$(1) \
		< $(call MUT_PATCH_OF,$(1))
	$(Q)touch $$@

$(MUT_BUILD)/$(1)/prog.bpf.o: $(MUT_BUILD)/$(1)/$(PROG_DIR)/.applied Makefile $(DEPS_STAMP)
	$$(call msg,BPF,$$@)
	$(Q)$(BPF_CLANG) $$(filter-out $$(PROG_CFLAGS),$$(PROG_BPF_CFLAGS)) $$(call MUT_PROG_CFLAGS,$(1)) \
		-c $(MUT_BUILD)/$(1)/$(PROG) -o $$@

$(MUT_BUILD)/$(1)/prog.c: $(MUT_BUILD)/$(1)/prog.bpf.o $(BUILD)/tools/mapgen
	$$(call msg,MAPGEN,$$@)
	$(Q)$(BUILD)/tools/mapgen $$< $(MUT_BUILD)/$(1)/$(PROG) > $$@

# The descriptor (which #includes the patched program) with the flags of the
# native and fuzz flavours, so it drops in for $(BUILD)/<flavour>/prog/*.prog.o.
$(MUT_BUILD)/$(1)/native/prog.o: $(MUT_BUILD)/$(1)/prog.c Makefile
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(subst $$(PROG_CFLAGS),$$(call MUT_PROG_CFLAGS,$(1)),$$(PROG_NATIVE_CFLAGS)) \
		$$(NATIVE_CFLAGS) $$(EXTRA_CFLAGS) -c $$< -o $$@

$(MUT_BUILD)/$(1)/fuzz/prog.o: $(MUT_BUILD)/$(1)/prog.c Makefile
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(FUZZ_CC) $$(subst $$(PROG_CFLAGS),$$(call MUT_PROG_CFLAGS,$(1)),$$(PROG_NATIVE_CFLAGS)) \
		$$(CFLAGS) $$(FUZZ_INSTR) $$(SAN) $$(EXTRA_CFLAGS) -c $$< -o $$@

$(MUT_BUILD)/$(1)/fuzz-fast/prog.o: $(MUT_BUILD)/$(1)/prog.c Makefile
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(FUZZ_CC) $$(subst $$(PROG_CFLAGS),$$(call MUT_PROG_CFLAGS,$(1)),$$(PROG_NATIVE_CFLAGS)) \
		$$(CFLAGS) $$(FUZZ_INSTR) $$(EXTRA_CFLAGS) -c $$< -o $$@
endef

$(foreach m,$(MUT_ALL),$(eval $(call mutant_rules,$(m))))

# ------------------------------------------------------------------------
# The drop-in binaries: each is linked exactly as its own fragment links it
# (tests/tests.mk, cli/cli.mk, fuzz/fuzz.mk), with the mutant's descriptor in
# place of $(BUILD)/<flavour>/prog/$(PROG_NAME).prog.o. The other objects are
# the shared, unmutated ones.

# The control, "core": the unmutated descriptors of the native and fuzz flavours.
$(MUT_BUILD)/core/native/prog.o: $(BUILD)/native/prog/$(PROG_NAME).prog.o
	$(Q)mkdir -p $(@D) && cp $< $@
$(MUT_BUILD)/core/fuzz/prog.o: $(BUILD)/fuzz/prog/$(PROG_NAME).prog.o
	$(Q)mkdir -p $(@D) && cp $< $@

# (a) The cmocka suite: tests/test_sockops.c, compiled once.
$(MUT_BUILD)/test_sockops.o: tests/test_sockops.c Makefile tests/tests.mk $(DEPS_STAMP) | $(MUT_BUILD)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(MUT_BUILD)/%/test_sockops: $(MUT_BUILD)/test_sockops.o $(MUT_BUILD)/%/native/prog.o \
		$(BUILD)/native/libsockfuzz.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(NATIVE_CFLAGS) $^ $(TEST_LDLIBS) -o $@

# (b) The CLI (replay), linked as cli/cli.mk links it, with the mutant's program.
$(MUT_BUILD)/%/sockfuzz: $(CLI_LINK_OBJS) $(MUT_BUILD)/%/native/prog.o $(CLI_LINK_LIBS)
	$(call msg,LD,$@)
	$(Q)$(call cli_link,$(MUT_BUILD)/$*/native/prog.o)

# (c) The libFuzzer targets that run the program (fuzz/fuzz.mk).
MUT_FUZZ_TARGETS := $(filter-out $(FUZZ_TEXT_TARGETS),$(FUZZ_TARGETS))
define mutant_fuzz_rule
$(MUT_BUILD)/%/$(1): $(MUT_BUILD)/%/fuzz/prog.o $(BUILD)/fuzz/fuzz/$(1).o \
		$(BUILD)/fuzz/fuzz/fuzz_target.o $(BUILD)/fuzz/libsockfuzz.a
	$$(call msg,LD,$$@)
	$(Q)$$(FUZZ_CC) $$(CFLAGS) -fsanitize=fuzzer $$(SAN) $(BUILD)/fuzz/fuzz/$(1).o \
		$(BUILD)/fuzz/fuzz/fuzz_target.o $$< $(BUILD)/fuzz/libsockfuzz.a -o $$@

# The fast lane's build and the replay main, for a campaign of run_fuzz.sh on
# the mutant (tests/test_lanes.sh): fast/T and replay/T.
$(MUT_BUILD)/%/fast/$(1): $(MUT_BUILD)/%/fuzz-fast/prog.o $(BUILD)/fuzz-fast/fuzz/$(1).o \
		$(BUILD)/fuzz-fast/fuzz/fuzz_target.o $(BUILD)/fuzz-fast/libsockfuzz.a
	$$(call msg,LD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(FUZZ_CC) $$(CFLAGS) -fsanitize=fuzzer $(BUILD)/fuzz-fast/fuzz/$(1).o \
		$(BUILD)/fuzz-fast/fuzz/fuzz_target.o $$< $(BUILD)/fuzz-fast/libsockfuzz.a -o $$@

$(MUT_BUILD)/%/replay/$(1): $(MUT_BUILD)/%/native/prog.o $(BUILD)/native/fuzz/$(1).o \
		$(BUILD)/native/fuzz/fuzz_main.o $(BUILD)/native/fuzz/fuzz_target.o $(BUILD)/native/libsockfuzz.a
	$$(call msg,LD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(CC) $$(NATIVE_CFLAGS) $(BUILD)/native/fuzz/$(1).o $(BUILD)/native/fuzz/fuzz_main.o \
		$(BUILD)/native/fuzz/fuzz_target.o $$< $(BUILD)/native/libsockfuzz.a -o $$@
endef
$(foreach t,$(MUT_FUZZ_TARGETS),$(eval $(call mutant_fuzz_rule,$(t))))

# ------------------------------------------------------------------------
# The equivalence check (mutants/equiv.c): the same seeded trials on core and
# on every mutant, no property in the loop. NNN/equiv.txt says at which trial
# the mutant first behaved differently, or "equivalent?" when it never did.
MUT_EQUIV_SEED ?= 1
MUT_EQUIV_TRIALS ?= 3000

$(MUT_BUILD)/equiv.o: mutants/equiv.c Makefile mutants/mutants.mk $(DEPS_STAMP) | $(MUT_BUILD)
	$(call msg,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(MUT_BUILD)/%/equiv: $(MUT_BUILD)/equiv.o $(MUT_BUILD)/%/native/prog.o $(BUILD)/native/libsockfuzz.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(NATIVE_CFLAGS) $^ -o $@

$(MUT_BUILD)/core/equiv.txt: $(MUT_BUILD)/core/equiv
	$(Q)$< $(MUT_EQUIV_SEED) $(MUT_EQUIV_TRIALS) > $@

$(MUT_BUILD)/%/equiv.txt: $(MUT_BUILD)/%/equiv $(MUT_BUILD)/core/equiv.txt
	$(Q)$< $(MUT_EQUIV_SEED) $(MUT_EQUIV_TRIALS) | \
		diff - $(MUT_BUILD)/core/equiv.txt | sed -n 's/^< \([0-9]*\) .*/differs at trial \1/p' | \
		head -1 > $@.tmp
	$(Q)[ -s $@.tmp ] || echo "equivalent? (no difference in $(MUT_EQUIV_TRIALS) trials)" > $@.tmp
	$(Q)mv $@.tmp $@

mutants-equiv: $(foreach m,$(MUT_SEL),$(MUT_BUILD)/$(m)/equiv.txt)
	$(Q)for m in $(MUT_SEL); do printf '%s %s\n' $$m "$$(cat $(MUT_BUILD)/$$m/equiv.txt)"; done

# ------------------------------------------------------------------------
# The run. Binaries of parts not yet in the tree are left out (their column
# reads n/a) rather than failing the build.
# test_sockops and the equivalence check read core/'s records: core/ only.
MUT_BINS = $(if $(and $(PROG_IS_CORE),$(wildcard tests/test_sockops.c)),test_sockops) \
	$(if $(and $(CLI_OBJS),$(wildcard run/exec.c)),sockfuzz) \
	$(if $(wildcard run/exec.c),$(MUT_FUZZ_TARGETS))
MUT_CORE_BINS = $(foreach b,$(MUT_BINS),$(MUT_BUILD)/core/$(b))

mutants-build: $(foreach m,$(MUT_SEL),$(foreach b,$(MUT_BINS),$(MUT_BUILD)/$(m)/$(b)) \
		$(if $(PROG_IS_CORE),$(MUT_BUILD)/$(m)/equiv.txt)) $(MUT_CORE_BINS)

# The minimal seeds: one input per seed scenario of the notes (the five
# scenarios, IPv4), no negative case and no regression.
MUT_MINIMAL_SEEDS := $(sort $(wildcard corpus/fuzz_lifecycle/s[1-5]_*_v4.bin))

mutants: mutants-build
	$(Q)REPORT=$(if $(MUTANT),,$(MUT_BUILD)/report.txt) MIN_SEEDS="$(MUT_MINIMAL_SEEDS)" \
		CATALOGUE=$(PROG_MUTANTS) KILLERS=$(MUT_KILLERS) \
		mutants/mutants.sh $(MUT_BUILD) core $(MUT_SEL)

# ------------------------------------------------------------------------
# make test: every patch still applies to core/ (exactly: no offset fuzz) and
# compiles for BPF and natively; each SPEC §9 mutant is killed by the replay of
# corpus/ (seeds and regressions) and mutants/killers/ (exit 1), while core
# replays clean (exit 0) on the same files.
MUT_REPLAY_FILES = $(sort $(wildcard corpus/*/*.bin corpus/*/*.trace $(MUT_KILLERS)/*.trace \
	$(MUT_KILLERS)/*.bin))

test-mutants: $(foreach m,$(MUT_ALL),$(MUT_BUILD)/$(m)/native/prog.o) \
		$(foreach m,core $(MUT_SPEC9),$(MUT_BUILD)/$(m)/sockfuzz)
	$(call msg,TEST,mutants: $(words $(MUT_ALL)) patches apply and build)
	$(Q)$(TEST_RUN) test_mutants -- mutants/test_mutants.sh $(MUT_BUILD) "$(MUT_SPEC9)" \
		$(MUT_REPLAY_FILES)

# The catalogue check and the SPEC §9 kills are core/'s.
ifeq ($(PROG_IS_CORE),1)
TEST_TARGETS += test-mutants
endif

.PHONY: mutants mutants-build mutants-equiv test-mutants
