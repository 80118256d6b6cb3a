// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netns.c: set up lo in a fresh network namespace over rtnetlink (SPEC §10).
 *
 * Equivalent to `ip link set lo up`, `ip route add local 0.0.0.2/32 dev lo`,
 * `ip -6 route add local ::2/128 dev lo` and `ip addr add ADDR dev lo nodad`,
 * without depending on iproute2 or a shell.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "kernel_internal.h"

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rtm;
	};
	char attrs[128];
};

static void nl_put(struct nl_req *req, unsigned short type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send REQ and return the kernel's answer: 0 or -errno. The kernel answers a
 * request with NLM_F_ACK before send() returns; the receive timeout only
 * bounds a kernel that does not. */
static int nl_talk(int fd, struct nl_req *req)
{
	char buf[512];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	ssize_t n;

	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, req, req->nh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(nh, (size_t)n) || nh->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
}

static int nl_link_up(int fd, int ifindex)
{
	struct nl_req req = {
		.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		       .nlmsg_type = RTM_NEWLINK},
		.ifi = {.ifi_family = AF_UNSPEC,
			.ifi_index = ifindex,
			.ifi_flags = IFF_UP,
			.ifi_change = IFF_UP},
	};

	return nl_talk(fd, &req);
}

static size_t addr_bytes(const struct kern_addr *a, const void **bytes)
{
	if (a->sa.sa_family == AF_INET) {
		*bytes = &a->in4.sin_addr;
		return 4;
	}
	*bytes = &a->in6.sin6_addr;
	return 16;
}

/* `ip route add local A/32|128 dev lo [src SRC]`, in the local table as
 * iproute2 does. */
static int nl_route_local(int fd, int ifindex, const struct kern_addr *a,
			  const struct kern_addr *src)
{
	struct nl_req req = {
		.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
		       .nlmsg_type = RTM_NEWROUTE,
		       .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL},
		.rtm = {.rtm_family = a->sa.sa_family,
			.rtm_table = RT_TABLE_LOCAL,
			.rtm_protocol = RTPROT_BOOT,
			.rtm_scope = RT_SCOPE_HOST,
			.rtm_type = RTN_LOCAL},
	};
	const void *bytes;
	size_t len = addr_bytes(a, &bytes);

	req.rtm.rtm_dst_len = len * 8;
	nl_put(&req, RTA_DST, bytes, len);
	nl_put(&req, RTA_OIF, &ifindex, sizeof(ifindex));
	if (src) {
		len = addr_bytes(src, &bytes);
		nl_put(&req, RTA_PREFSRC, bytes, len);
	}
	return nl_talk(fd, &req);
}

/* `ip addr add A/32|128 dev lo nodad`: no duplicate address detection, so an
 * IPv6 address can be bound at once instead of after DAD. */
static int nl_addr_add(int fd, int ifindex, const struct kern_addr *a)
{
	struct nl_req req = {
		.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
		       .nlmsg_type = RTM_NEWADDR,
		       .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL},
		.ifa = {.ifa_family = a->sa.sa_family,
			.ifa_scope = RT_SCOPE_UNIVERSE,
			.ifa_index = ifindex},
	};
	__u32 flags = IFA_F_NODAD;
	const void *bytes;
	size_t len = addr_bytes(a, &bytes);

	req.ifa.ifa_prefixlen = len * 8;
	nl_put(&req, IFA_LOCAL, bytes, len);
	nl_put(&req, IFA_ADDRESS, bytes, len);
	nl_put(&req, IFA_FLAGS, &flags, sizeof(flags));
	return nl_talk(fd, &req);
}

/* Whether A is ready: a datagram it sends itself arrives. Loopback delivers
 * inside sendto(), so one try says it. Weaker checks mislead: an IPv6
 * address binds and routes (through the prefix route) before its local route
 * exists, and until then a SYN to it is dropped and resent a second later.
 * UDP: no sockops callback fires. */
static bool addr_ready(const struct kern_addr *addr)
{
	struct kern_addr self = *addr;
	int fd = socket(self.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	char c = 0;
	bool ok;

	if (fd < 0)
		return false;
	kern_addr__set_port(&self, 0);
	ok = !bind(fd, &self.sa, self.len) && !kern_sock__local(fd, &self) &&
	     sendto(fd, &c, 1, 0, &self.sa, self.len) == 1 && recv(fd, &c, 1, 0) == 1;
	close(fd);
	return ok;
}

/* An IPv6 address leaves the tentative state and gets its local route from a
 * kernel workqueue after it is added, even without DAD: until then a SYN to it
 * is dropped and resent a second later. Wait on address and route
 * notifications (NL_EVENTS, subscribed before the addresses were added) until
 * every address is ready, at most 2 s. */
static int wait_ready(int nl_events, const struct kern_addr *addrs, size_t cnt)
{
	__u64 deadline = kern_now_ms() + 2000;
	char buf[4096];

	for (size_t i = 0; i < cnt; i++) {
		for (int rounds = 0; !addr_ready(&addrs[i]); rounds++) {
			struct pollfd pfd = {.fd = nl_events, .events = POLLIN};

			if (rounds == KERN_WAIT_MAX_ROUNDS ||
			    poll(&pfd, 1, kern_ms_left(deadline)) <= 0)
				return -ETIMEDOUT;
			while (recv(nl_events, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		}
	}
	return 0;
}

int kern_netns__setup(const struct kern_addr *addrs, size_t cnt)
{
	struct sockaddr_nl groups = {.nl_family = AF_NETLINK,
				     .nl_groups = RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE |
						  RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE};
	int nl_events;
	struct timeval tmo = {.tv_sec = 2};
	struct kern_addr ctl4, ctl6, src6;
	int fd, ifindex, err;
	size_t i;

	ifindex = if_nametoindex("lo");
	if (!ifindex)
		return -errno;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	nl_events = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_events < 0 || bind(nl_events, (struct sockaddr *)&groups, sizeof(groups))) {
		err = -errno;
		if (nl_events >= 0)
			close(nl_events);
		close(fd);
		return err;
	}
	err = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) ? -errno : 0;
	kern_addr__parse(&ctl4, "0.0.0.2", 0);
	kern_addr__parse(&ctl6, "::2", 0);
	/* An unbound socket connecting to ::2 gets ::1 as its source whatever
	 * addresses lo has (without it the kernel takes the address added
	 * last); net/loopback.h's lo_pick_source() says so for the model. */
	kern_addr__parse(&src6, "::1", 0);
	err = err ?: nl_link_up(fd, ifindex);
	err = err ?: nl_route_local(fd, ifindex, &ctl4, NULL);
	err = err ?: nl_route_local(fd, ifindex, &ctl6, &src6);
	for (i = 0; i < cnt && !err; i++) {
		err = nl_addr_add(fd, ifindex, &addrs[i]);
		if (err == -EEXIST) /* named twice: it is there, as asked */
			err = 0;
		if (err)
			kern_warn("cannot add address %zu to lo: %s\n", i, strerror(-err));
	}
	close(fd);
	if (!err)
		err = wait_ready(nl_events, addrs, cnt);
	if (err == -ETIMEDOUT)
		kern_warn("the addresses of lo did not become ready within 2 s\n");
	close(nl_events);
	return err;
}
