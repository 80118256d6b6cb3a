# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# fuzz/fuzz.mk: the fuzz targets, their corpus, campaigns and OSS-Fuzz build.
# Included by the top-level Makefile.
#
#   make fuzz           build every target with libFuzzer (ASan+UBSan, and the
#                       fast lane's build without sanitizers) and fuzz them on
#                       the shipped corpus for FUZZ_SECONDS (60) on all cores,
#                       one sanitizer worker per target and the others fast,
#                       then print a summary; exits 1 on a finding
#   make fuzz-afl       the same with AFL++ (installs afl++ when missing)
#   make fuzz-targets   only build them (libFuzzer, both lanes, and replay-main builds)
#   make test-corpus    every corpus/*/*.bin is the compile of its .trace, the
#                       .dict and .options match the format; the corpus and
#                       the regressions replay clean through build/sockfuzz
#                       and through every target's replay main
#   make test-msan      the corpus through MSan builds of the replay mains
#   make corpus         recompile corpus/**/*.bin from the .trace files
#   make dict           regenerate fuzz/<target>.dict (fuzz/gen_dict.sh)
#   make oss-fuzz       targets, .options, .dict and seed zips into $(OUT); with
#                       LIB_FUZZING_ENGINE unset the targets get the replay main
#
# One target per input level (input/input.h): fuzz_<level>.c, and fuzz_text.c,
# the text form's parser (its seeds are the .trace files). Each is built as
#   $(BUILD)/fuzz/bin/T     libFuzzer, the fuzz flavour (ASan+UBSan): the sanitizer lane
#   $(BUILD)/fuzz-fast/bin/T  the same coverage without sanitizers: the fast lane
#   $(BUILD)/afl/bin/T      AFL++ persistent mode: afl-clang-fast -fsanitize=fuzzer
#                           links AFL++'s libFuzzer-compatible driver (ASan+UBSan)
#   $(BUILD)/afl-fast/bin/T the same without sanitizers: AFL++'s fast lane
#   $(BUILD)/native/bin/T   no engine: fuzz/fuzz_main.c replays files (ASan+UBSan)
#   $(BUILD)/msan/bin/T     the same under MemorySanitizer
#   $(OUT)/T                OSS-Fuzz: $(CC) $(CFLAGS), linked with $(LIB_FUZZING_ENGINE)

FUZZ_TARGETS := fuzz_lifecycle fuzz_raw fuzz_text
# The targets whose inputs are the text form: seeded with corpus/*/*.trace
# (the others with corpus/*/*.bin), and their findings replay through the
# target itself (a round trip is not a property `sockfuzz replay` checks).
FUZZ_TEXT_TARGETS := fuzz_text
FUZZ_SECONDS ?= 60
# Workers in all (the targets share them); default: every core.
FUZZ_JOBS ?=
FUZZ_WORK ?= $(BUILD)/fuzz-work
SOCKFUZZ_CLI ?= $(BUILD)/sockfuzz

# OSS-Fuzz: its CFLAGS carry the sanitizers and -fsanitize=fuzzer-no-link, and
# its $(CC) builds the fuzz flavour; our default sanitizers would clash (MSan).
ifneq ($(LIB_FUZZING_ENGINE),)
ifeq ($(origin SAN),file)
SAN :=
endif
FUZZ_CC := $(CC)
endif

# The fuzz flavour (the Makefile's) instruments everything for libFuzzer. The
# property driver (props/) and the host runtime (bpf/host/) are the harness,
# not the code under test: there comparison tracing only slows the target
# (its callbacks in their loops took 55% of the time, exec/s x3.7 without),
# so they keep the edge counters and lose trace-cmp. Not under OSS-Fuzz,
# whose CFLAGS are its own.
ifeq ($(LIB_FUZZING_ENGINE),)
FUZZ_HARNESS_COV := -fsanitize-coverage=inline-8bit-counters,pc-table
# $(call fuzz_harness,FLAVOUR,DIR,SANITIZERS): DIR's objects of FLAVOUR (fuzz,
# or fuzz-fast without sanitizers) get the harness coverage.
define fuzz_harness
$(BUILD)/$(1)/$(2)/%.o: $(2)/%.c Makefile fuzz/fuzz.mk $(DEPS_STAMP)
	$$(call msg,CC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$$(FUZZ_CC) $$(BASE_CFLAGS) $(NATIVE_INC) $(CFLAGS) $(FUZZ_HARNESS_COV) $(3) \
		$(EXTRA_CFLAGS) -c $$< -o $$@
endef
$(foreach d,props fmt bpf/host,$(eval $(call fuzz_harness,fuzz,$(d),$(SAN))))
$(foreach d,props fmt bpf/host,$(eval $(call fuzz_harness,fuzz-fast,$(d))))
endif


# AFL++ comes from tools/deps.sh afl, only when an AFL++ build is asked for.
AFL_CC ?= afl-clang-fast
AFL_STAMP := $(BUILD)/.deps-afl-ok
$(AFL_STAMP): tools/deps.sh | $(BUILD)
	$(Q)tools/deps.sh afl
	$(Q)touch $@

MSAN := -fsanitize=memory -fsanitize-memory-track-origins -fno-omit-frame-pointer
$(eval $(call native_flavor,afl,AFL_QUIET=1 $(AFL_CC),$(CFLAGS) $(SAN),$(AFL_STAMP)))
$(eval $(call native_flavor,afl-fast,AFL_QUIET=1 $(AFL_CC),$(CFLAGS),$(AFL_STAMP)))
$(eval $(call native_flavor,msan,$(CLANG),$(CFLAGS) $(MSAN)))

# $(call fuzz_link_objs,FLAVOUR): what every target of FLAVOUR links besides
# its own object. The program object comes before the library it calls into.
fuzz_link_objs = $(BUILD)/$(1)/fuzz/fuzz_target.o $(BUILD)/$(1)/prog/$(PROG_NAME).prog.o \
	$(BUILD)/$(1)/libsockfuzz.a

FUZZ_LIBFUZZER_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/bin/%)
FUZZ_FAST_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-fast/bin/%)
FUZZ_AFL_BINS := $(FUZZ_TARGETS:%=$(BUILD)/afl/bin/%)
FUZZ_AFL_FAST_BINS := $(FUZZ_TARGETS:%=$(BUILD)/afl-fast/bin/%)
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(BUILD)/native/bin/%)
FUZZ_MSAN_BINS := $(FUZZ_TARGETS:%=$(BUILD)/msan/bin/%)

