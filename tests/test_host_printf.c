// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_host_printf.c: the text helpers a program logs with (bpf/host/helpers.c)
 * and the helpers the host does not implement (bpf_helper_stubs.h).
 *
 * bpf_snprintf, BPF_SNPRINTF and bpf_trace_printk as the kernel defines them
 * (include/uapi/linux/bpf.h, kernel/bpf/helpers.c bpf_bprintf_prepare): the
 * return value is the length with the NUL, a short buffer holds a truncated,
 * terminated text, an unknown conversion or an argument count that does not
 * match is -EINVAL; %pI4/%pI6 read through a pointer and print the kernel's
 * printk forms. Expected strings are written out by hand.
 *
 * A stub stops the run with exit status 2 and the helper's name: each is
 * called in a child process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <bpf/bpf_helpers.h>
#include "check.h"
#include "host_suite.h"

#define CHECK_RET(got, want) CHECK_INT(got, want, #got)
#define CHECK_STR(got, want) CHECK(!strcmp(got, want), "got \"%s\", want \"%s\"", got, want)
#define CHECK_TRUE(cond)     CHECK(cond, "%s", "false")

/* bpf_snprintf into a 64-byte buffer, returning what it returned. */
static long fmt(char out[64], const char *f, __u64 *data, __u32 n)
{
	memset(out, 'Z', 64);
	return bpf_snprintf(out, 64, f, data, n * sizeof(__u64));
}

static void test_snprintf_integers(void **state)
{
	char out[64];
	__u64 d[] = {(__u64)-5, 4000000000u, 0xbeef, 0xbeef, 'k', (__u64)-1};

	at("%s", "%d %u %x %X %c %lld");
	CHECK_RET(fmt(out, "%d %u %x %X %c %lld", d, 6),
		  strlen("-5 4000000000 beef BEEF k -1") + 1);
	CHECK_STR(out, "-5 4000000000 beef BEEF k -1");

	/* Without l, a conversion takes the low 32 bits, as a C int does. */
	at("%s", "%d of a 64-bit value");
	CHECK_RET(fmt(out, "%d|%ld", (__u64[]){0x1ffffffffULL, 0x1ffffffffULL}, 2),
		  strlen("-1|8589934591") + 1);
	CHECK_STR(out, "-1|8589934591");
}

static void test_snprintf_flags_and_width(void **state)
{
	char out[64];

	at("%s", "%05u %-4d| %+d %3c");
	CHECK_RET(fmt(out, "%05u %-4d| %+d %3c", (__u64[]){42, 7, 3, 'x'}, 4),
		  strlen("00042 7   | +3   x") + 1);
	CHECK_STR(out, "00042 7   | +3   x");

	/* Wider than any buffer of the host's own: the kernel pads in full. */
	at("%s", "%200d, %-5s of 60 bytes, %012pI4");
	{
		static char wide[256], want[256];
		static const __u8 ip4[4] = {127, 0, 0, 1};
		char name[61];

		memset(name, 'n', 60);
		name[60] = '\0';
		CHECK_RET(bpf_snprintf(wide, sizeof(wide), "%200d", (__u64[]){7}, 8), 201);
		snprintf(want, sizeof(want), "%200d", 7);
		CHECK_STR(wide, want);
		CHECK_RET(bpf_snprintf(wide, sizeof(wide), "%-5s|", (__u64[]){(unsigned long)name},
				       8),
			  62);
		CHECK_RET(bpf_snprintf(wide, sizeof(wide), "%05d|%-6x|%12pI4",
				       (__u64[]){(__u64)-42, 0xab, (unsigned long)ip4}, 24),
			  strlen("-0042|ab    |   127.0.0.1") + 1);
		CHECK_STR(wide, "-0042|ab    |   127.0.0.1");
	}
}

static void test_snprintf_strings_and_addresses(void **state)
{
	static const __u8 ip4[4] = {127, 0, 0, 9};
	static const __u8 ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	const char *name = "km_auth_req";
	char out[64];

	at("%s", "%s %pI4");
	CHECK_RET(fmt(out, "%s at %pI4", (__u64[]){(unsigned long)name, (unsigned long)ip4}, 2),
		  strlen("km_auth_req at 127.0.0.9") + 1);
	CHECK_STR(out, "km_auth_req at 127.0.0.9");

	at("%s", "%pI6, %pi6");
	fmt(out, "%pI6", (__u64[]){(unsigned long)ip6}, 1);
	CHECK_STR(out, "2001:0db8:0000:0000:0000:0000:0000:0001");
	fmt(out, "%pi6", (__u64[]){(unsigned long)ip6}, 1);
	CHECK_STR(out, "20010db8000000000000000000000001");
	fmt(out, "100%%", NULL, 0);
	CHECK_STR(out, "100%");
}

