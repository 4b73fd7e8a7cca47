/*
 * virtio-net (virtio 1.2, section 5.1) over a tap device in Dom0, the
 * guest's end of a Xen-style "vif".
 *
 * Arguments ("key=value,..."):
 *   mac=xx:xx:xx:xx:xx:xx	the guest's MAC (required; unicast)
 *   bridge=NAME		attach the tap to this Linux bridge
 *   ifname=NAME		the tap's name (default "vif<domid>.<index>")
 *   fd=N			testing: frames on an open descriptor (e.g. a
 *				SOCK_SEQPACKET socket) instead of a tap; the
 *				device owns it from then on
 *
 * Queue 0 is receiveq (Dom0 -> guest), 1 is transmitq; no control queue,
 * no multiqueue. Every frame, on both queues, starts with a 12-byte
 * struct virtio_net_hdr_v1 (virtio 1.x always has num_buffers). The tap is
 * set up (TUNSETVNETHDRSZ) to use exactly that header, so checksum and
 * segmentation offloads pass straight through: a guest TSO segment of
 * 64 KiB becomes one writev() to the tap, and the host's large segments
 * come back the same way, which is what makes guest TCP fast.
 *
 * TX: each chain's device-readable part (header + frame) goes to the tap
 * as one write, straight from guest memory. A malformed or undeliverable
 * frame is dropped and counted, never a device error: a NIC drops.
 *
 * RX: frames are read from the tap into a scratch buffer and copied into
 * the guest's receive chains. With VIRTIO_NET_F_MRG_RXBUF a frame may
 * spread over several chains and the header's num_buffers says how many;
 * without it a frame must fit one chain. When the guest has no buffers
 * left the frame read last stays pending here until it posts more (its
 * kick on queue 0 brings us back), and the tap is not polled meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "virtio_backend.h"

#define NET_RXQ 0
#define NET_TXQ 1
#define NET_HDR_LEN sizeof(struct virtio_net_hdr_v1)
/* The largest frame, as virtio-net sizes "big" buffers: 64 KiB + Ethernet. */
#define NET_MAX_FRAME 65550
#define NET_MAX_PKT (NET_HDR_LEN + NET_MAX_FRAME)
/* Frames delivered per input() before returning to the main loop. */
#define NET_RX_BUDGET 256
#define NET_NUM_BUFFERS_OFF offsetof(struct virtio_net_hdr_v1, num_buffers)
/* Config space: mac and status (no MQ, MTU, speed). */
#define NET_CONFIG_SIZE offsetof(struct virtio_net_config, max_virtqueue_pairs)

/* A chain filled with part of the pending frame, not yet given back. */
struct net_held {
	uint16_t head;
	uint32_t len;
};

struct net {
	int fd;
	bool tap;		/* fd is a tap we made (else fd=N) */
	bool rx_dead;		/* the fd hung up or failed: stop polling it */
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	bool mrg_rxbuf;		/* negotiated, from start() */
	/* The frame being delivered: pkt[0 .. pkt_len), pkt_off sent. */
	uint8_t *pkt;
	size_t pkt_len, pkt_off;
	/* The chains it fills so far, and where its num_buffers lives. */
	struct net_held held[VIRTQ_MAX_SIZE];
	unsigned n_held;
	uint8_t *num_buffers[2];
	/* A chain popped but not used (too small for a frame without MRG). */
	struct virtq_elem *spare;
	bool have_spare;
	unsigned long tx_dropped, rx_dropped;
};

/* ------------------------------------------------------------ create */

/* Values live only during the callback: what we keep is copied. */
struct net_args {
	struct net *n;
	bool have_mac;
	char bridge[IFNAMSIZ];	/* "" if none */
	char ifname[IFNAMSIZ];
	int fd;
	char *err;
	size_t errlen;
};

static int net_parse_mac(const char *s, uint8_t mac[6])
{
	int end = -1;

	if (sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0],
		   &mac[1], &mac[2], &mac[3], &mac[4], &mac[5], &end) != 6 ||
	    end != 17 || s[end])
		return -1;
	/* The group bit: a multicast address cannot be a NIC's own. */
	return mac[0] & 1 ? -1 : 0;
}

static int net_parse_fd(const char *s, int *fd)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535 ||
	    fcntl((int)v, F_GETFD) < 0)
		return -1;
	*fd = (int)v;
	return 0;
}

