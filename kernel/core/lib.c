/*
 * The C library functions the hypervisor and libfdt call (declared in
 * inc/libc/string.h). memcpy, memmove and memset sit on hot paths (guest
 * memory copies, page scrubbing), so they move 8 bytes at a time when the
 * two pointers can be aligned together. They never do misaligned 8-byte
 * accesses: on QEMU, as on most RISC-V hardware, those trap to M-mode
 * and OpenSBI emulates them one byte at a time.
 */
#include <string.h>

#include "types.h"

/*
 * GCC turns byte loops like the ones below into calls to memcpy/memset
 * (and, since GCC 12, strlen): inside those functions that is infinite
 * recursion. -ffreestanding and -fno-builtin do not stop it; this does.
 */
#pragma GCC optimize("no-tree-loop-distribute-patterns")

/* A 64-bit word that may alias any object, so the word loops are legal C. */
typedef uint64_t __attribute__((__may_alias__)) word_t;
#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)

static inline bool co_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & WORD_MASK) == 0;
}

/* Forward copy; also correct for overlap with dst below src (memmove). */
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (co_aligned(d, s)) {
		while (n && ((uintptr_t)d & WORD_MASK)) {
			*d++ = *s++;
			n--;
		}
		/*
		 * co-aligned and d < s: s - d >= 8, so each word is read
		 * before any store reaches it.
		 */
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	while (n--)
		*d++ = *s++;
}

/* Backward copy from the ends, for overlap with dst above src. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (co_aligned(d, s)) {
		while (n && ((uintptr_t)d & WORD_MASK)) {
			*--d = *--s;
			n--;
		}
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d <= s || d >= s + n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	/* The byte repeated in all 8 lanes of a word. */
	word_t w = (unsigned char)c * 0x0101010101010101ULL;

	while (n && ((uintptr_t)d & WORD_MASK)) {
		*d++ = (unsigned char)c;
		n--;
	}
	/*
	 * Scrubbing a DomU's memory on create and destroy is most of the
	 * hypervisor's work for them (bench_hyp, create_destroy_instr): 8
	 * stores per loop turn cut its instructions per byte from 1/2 to 5/32.
	 */
	for (; n >= 8 * WORD_SIZE; n -= 8 * WORD_SIZE) {
		word_t *p = (word_t *)d;

		p[0] = w;
		p[1] = w;
		p[2] = w;
		p[3] = w;
		p[4] = w;
		p[5] = w;
		p[6] = w;
		p[7] = w;
		d += 8 * WORD_SIZE;
	}
	for (; n >= WORD_SIZE; n -= WORD_SIZE) {
		*(word_t *)d = w;
		d += WORD_SIZE;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			return 0;
	}
	return 0;
}

char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}