/* A short buffer: truncated and terminated; the result is the whole length. */
static void test_snprintf_truncates(void **state)
{
	char out[8];

	at("%s", "8 bytes");
	memset(out, 'Z', sizeof(out));
	CHECK_RET(bpf_snprintf(out, sizeof(out), "port %u", (__u64[]){40000}, 8), 11);
	CHECK_STR(out, "port 40");
	at("%s", "0 bytes");
	CHECK_RET(bpf_snprintf(NULL, 0, "port %u", (__u64[]){40000}, 8), 11);
}

static void test_snprintf_refuses_what_the_kernel_refuses(void **state)
{
	char out[64];
	__u64 d[13] = {0};

	at("%s", "unknown conversions");
	CHECK_RET(fmt(out, "%f", d, 1), -EINVAL);
	CHECK_RET(fmt(out, "%hd", d, 1), -EINVAL);
	CHECK_RET(fmt(out, "%#x", d, 1), -EINVAL);
	CHECK_RET(fmt(out, "%ls", d, 1), -EINVAL);
	at("%s", "argument counts");
	CHECK_RET(fmt(out, "%d %d", d, 1), -EINVAL);
	CHECK_RET(fmt(out, "%d", d, 2), -EINVAL);
	CHECK_RET(bpf_snprintf(out, 64, "%d", d, 12), -EINVAL); /* not a multiple of 8 */
	CHECK_RET(fmt(out, "x", d, 13), -EINVAL);		/* MAX_BPF_FUNC_VARARGS 12 */
	at("%s", "a buffer of size >0 without memory");
	CHECK_RET(bpf_snprintf(NULL, 4, "x", NULL, 0), -EINVAL);
}

/* libbpf's macros: ___bpf_narg counts, BPF_SNPRINTF fills and formats. */
static void test_bpf_snprintf_macro(void **state)
{
	char out[32];
	int port = 929;

	at("%s", "___bpf_narg");
	CHECK_RET(___bpf_narg(), 0);
	CHECK_RET(___bpf_narg(a), 1);
	CHECK_RET(___bpf_narg(a, b, c, d, e, f, g, h, i, j, k, l), 12);

	at("%s", "BPF_SNPRINTF");
	CHECK_RET(BPF_SNPRINTF(out, sizeof(out), "no arguments"), 13);
	CHECK_STR(out, "no arguments");
	CHECK_RET(BPF_SNPRINTF(out, sizeof(out), "%s:%d (%x)", "ctl", port, 255), 13);
	CHECK_STR(out, "ctl:929 (ff)");
}

/* bpf_printk: C's formatting natively (any number of arguments), one line
 * appended to the host's log capture, the length returned. */
static void test_trace_printk_appends_to_log(void **state)
{
	at("%s", "bpf_printk");
	CHECK_RET(bpf_printk("closed %u", 7), 8);
	CHECK_RET(bpf_printk("peer %d.%d", 1, 2), 8);
	CHECK_TRUE(strstr(host_log__text(), "closed 7") != NULL);
	CHECK_TRUE(strstr(host_log__text(), "peer 1.2") != NULL);
	CHECK_TRUE(strstr(host_log__text(), "closed 7") < strstr(host_log__text(), "peer 1.2"));
}

/* A stub called in a child: exit status 2, the helper's name on stderr. */
static void check_stub_stops(const char *name, void (*call)(void))
{
	char text[512] = "";
	int err[2], status;
	ssize_t n;
	pid_t pid;

	at("stub %s", name);
	CHECK_RET(pipe(err), 0);
	pid = fork();
	CHECK_TRUE(pid >= 0);
	if (pid == 0) {
		dup2(err[1], 2);
		call();
		_exit(0); /* not reached when the stub stops the run */
	}
	close(err[1]);
	n = read(err[0], text, sizeof(text) - 1);
	close(err[0]);
	CHECK_RET(waitpid(pid, &status, 0), pid);
	CHECK_TRUE(WIFEXITED(status));
	CHECK_RET(WEXITSTATUS(status), 2);
	CHECK_TRUE(n > 0 && strstr(text, name) != NULL);
}

static void call_get_netns_cookie(void)
{
	bpf_get_netns_cookie(NULL);
}

static void call_skb_load_bytes(void)
{
	bpf_skb_load_bytes(NULL, 0, NULL, 0);
}

static void call_setsockopt(void)
{
	bpf_setsockopt(NULL, 0, 0, NULL, 0);
}

static void test_unimplemented_helpers_stop_naming_themselves(void **state)
{
	check_stub_stops("bpf_get_netns_cookie", call_get_netns_cookie);
	check_stub_stops("bpf_skb_load_bytes", call_skb_load_bytes);
	check_stub_stops("bpf_setsockopt", call_setsockopt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, test_setup)
		T(test_snprintf_integers),
		T(test_snprintf_flags_and_width),
		T(test_snprintf_strings_and_addresses),
		T(test_snprintf_truncates),
		T(test_snprintf_refuses_what_the_kernel_refuses),
		T(test_bpf_snprintf_macro),
		T(test_trace_printk_appends_to_log),
		T(test_unimplemented_helpers_stop_naming_themselves),
#undef T
	};

	return cmocka_run_group_tests_name("host_printf", tests, group_setup, group_teardown);
}
