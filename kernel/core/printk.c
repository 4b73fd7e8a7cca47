/* Formatted output for the hypervisor log (a small vsnprintf). */
#include <stdarg.h>

#include "console.h"
#include "printk.h"

struct fmtbuf {
	char *buf;
	size_t size, len;
};

static void put(struct fmtbuf *f, char c)
{
	if (f->len + 1 < f->size)
		f->buf[f->len] = c;
	f->len++;
}

static void put_num(struct fmtbuf *f, unsigned long long v, unsigned base,
		    bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (; width > n; width--)
		put(f, pad);
	while (n)
		put(f, tmp[--n]);
}

static void put_str(struct fmtbuf *f, const char *s, int width, bool left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	for (; !left && width > n; width--)
		put(f, ' ');
	for (int i = 0; i < n; i++)
		put(f, s[i]);
	for (; left && width > n; width--)
		put(f, ' ');
}

static unsigned long long get_arg(va_list *ap, int lng, bool sgn)
{
	if (lng >= 1)
		return sgn ? (unsigned long long)va_arg(*ap, long)
			   : va_arg(*ap, unsigned long);
	return sgn ? (unsigned long long)(long)va_arg(*ap, int)
		   : va_arg(*ap, unsigned int);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmtbuf f = {buf, size, 0};
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&f, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			long long v = (long long)get_arg(&aq, lng, true);
			put_num(&f, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
				10, v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(&f, get_arg(&aq, lng, false), 10, false, width, pad);
			break;
		case 'x':
			put_num(&f, get_arg(&aq, lng, false), 16, false, width, pad);
			break;
		case 'p':
			put(&f, '0');
			put(&f, 'x');
			put_num(&f, (unsigned long)va_arg(aq, void *), 16, false,
				width, pad);
			break;
		case 's':
			put_str(&f, va_arg(aq, const char *), width, left);
			break;
		case 'c':
			put(&f, (char)va_arg(aq, int));
			break;
		case '%':
			put(&f, '%');
			break;
		default:
			put(&f, '%');
			put(&f, *fmt);
			break;
		}
		if (!*fmt)
			break;
	}
	va_end(aq);
	if (size)
		buf[f.len < size ? f.len : size - 1] = '\0';
	return (int)f.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Format into a bounded buffer and append it to the log. */
static void vlog(const char *fmt, va_list ap)
{
	char buf[256];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	log_write(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void arch_halt(void) __attribute__((noreturn));

void panic(const char *fmt, ...)
{
	va_list ap;

	log_write("PANIC: ", 7);
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	log_write("\n", 1);
	arch_halt();
}
