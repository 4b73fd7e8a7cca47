/*
 * The vireod control protocol, spoken by `vl` (and anything else) over the
 * UNIX stream socket VIREOD_SOCKET, which only root may open.
 *
 * Text lines. A line is a series of fields separated by one TAB and ends
 * with '\n'. Inside a field, a backslash, TAB and newline are written as
 * the two-character escapes \\, \t and \n (the codec at the end of this
 * file); an empty field is allowed. No line is longer than VIREOD_LINE_MAX
 * bytes, '\n' included.
 *
 * The client sends one request line, whose first field is the verb; vireod
 * answers with zero or more informational lines and then exactly one final
 * line, "ok ..." or "err MESSAGE". A client may send its next request after
 * the final line. DOM below is a domain name or a decimal domid; "Domain-0"
 * and 0 name Dom0.
 *
 *   create PATH CWD FLAGS [OVERRIDE...]
 *	Parse the xl.cfg file PATH (absolute), apply the "key=value"
 *	OVERRIDEs, build the domain and start it. FLAGS is "-" or letters:
 *	'p' leaves it paused. Relative kernel/ramdisk paths are taken from
 *	CWD (the client's directory), else from PATH's directory.
 *	  warn MESSAGE		(0+: the parser's "FILE:LINE: warning: ...")
 *	  ok DOMID NAME		| err MESSAGE (a parse error is "FILE:LINE: ...")
 *   list
 *	  dom DOMID NAME STATE REASON VCPUS MEM_PAGES CPU_NS CTIME CONFIG
 *				(0+, ascending domid, Domain-0 first)
 *	  ok
 *	STATE is vireo_domain_info.state and REASON its shutdown_reason, in
 *	decimal; MEM_PAGES the pages populated; CPU_NS the CPU time; CTIME
 *	the creation time (seconds since the Epoch, 0 if vireod does not know
 *	it); CONFIG the config file path ("" if none). A domain vireod did
 *	not create is listed with the name "(null)", as xl does.
 *   destroy DOM | pause DOM | unpause DOM	-> ok
 *   rename DOM NEWNAME				-> ok
 *   shutdown DOM WAIT | reboot DOM WAIT	(WAIT "0" or "1")
 *	Ask the guest agent to power off / reboot (vireo_domain_control) and
 *	wait (up to VIREOD_SHUTDOWN_TIMEOUT_S) until the guest has; with
 *	WAIT "1" also until vireod has applied on_poweroff / on_reboot.
 *	-> ok | err MESSAGE
 *   console DOM
 *	  ok DOMID NAME, after which the connection carries raw bytes both
 *	  ways: first the buffered console output (up to VIREOD_CONSOLE_BUF),
 *	  then live output; bytes the client sends are the guest's input.
 *	  vireod closes the connection when the domain goes away.
 *   domid NAME		-> ok DOMID
 *   domname DOMID	-> ok NAME
 *   devices DOM
 *	  disk VDEV BACKEND STATE SLOT ACCESS TARGET       (0+, config order)
 *	  nic INDEX BACKEND STATE SLOT MAC BRIDGE IFNAME   (0+)
 *	  virtio INDEX BACKEND STATE SLOT TYPE            (0+: TYPE console|rng)
 *	  ok
 *	BACKEND is the backend domid (0); STATE is the xenbus-style number:
 *	4 (connected) while the device model serves it, 6 (closed) when it
 *	is gone; SLOT the virtio-mmio slot; ACCESS "rw" or "ro". Dom0 has
 *	none (its devices are physical).
 *   version		-> ok VIREOD_PROTO_VERSION
 */
#ifndef VIREOD_PROTO_H
#define VIREOD_PROTO_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define VIREOD_PROTO_VERSION 1
#define VIREOD_SOCKET "/run/vireod.sock"
#define VIREOD_SOCKET_ENV "VIREOD_SOCKET" /* overrides it, for tests */
#define VIREOD_LINE_MAX 4096
#define VIREOD_FIELDS_MAX 64
#define VIREOD_CONSOLE_BUF (64 * 1024)
#define VIREOD_SHUTDOWN_TIMEOUT_S 10

