/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fault.h: helper call counts and injected failures (the arming side is
 * host_fault__arm() in host.h). A leaf.
 */
#pragma once

#include "host_internal.h"

/* Count a call of H; true when it must fail, with the armed error in *ERR
 * (0: the helper's natural failure). ERR may be NULL. */
bool host_fault__due(enum host_helper h, long *err);

/* Forget every count and armed fault. */
void host_fault__reset(void);
