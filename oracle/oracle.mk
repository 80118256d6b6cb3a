# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# oracle.mk: the kernel as oracle (oracle/): `sockfuzz kernel` records real
# connections under the recording build, replays them natively and compares.
#
#   make kernel-corpus   record the lifecycle corpus and random scenarios into
#                        corpus/kernel/ (lifecycle runs and their recordings)
#   make test-oracle     a short kernel run (part of make test)

ORACLE_NATIVE_SRCS := oracle/convert.c oracle/compare.c oracle/scenario.c
ORACLE_KERNEL_SRCS := oracle/kdrive.c oracle/kdrive_steps.c oracle/kdrive_net.c oracle/run.c
LIB_SRCS += $(ORACLE_NATIVE_SRCS)

ORACLE_CFLAGS = -D_GNU_SOURCE $(CFLAGS) $(BASE_CFLAGS) $(SAN) $(EXTRA_CFLAGS) $(NATIVE_INC) \
	-Ibpf/kernel -Ibpf/record -Ifuzz
ORACLE_OBJS := $(patsubst %.c,$(BUILD)/oracle-kern/%.o,$(ORACLE_KERNEL_SRCS))

$(BUILD)/oracle-kern/%.o: %.c oracle/oracle.mk Makefile $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ORACLE_CFLAGS) -c $< -o $@

ORACLE_SECONDS ?= 20
KERNEL_CONNECTIONS ?= 10000

# A short run in make test: the lifecycle corpus and a few hundred connections.
# Where the kernel cannot be used (exit 77), one SKIP line with the reason.
test-oracle: $(BUILD)/sockfuzz
	$(call msg,ORACLE,kernel)
	$(Q)$(TEST_RUN) test_oracle -- $(BUILD)/sockfuzz kernel --seed 1 --connections 300 \
		corpus/fuzz_lifecycle/*.trace

# Scale (issue 9 item 2): one large run, >= 200 connections and 4096 callbacks
# compared with 0 differences, reaching the full auth ring, the full probe ring
# and a full map in the kernel (tests/kernel/test_scale.sh).
test-oracle-scale: $(BUILD)/sockfuzz
	$(call msg,ORACLE,scale)
	$(Q)$(TEST_RUN) test_oracle_scale -- tests/kernel/test_scale.sh $(BUILD)/sockfuzz

kernel-corpus: $(BUILD)/sockfuzz
	$(Q)mkdir -p corpus/kernel
	$(Q)$(BUILD)/sockfuzz kernel --seed 7 --connections 60 --out corpus/kernel \
		corpus/fuzz_lifecycle/*.trace

# The whole context compared: tests/test_oracle_perturb.c against the world
# built with -DSF_WORLD_PERTURB (only here; world.h), linked ahead of the
# library so that its world objects are the ones used.
PERTURB_DIR := $(BUILD)/perturb
PERTURB_WORLD_OBJS := $(patsubst %.c,$(PERTURB_DIR)/%.o,$(wildcard world/*.c))
PERTURB_TEST := $(PERTURB_DIR)/test_oracle_perturb

$(PERTURB_DIR)/world/%.o: world/%.c oracle/oracle.mk Makefile $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) -DSF_WORLD_PERTURB \
		-c $< -o $@

$(PERTURB_TEST): tests/test_oracle_perturb.c $(PERTURB_WORLD_OBJS) $(ORACLE_OBJS) \
		$(BUILD)/native/prog/$(PROG_NAME).prog.o $(BUILD)/native/libsockfuzz.a $(REC_KERN_LIB) \
		oracle/oracle.mk Makefile
	$(call msg,CCLD,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) -DSF_WORLD_PERTURB \
		-Ibpf/kernel -Ibpf/record $< $(PERTURB_WORLD_OBJS) $(ORACLE_OBJS) \
		$(BUILD)/native/prog/$(PROG_NAME).prog.o $(BUILD)/native/libsockfuzz.a $(REC_KERN_LIB) \
		-lcmocka -o $@ $(KERN_LDLIBS)

test-oracle-perturb: $(PERTURB_TEST)
	$(call msg,TEST,$<)
	$(Q)$(PERTURB_TEST) > $<.log 2>&1 || { cat $<.log; exit 1; }
	$(Q)grep -E '^(\[ *(PASSED|FAILED|SKIPPED) *\]|SKIP)' $<.log

# Nothing left after kill -9, SIGTERM or a write error (a few seconds; it
# looks only at its own processes and cgroups).
test-oracle-cleanup: $(BUILD)/sockfuzz
	$(call msg,TEST,tests/kernel/test_cleanup.sh)
	$(Q)tests/kernel/test_cleanup.sh $(BUILD)/sockfuzz

# The production object (bpf/kernel's own library embeds core/ alone) runs
# the lifecycle corpus and random runs; each final state is compared with the
# native expansion's (tests/kernel/test_production.c).
PRODUCTION_TEST := $(BUILD)/oracle-production/test_production

$(PRODUCTION_TEST): tests/kernel/test_production.c $(ORACLE_OBJS) \
		$(BUILD)/native/prog/$(PROG_NAME).prog.o $(BUILD)/native/libsockfuzz.a $(KERN_LIB) \
		oracle/oracle.mk Makefile
	$(call msg,CCLD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_CFLAGS) $(NATIVE_INC) $(NATIVE_CFLAGS) $(EXTRA_CFLAGS) -Ibpf/kernel \
		-Ibpf/record $< $(ORACLE_OBJS) $(BUILD)/native/prog/$(PROG_NAME).prog.o \
		$(BUILD)/native/libsockfuzz.a $(KERN_LIB) -o $@ $(KERN_LDLIBS)

test-oracle-production: $(PRODUCTION_TEST)
	$(call msg,TEST,$<)
	$(Q)$(PRODUCTION_TEST) --seed 1 --runs 200 corpus/fuzz_lifecycle/*.trace; \
		rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ]

ALL_TARGETS += $(PERTURB_TEST) $(PRODUCTION_TEST)
TEST_TARGETS += test-oracle test-oracle-scale test-oracle-perturb test-oracle-cleanup \
	test-oracle-production
.PHONY: test-oracle test-oracle-scale test-oracle-perturb test-oracle-cleanup test-oracle-production kernel-corpus