# With LIB_FUZZING_ENGINE, link as OSS-Fuzz does: $(CXX) and the engine.
ifneq ($(LIB_FUZZING_ENGINE),)
FUZZ_LINK = $(CXX) $(CXXFLAGS) $^ $(LIB_FUZZING_ENGINE)
else
FUZZ_LINK = $(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer $(SAN) $^
endif

$(FUZZ_LIBFUZZER_BINS): $(BUILD)/fuzz/bin/%: $(BUILD)/fuzz/fuzz/%.o $(call fuzz_link_objs,fuzz)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_LINK) -o $@

# The fast lane: the fuzz flavour's link without the sanitizers.
$(FUZZ_FAST_BINS): $(BUILD)/fuzz-fast/bin/%: $(BUILD)/fuzz-fast/fuzz/%.o $(call fuzz_link_objs,fuzz-fast)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CFLAGS) -fsanitize=fuzzer $^ -o $@

$(FUZZ_AFL_BINS): $(BUILD)/afl/bin/%: $(BUILD)/afl/fuzz/%.o $(call fuzz_link_objs,afl)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)AFL_QUIET=1 $(AFL_CC) $(CFLAGS) -fsanitize=fuzzer $(SAN) $^ -o $@

$(FUZZ_AFL_FAST_BINS): $(BUILD)/afl-fast/bin/%: $(BUILD)/afl-fast/fuzz/%.o $(call fuzz_link_objs,afl-fast)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)AFL_QUIET=1 $(AFL_CC) $(CFLAGS) -fsanitize=fuzzer $^ -o $@

$(FUZZ_REPLAY_BINS): $(BUILD)/native/bin/%: $(BUILD)/native/fuzz/%.o \
		$(BUILD)/native/fuzz/fuzz_main.o $(call fuzz_link_objs,native)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NATIVE_CFLAGS) $^ -o $@

$(FUZZ_MSAN_BINS): $(BUILD)/msan/bin/%: $(BUILD)/msan/fuzz/%.o \
		$(BUILD)/msan/fuzz/fuzz_main.o $(call fuzz_link_objs,msan)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CFLAGS) $(MSAN) $^ -o $@

# AFL++'s custom mutator: the format's structure-aware mutation as a
# shared object (fuzz/afl_mutator.c), from the few input/ sources it needs.
AFL_MUTATOR := $(BUILD)/afl/lib/sockfuzz_mutator.so
AFL_MUTATOR_SRCS := fuzz/afl_mutator.c input/mutate.c input/decode.c input/encode.c \
	input/pool.c input/steps.c input/names.c net/loopback.c
$(AFL_MUTATOR): $(AFL_MUTATOR_SRCS) Makefile fuzz/fuzz.mk $(DEPS_STAMP)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) $(NATIVE_INC) -DSF_MODULE_input -O2 -g -shared -fPIC \
		$(AFL_MUTATOR_SRCS) -o $@

fuzz-targets: $(FUZZ_LIBFUZZER_BINS) $(FUZZ_FAST_BINS) $(FUZZ_REPLAY_BINS)

# ------------------------------------------------------------------------
# Campaigns: fuzz/run_fuzz.sh does the work (time limits, parallel jobs,
# minimising, the summary); see its header.

# FUZZ_PROPS / FUZZ_PROPS_OFF: the properties to check (NAME,...), as
# replay's --props / --props-off; the targets and the CLI read them from the
# environment.
FUZZ_PROPS ?=
FUZZ_PROPS_OFF ?=
FUZZ_RUN = SOCKFUZZ_PROPS='$(FUZZ_PROPS)' SOCKFUZZ_PROPS_OFF='$(FUZZ_PROPS_OFF)' fuzz/run_fuzz.sh --seconds $(FUZZ_SECONDS) $(if $(FUZZ_JOBS),--jobs $(FUZZ_JOBS)) \
	--work $(FUZZ_WORK) --replay-bin $(BUILD)/native/bin --cli $(SOCKFUZZ_CLI) \
	$(FUZZ_TEXT_TARGETS:%=--text %)