static int net_arg(void *opaque, const char *key, const char *value)
{
	struct net_args *a = opaque;
	const char *what = NULL;

	if (!strcmp(key, "mac")) {
		a->have_mac = true;
		if (net_parse_mac(value, a->n->mac))
			what = "mac= wants a unicast xx:xx:xx:xx:xx:xx";
	} else if (!strcmp(key, "bridge") || !strcmp(key, "ifname")) {
		if (!*value || strlen(value) >= IFNAMSIZ || strchr(value, '/'))
			what = "bad interface name";
		else
			strcpy(key[0] == 'b' ? a->bridge : a->ifname, value);
	} else if (!strcmp(key, "fd")) {
		if (net_parse_fd(value, &a->fd))
			what = "fd= wants an open file descriptor";
	} else {
		what = "unknown argument";
	}
	if (what)
		snprintf(a->err, a->errlen, "net: %s: '%s=%s'", what, key,
			 value);
	return what ? -1 : 0;
}

/* SIOCGIFFLAGS/SIOCSIFFLAGS and bridge ioctls go through any socket. */
static int net_ctl_socket(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return s >= 0 ? s : socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* Bring the tap up and, if asked, add it to a bridge. */
static int net_tap_configure(struct net *n, const char *bridge, char *err,
			     size_t errlen)
{
	struct ifreq ifr;
	int s = net_ctl_socket(), ifindex;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, n->ifname);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail_up;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail_up;
	if (bridge) {
		if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
			goto fail_bridge;
		ifindex = ifr.ifr_ifindex;
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, bridge);
		ifr.ifr_ifindex = ifindex;
		if (ioctl(s, SIOCBRADDIF, &ifr) < 0)
			goto fail_bridge;
	}
	close(s);
	return 0;
fail_up:
	snprintf(err, errlen, "net: cannot bring %s up: %s", n->ifname,
		 strerror(errno));
	goto out;
fail_bridge:
	snprintf(err, errlen, "net: cannot add %s to bridge %s: %s", n->ifname,
		 bridge, strerror(errno));
out:
	if (s >= 0)
		close(s);
	return -1;
}

/*
 * A tap whose frames carry struct virtio_net_hdr_v1 (IFF_VNET_HDR with a
 * 12-byte header) and no packet-info prefix, non-blocking.
 */