/* The name vl and vireod give Dom0, and to a domain with no record. */
#define VIREOD_DOM0_NAME "Domain-0"
#define VIREOD_NONAME "(null)"

/*
 * The line codec, shared by vireod and vl (header-only, so that each
 * program's build needs nothing more):
 *
 * vireod_field_append(buf, cap, &len, field)
 *	Append `field` to the line in buf (used bytes len, room cap), escaped
 *	and preceded by a TAB unless len == 0 (so a line whose first field is
 *	empty must be made with vireod_line_build). Keeps room for the '\n'
 *	and NUL that end a line. Returns 0, or -1 if it does not fit (buf then
 *	holds what it held before).
 * vireod_line_build(buf, cap, fields, nr)
 *	A whole line, '\n' included, from nr fields. Returns its length, or
 *	-1 if it would not fit in cap bytes (at most VIREOD_LINE_MAX + 1 used).
 * vireod_line_split(line, fields, max)
 *	Split a line (without its '\n') in place into at most max fields,
 *	unescaping each. Returns the number of fields, or -1 if there are more
 *	than max or an escape is invalid.
 * vireod_parse_domid(s, &domid)
 *	Is s a decimal domid ("0".."4294967295", digits only)? Sets domid.
 */
static inline size_t vireod_field_escaped_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (*s == '\\' || *s == '\t' || *s == '\n') ? 2 : 1;
	return n;
}

/* Append field, after a TAB if sep; keep room for the final '\n' and NUL. */
static inline int vireod_field_put(char *buf, size_t cap, size_t *len,
				    const char *field, int sep)
{
	size_t need = vireod_field_escaped_len(field) + (sep ? 1 : 0);
	size_t at = *len;

	if (at + need + 2 > cap)
		return -1;
	if (sep)
		buf[at++] = '\t';
	for (const char *s = field; *s; s++) {
		switch (*s) {
		case '\\':
			buf[at++] = '\\';
			buf[at++] = '\\';
			break;
		case '\t':
			buf[at++] = '\\';
			buf[at++] = 't';
			break;
		case '\n':
			buf[at++] = '\\';
			buf[at++] = 'n';
			break;
		default:
			buf[at++] = *s;
		}
	}
	buf[at] = '\0';
	*len = at;
	return 0;
}

static inline int vireod_field_append(char *buf, size_t cap, size_t *len,
				       const char *field)
{
	return vireod_field_put(buf, cap, len, field, *len != 0);
}

static inline int vireod_line_build(char *buf, size_t cap,
				    const char *const *fields, unsigned nr)
{
	size_t len = 0;

	if (cap > VIREOD_LINE_MAX + 1)
		cap = VIREOD_LINE_MAX + 1;
	if (cap < 2)
		return -1;
	for (unsigned i = 0; i < nr; i++)
		if (vireod_field_put(buf, cap, &len, fields[i], i > 0) < 0)
			return -1;
	buf[len++] = '\n';
	buf[len] = '\0';
	return (int)len;
}

/* Unescape s in place; returns 0, or -1 on a bad escape. */
static inline int vireod_field_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (*s != '\\') {
			*d++ = *s;
			continue;
		}
		s++;
		if (*s == '\\')
			*d++ = '\\';
		else if (*s == 't')
			*d++ = '\t';
		else if (*s == 'n')
			*d++ = '\n';
		else
			return -1;
	}
	*d = '\0';
	return 0;
}

static inline int vireod_line_split(char *line, char **fields,
				    unsigned max)
{
	unsigned nr = 0;
	char *p = line;

	for (;;) {
		char *tab = strchr(p, '\t');

		if (nr == max)
			return -1;
		if (tab)
			*tab = '\0';
		if (vireod_field_unescape(p) < 0)
			return -1;
		fields[nr++] = p;
		if (!tab)
			return (int)nr;
		p = tab + 1;
	}
}

static inline int vireod_parse_domid(const char *s, unsigned *domid)
{
	unsigned long v;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v > 0xffffffffUL)
		return 0;
	*domid = (unsigned)v;
	return 1;
}

#endif
