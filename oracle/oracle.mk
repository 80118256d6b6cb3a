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

kernel-corpus: $(BUILD)/sockfuzz
	$(Q)mkdir -p corpus/kernel
	$(Q)$(BUILD)/sockfuzz kernel --seed 7 --connections 60 --out corpus/kernel \
		corpus/fuzz_lifecycle/*.trace

TEST_TARGETS += test-oracle
.PHONY: test-oracle kernel-corpus