static int net_tap_open(struct net *n, const char *bridge, char *err,
			size_t errlen)
{
	struct ifreq ifr;
	int hdr_len = NET_HDR_LEN;

	n->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->fd < 0) {
		snprintf(err, errlen, "net: cannot open /dev/net/tun: %s",
			 strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, n->ifname);
	if (ioctl(n->fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen, "net: cannot create tap %s: %s",
			 n->ifname, strerror(errno));
		goto fail;
	}
	memcpy(n->ifname, ifr.ifr_name, IFNAMSIZ);
	n->ifname[IFNAMSIZ - 1] = '\0';
	if (ioctl(n->fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		snprintf(err, errlen, "net: %s TUNSETVNETHDRSZ: %s", n->ifname,
			 strerror(errno));
		goto fail;
	}
	if (net_tap_configure(n, bridge, err, errlen) < 0)
		goto fail;
	n->tap = true;
	return 0;
fail:
	close(n->fd);
	return -1;
}

static int net_setup(struct net *n, const struct virtio_backend_ctx *ctx,
		     struct net_args *a)
{
	if (!a->have_mac) {
		snprintf(a->err, a->errlen, "net: mac= is required");
		return -1;
	}
	if (a->fd >= 0) {
		int fl = fcntl(a->fd, F_GETFL);

		if (a->bridge[0] || a->ifname[0]) {
			snprintf(a->err, a->errlen,
				 "net: fd= excludes bridge= and ifname=");
			return -1;
		}
		if (fl < 0 || fcntl(a->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			snprintf(a->err, a->errlen, "net: fd=%d: %s", a->fd,
				 strerror(errno));
			return -1;
		}
		n->fd = a->fd;
		return 0;
	}
	if (a->ifname[0])
		strcpy(n->ifname, a->ifname);
	else if (snprintf(n->ifname, sizeof(n->ifname), "vif%u.%u",
			  ctx->domid, ctx->index) >= (int)sizeof(n->ifname)) {
		snprintf(a->err, a->errlen, "net: default tap name too long");
		return -1;
	}
	return net_tap_open(n, a->bridge[0] ? a->bridge : NULL, a->err,
			    a->errlen);
}

static void net_free(struct net *n)
{
	free(n->pkt);
	free(n->spare);
	free(n);
}

static int net_create(const struct virtio_backend_ctx *ctx, const char *args,
		      void **priv, char *err, size_t errlen)
{
	struct net *n = calloc(1, sizeof(*n));
	struct net_args a = { .n = n, .fd = -1, .err = err, .errlen = errlen };

	if (errlen)
		err[0] = '\0';
	if (n) {
		n->pkt = malloc(NET_MAX_PKT + 1);
		n->spare = malloc(sizeof(*n->spare));
	}
	if (!n || !n->pkt || !n->spare) {
		snprintf(err, errlen, "net: out of memory");
		goto fail;
	}
	if (virtio_backend_args(args ? args : "", net_arg, &a)) {
		if (errlen && !err[0])
			snprintf(err, errlen, "net: malformed arguments '%s'",
				 args ? args : "");
		goto fail;
	}
	if (net_setup(n, ctx, &a) < 0)
		goto fail;
	*priv = n;
	return 0;
fail:
	if (n)
		net_free(n);
	return -1;
}

static void net_destroy(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;

	if (!n)
		return;
	if (n->tx_dropped || n->rx_dropped)
		fprintf(stderr, "vireo-dm: net %s: dropped %lu tx, %lu rx\n",
			n->tap ? n->ifname : "fd", n->tx_dropped,
			n->rx_dropped);
	close(n->fd);
	net_free(n);
	vm->priv = NULL;
}

/* ------------------------------------------- features, config, lifecycle */

static uint64_t net_features(struct virtio_mmio *vm)
{
	static const unsigned bits[] = {
		VIRTIO_NET_F_MAC,	  VIRTIO_NET_F_STATUS,
		VIRTIO_NET_F_MRG_RXBUF,	  VIRTIO_NET_F_CSUM,
		VIRTIO_NET_F_GUEST_CSUM,  VIRTIO_NET_F_HOST_TSO4,
		VIRTIO_NET_F_HOST_TSO6,	  VIRTIO_NET_F_HOST_ECN,
		VIRTIO_NET_F_GUEST_TSO4,  VIRTIO_NET_F_GUEST_TSO6,
		VIRTIO_NET_F_GUEST_ECN,
	};
	uint64_t f = 0;

	(void)vm; /* the same for every net device */
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		f |= 1ULL << bits[i];
	return f;
}

static void net_get_config(struct virtio_mmio *vm, void *buf)
{
	struct net *n = vm->priv;
	struct virtio_net_config c;

	memset(&c, 0, sizeof(c));
	memcpy(c.mac, n->mac, sizeof(c.mac));
	c.status = VIRTIO_NET_S_LINK_UP; /* little-endian host */
	memcpy(buf, &c, NET_CONFIG_SIZE);
}

static bool net_has(struct virtio_mmio *vm, unsigned bit)
{
	return vm->driver_features & (1ULL << bit);
}

/*
 * Features are final: tell the tap which offloads the guest takes on
 * receive, so that the host hands us partially checksummed frames and
 * large segments only if the guest accepted GUEST_CSUM and GUEST_TSO*.
 * The tap refuses TSO without checksum offload, as the spec does.
 */
static void net_start(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;
	unsigned off = 0;

	n->mrg_rxbuf = net_has(vm, VIRTIO_NET_F_MRG_RXBUF);
	if (!n->tap)
		return;
	if (net_has(vm, VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (net_has(vm, VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (net_has(vm, VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if ((off & (TUN_F_TSO4 | TUN_F_TSO6)) &&
		    net_has(vm, VIRTIO_NET_F_GUEST_ECN))
			off |= TUN_F_TSO_ECN;
	}
	if (ioctl(n->fd, TUNSETOFFLOAD, off) < 0)
		fprintf(stderr, "vireo-dm: net %s: TUNSETOFFLOAD %#x: %s\n",
			n->ifname, off, strerror(errno));
}

/* The driver reset the device: chains we held are no longer ours. */
static void net_reset(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;

	if (n->pkt_len)
		n->rx_dropped++;
	n->pkt_len = n->pkt_off = 0;
	n->n_held = 0;
	n->have_spare = false;
	n->mrg_rxbuf = false;
}

/* ------------------------------------------------------------------ TX */

/* One transmit chain: header + frame, as one write. Drops are counted. */
static void net_tx_one(struct net *n, struct virtq_elem *e)
{
	ssize_t r;

	if (e->out_len < NET_HDR_LEN || e->out_len > NET_MAX_PKT) {
		n->tx_dropped++;
		return;
	}
	do
		r = writev(n->fd, e->iov, e->n_out);
	while (r < 0 && errno == EINTR);
	/*
	 * EAGAIN: the tap's queue is full. A NIC would drop too; retrying
	 * here would spin the main loop (kvmtool's busy-wait).
	 */
	if (r != (ssize_t)e->out_len)
		n->tx_dropped++;
}

static void net_tx(struct virtio_mmio *vm)
{
	struct virtq *vq = &vm->vq[NET_TXQ];
	struct virtq_elem *e = vm->elem;

	if (!virtio_mmio_queue_live(vm, NET_TXQ))
		return;
	do {
		int r;

		virtq_set_notify(vq, false);
		while ((r = virtq_pop(vq, e)) == VIRTQ_GOT) {
			net_tx_one(vm->priv, e);
			virtq_push(vq, e->head, 0);
		}
		if (r == VIRTQ_BROKEN) {
			virtio_mmio_fail(vm, vq->error);
			return;
		}
		virtq_set_notify(vq, true);
		virtio_mmio_notify_used(vm, NET_TXQ);
	} while (virtq_has_work(vq));
}

/* ------------------------------------------------------------------ RX */

/* Host address of byte off of the iovecs, or NULL past their end. */
static uint8_t *net_iov_byte(const struct iovec *iov, unsigned n, size_t off)
{
	for (unsigned i = 0; i < n; i++) {
		if (off < iov[i].iov_len)
			return (uint8_t *)iov[i].iov_base + off;
		off -= iov[i].iov_len;
	}
	return NULL;
}

enum net_fill { NET_FILLED, NET_NO_BUFFER, NET_BROKEN };

/* Next receive chain: the spare one if any, else a new one. */
static int net_rx_chain(struct virtio_mmio *vm, struct virtq_elem **ep)
{
	struct net *n = vm->priv;
	struct virtq *vq = &vm->vq[NET_RXQ];
	int r;

	*ep = n->spare;
	if (n->have_spare) {
		n->have_spare = false;
		return VIRTQ_GOT;
	}
	r = virtq_pop(vq, n->spare);
	if (r != VIRTQ_EMPTY)
		return r;
	/* Starving: ask for a kick, then look again (it may have raced). */
	virtq_set_notify(vq, true);
	if (!virtq_has_work(vq))
		return VIRTQ_EMPTY;
	virtq_set_notify(vq, false);
	return virtq_pop(vq, n->spare);
}

/*
 * Give the pending frame's chains back, in order, num_buffers set in the
 * first one's header (spec 5.1.6.4: without MRG_RXBUF it is 1). The used
 * index is published once for the whole frame: a driver polling meanwhile
 * must never see its first chain without the rest (Linux would count
 * "rx error: buffers missing" and drop the frame).
 */
static void net_rx_complete(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;
	uint16_t nb = n->n_held;

	*n->num_buffers[0] = nb & 0xff;
	*n->num_buffers[1] = nb >> 8;
	for (unsigned i = 0; i < n->n_held; i++)
		virtq_fill(&vm->vq[NET_RXQ], n->held[i].head, n->held[i].len);
	virtq_publish(&vm->vq[NET_RXQ]);
	n->n_held = 0;
	n->pkt_len = n->pkt_off = 0;
}

/*
 * The pending frame no longer has a way in: every buffer of the queue is
 * held for it (MRG_RXBUF with tiny buffers). Hand the chains back empty,
 * which a driver takes as runt frames and recycles.
 */
static void net_rx_abandon(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;

	for (unsigned i = 0; i < n->n_held; i++)
		virtq_push(&vm->vq[NET_RXQ], n->held[i].head, 0);
	n->n_held = 0;
	n->pkt_len = n->pkt_off = 0;
	n->rx_dropped++;
}

/*
 * Copy (more of) the pending frame into receive chains. A chain too small
 * for a header, or for the whole frame without MRG_RXBUF, is not
 * part of any frame: the first goes back empty (the driver broke a rule),
 * the second is kept for the next frame and the oversized one dropped.
 */
static enum net_fill net_rx_fill(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;
	struct virtq *vq = &vm->vq[NET_RXQ];
	struct virtq_elem *e;
	size_t chunk;
	int r;

	while (n->pkt_off < n->pkt_len) {
		r = net_rx_chain(vm, &e);
		if (r == VIRTQ_EMPTY)
			return NET_NO_BUFFER;
		if (r == VIRTQ_BROKEN)
			return NET_BROKEN;
		if (n->n_held == 0 && e->in_len < NET_HDR_LEN) {
			virtq_push(vq, e->head, 0);
			continue;
		}
		if (n->n_held == 0 && !n->mrg_rxbuf && e->in_len < n->pkt_len) {
			n->have_spare = true; /* for the next frame */
			n->pkt_len = 0;
			n->rx_dropped++;
			return NET_FILLED;
		}
		chunk = n->pkt_len - n->pkt_off;
		if (chunk > e->in_len)
			chunk = e->in_len;
		virtq_buf_to_iov(e->iov + e->n_out, e->n_in, 0,
				 n->pkt + n->pkt_off, chunk);
		if (n->n_held == 0) {
			for (int i = 0; i < 2; i++)
				n->num_buffers[i] = net_iov_byte(
					e->iov + e->n_out, e->n_in,
					NET_NUM_BUFFERS_OFF + i);
		}
		n->held[n->n_held].head = e->head;
		n->held[n->n_held].len = chunk;
		n->n_held++;
		n->pkt_off += chunk;
		if (n->pkt_off < n->pkt_len && n->n_held == vq->num) {
			net_rx_abandon(vm);
			return NET_FILLED;
		}
	}
	net_rx_complete(vm);
	return NET_FILLED;
}

/*
 * Read the next frame into the scratch buffer. Returns 1 with a frame,
 * 0 when there is none now (EAGAIN), -1 when the fd is finished (EOF or
 * an error: polling it again would only spin).
 */
static int net_rx_read(struct net *n)
{
	ssize_t r;

	for (;;) {
		r = read(n->fd, n->pkt, NET_MAX_PKT + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		if (r <= 0) {
			fprintf(stderr, "vireo-dm: net %s: %s\n",
				n->tap ? n->ifname : "fd",
				r ? strerror(errno) : "end of file");
			return -1;
		}
		/* A runt without a header, or a giant: drop it, go on. */
		if (r < (ssize_t)NET_HDR_LEN || r > (ssize_t)NET_MAX_PKT) {
			n->rx_dropped++;
			continue;
		}
		n->pkt_len = r;
		n->pkt_off = 0;
		return 1;
	}
}

/* Can the guest take (part of) a frame now? */
static bool net_rx_has_buffer(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;

	return n->have_spare || virtq_has_work(&vm->vq[NET_RXQ]);
}

/* Read the next frame if the guest has room for it: is one pending now? */
static bool net_rx_next(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;
	int r;

	if (n->rx_dead || !net_rx_has_buffer(vm))
		return false;
	r = net_rx_read(n);
	if (r < 0)
		n->rx_dead = true;
	return r > 0;
}

/*
 * Deliver the pending frame, then frames from the fd, while the guest has
 * buffers. The guest's kicks on the receive queue are only wanted when it
 * runs dry, so they are off while buffers remain (net_rx_chain turns them
 * back on).
 */
static void net_rx(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;
	struct virtq *vq = &vm->vq[NET_RXQ];

	if (!virtio_mmio_queue_live(vm, NET_RXQ))
		return;
	virtq_set_notify(vq, false);
	for (unsigned done = 0; done < NET_RX_BUDGET; done++) {
		enum net_fill f;

		if (!n->pkt_len && !net_rx_next(vm))
			break;
		f = net_rx_fill(vm);
		if (f == NET_BROKEN) {
			virtio_mmio_fail(vm, vq->error);
			return;
		}
		if (f == NET_NO_BUFFER)
			break;
	}
	/*
	 * Dry: kicks back on. Buffers posted just before this are seen by
	 * net_input_fd(), which the main loop calls before it sleeps.
	 */
	if (!net_rx_has_buffer(vm))
		virtq_set_notify(vq, true);
	virtio_mmio_notify_used(vm, NET_RXQ);
}

static void net_notify(struct virtio_mmio *vm, unsigned q)
{
	if (q == NET_TXQ)
		net_tx(vm);
	else if (q == NET_RXQ)
		net_rx(vm); /* new buffers: a pending frame can go in */
}

/*
 * Poll the fd only while the guest can take a frame: otherwise a readable
 * tap would wake the main loop for nothing, again and again.
 */
static int net_input_fd(struct virtio_mmio *vm)
{
	struct net *n = vm->priv;

	if (n->rx_dead || n->pkt_len || !virtio_mmio_queue_live(vm, NET_RXQ) ||
	    !net_rx_has_buffer(vm))
		return -1;
	return n->fd;
}

static const struct virtio_dev_ops net_ops = {
	.name = "net",
	.device_id = VIRTIO_ID_NET,
	.nr_queues = 2,
	.queue_max = VIRTQ_MAX_SIZE,
	.features = net_features,
	.config_size = NET_CONFIG_SIZE,
	.get_config = net_get_config,
	.notify = net_notify,
	.start = net_start,
	.reset = net_reset,
	.destroy = net_destroy,
};

const struct virtio_backend virtio_net_backend = {
	.type = "net",
	.ops = &net_ops,
	.create = net_create,
	.input_fd = net_input_fd,
	.input = net_rx,
};
