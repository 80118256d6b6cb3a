// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sock.c: TCP sockets with bounded waits, and control connects (SPEC §2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <unistd.h>
#include "kernel_internal.h"

/* A TCP socket of LOCAL's family bound to LOCAL; FLAGS go to socket(). */
static int sock_bound(const struct kern_addr *local, int flags)
{
	int fd, err, on = 1, off = 0;

	fd = socket(local->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return -errno;
	/* Dual stack whatever the sysctl says: an AF_INET6 listener on :: sees
	 * IPv4 clients as ::ffff:a.b.c.d, and ::ffff:a.b.c.d can be bound. */
	if (local->sa.sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)))
		goto fail;
	/* Port 0: the port is chosen at connect(), by the 4-tuple, instead of
	 * searching a free one at bind() among thousands of TIME_WAIT sockets. */
	if (!kern_addr__port(local) &&
	    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof(on)))
		goto fail;
	/* Fixed listener ports can be reused while old connections linger. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, &local->sa, local->len))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int kern_sock__bind(const struct kern_addr *local)
{
	return sock_bound(local, SOCK_NONBLOCK);
}

int kern_sock__listen(const struct kern_addr *local, struct kern_addr *bound)
{
	int fd, err = 0;

	fd = sock_bound(local, SOCK_NONBLOCK);
	if (fd < 0)
		return fd;
	if (listen(fd, SOMAXCONN))
		err = -errno;
	else if (bound)
		err = kern_sock__local(fd, bound);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* Wait until FD reports EVENTS, at most TIMEOUT_MS; *REVENTS (may be NULL)
 * gets what it reported. 0, -ETIMEDOUT or -errno. */
static int sock_wait(int fd, short events, int timeout_ms, short *revents)
{
	__u64 deadline = kern_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd = {.fd = fd, .events = events};
	int rounds, n;

	for (rounds = 0; rounds < KERN_WAIT_MAX_ROUNDS; rounds++) {
		n = poll(&pfd, 1, kern_ms_left(deadline));
		if (revents)
			*revents = pfd.revents;
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
	return -ETIMEDOUT;
}

int kern_sock__connect(int fd, const struct kern_addr *peer, int timeout_ms)
{
	socklen_t len = sizeof(int);
	int err, soerr = 0;
	short revents = 0;

	if (!kern_sandbox__is_inside())
		return -EPERM;
	if (connect(fd, &peer->sa, peer->len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	/* On loopback the handshake is over when connect() returns: the poll
	 * only says so. Writable with neither error nor hang-up: established. */
	err = sock_wait(fd, POLLOUT, timeout_ms, &revents);
	if (err)
		return err;
	if (!(revents & (POLLERR | POLLHUP)))
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	return -soerr;
}

int kern_sock__accept(int listen_fd, int timeout_ms)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	int err;

	/* Mostly one is queued already: the wait only when none is. */
	if (fd < 0 && errno == EAGAIN && timeout_ms > 0) {
		err = sock_wait(listen_fd, POLLIN, timeout_ms, NULL);
		if (err)
			return err;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

int kern_sock__local(int fd, struct kern_addr *a)
{
	a->len = sizeof(a->in6);
	return getsockname(fd, &a->sa, &a->len) ? -errno : 0;
}

int kern_sock__peer(int fd, struct kern_addr *a)
{
	a->len = sizeof(a->in6);
	return getpeername(fd, &a->sa, &a->len) ? -errno : 0;
}

int kern_sock__poke(const struct kern_addr *local, const struct kern_addr *peer)
{
	int fd, err = 0;

	if (!kern_sandbox__is_inside())
		return -EPERM;
	fd = sock_bound(local, SOCK_NONBLOCK);
	if (fd < 0)
		return fd;
	/* TCP_CONNECT_CB has run once connect() has sent the SYN: it is pending
	 * (EINPROGRESS), or already refused when the RST came back within the
	 * call. The SYN's fate is irrelevant, and close() on SYN_SENT sends nothing. */
	if (connect(fd, &peer->sa, peer->len) && errno != EINPROGRESS && errno != ECONNREFUSED)
		err = -errno;
	close(fd);
	return err;
}

int kern_ctl__connect(const struct kern_addr *pod, __u16 port)
{
	struct kern_addr ctl;
	struct kern_addr local = *pod;

	kern_addr__parse(&ctl, pod->sa.sa_family == AF_INET ? "0.0.0.2" : "::2", port);
	/* Bound to the pod address: with a local route, the kernel would
	 * otherwise pick 0.0.0.2 (or ::2) itself as the source. */
	kern_addr__set_port(&local, 0);
	return kern_sock__poke(&local, &ctl);
}

int kern_ctl__enrol(const struct kern_addr *pod)
{
	return kern_ctl__connect(pod, KM_CONTROL_PORT_ENROL);
}

int kern_ctl__leave(const struct kern_addr *pod)
{
	return kern_ctl__connect(pod, KM_CONTROL_PORT_LEAVE);
}