# Two lanes (run_fuzz.sh): per target one worker runs the sanitizer build
# (--bin), the others the fast build (--fast-bin), on one corpus.
fuzz: $(FUZZ_LIBFUZZER_BINS) $(FUZZ_FAST_BINS) $(FUZZ_REPLAY_BINS) $(SOCKFUZZ_CLI)
	$(Q)$(FUZZ_RUN) --engine libfuzzer --bin $(BUILD)/fuzz/bin --fast-bin $(BUILD)/fuzz-fast/bin \
		$(FUZZ_TARGETS)

fuzz-afl: $(FUZZ_AFL_BINS) $(FUZZ_AFL_FAST_BINS) $(FUZZ_REPLAY_BINS) $(SOCKFUZZ_CLI) $(AFL_MUTATOR)
	$(Q)AFL_CUSTOM_MUTATOR_LIBRARY=$(abspath $(AFL_MUTATOR)) \
		$(FUZZ_RUN) --engine afl --bin $(BUILD)/afl/bin --fast-bin $(BUILD)/afl-fast/bin \
		$(FUZZ_TARGETS)

# ------------------------------------------------------------------------
# Corpus: corpus/<target>/*.trace are the sources, *.bin their compiled form
# (both committed); corpus/regressions/ holds every finding, minimised.

CORPUS_TRACES := $(sort $(wildcard corpus/*/*.trace))
CORPUS_BINS := $(sort $(wildcard corpus/*/*.bin))

corpus: $(SOCKFUZZ_CLI)
	$(Q)for t in $(CORPUS_TRACES); do \
		printf '  %-8s %s\n' COMPILE "$${t%.trace}.bin"; \
		$(SOCKFUZZ_CLI) compile "$$t" -o "$${t%.trace}.bin" || exit 1; \
	done

dict: $(SOCKFUZZ_CLI)
	$(Q)for t in $(FUZZ_TARGETS); do \
		printf '  %-8s %s\n' GEN "fuzz/$$t.dict"; \
		fuzz/gen_dict.sh $(SOCKFUZZ_CLI) $$t > fuzz/$$t.dict || exit 1; \
	done

test-corpus: $(SOCKFUZZ_CLI) $(FUZZ_REPLAY_BINS)
	$(Q)$(TEST_RUN) test_corpus -- fuzz/check_corpus.sh --cli $(SOCKFUZZ_CLI) --replay-bin $(BUILD)/native/bin \
		--work $(BUILD)/corpus-check $(FUZZ_TEXT_TARGETS:%=--text %) $(FUZZ_TARGETS)

# The seeds of target $(1): the text form's or the binary form's.
fuzz_seeds = $(if $(filter $(FUZZ_TEXT_TARGETS),$(1)),$(CORPUS_TRACES),$(CORPUS_BINS))

# The seeds through each target's MSan replay main, determinism checked too.
test-msan: $(FUZZ_MSAN_BINS)
	$(Q)$(foreach t,$(FUZZ_TARGETS),SOCKFUZZ_DETERMINISM=1 $(TEST_RUN) msan_$(t) -- \
		$(BUILD)/msan/bin/$(t) $(call fuzz_seeds,$(t)) &&) true

TEST_TARGETS += test-corpus test-msan

# ------------------------------------------------------------------------
# OSS-Fuzz: what build.sh runs is `make oss-fuzz` (CC, CFLAGS, CXX, CXXFLAGS,
# LIB_FUZZING_ENGINE and OUT come from its environment).

FUZZ_OSS_BIN_DIR := $(if $(LIB_FUZZING_ENGINE),$(BUILD)/fuzz/bin,$(BUILD)/native/bin)

# A seed zip holds the target's seeds flat, named DIR-FILE (corpus/DIR/FILE).
SEED_ZIP = $(PYTHON) -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); \
	[z.write(f, f.split("/", 1)[1].replace("/", "-")) for f in sys.argv[2:]]'

oss-fuzz: $(FUZZ_TARGETS:%=$(FUZZ_OSS_BIN_DIR)/%) | $(OUT)
	$(Q)$(foreach t,$(FUZZ_TARGETS),printf '  %-8s %s\n' OUT "$(OUT)/$(t)" && \
		cp $(FUZZ_OSS_BIN_DIR)/$(t) fuzz/$(t).options fuzz/$(t).dict $(OUT)/ && \
		rm -f $(OUT)/$(t)_seed_corpus.zip && \
		$(SEED_ZIP) $(OUT)/$(t)_seed_corpus.zip $(call fuzz_seeds,$(t)) &&) true

ALL_TARGETS += $(FUZZ_LIBFUZZER_BINS) $(FUZZ_REPLAY_BINS)

.PHONY: fuzz fuzz-afl fuzz-targets corpus dict test-corpus test-msan oss-fuzz

