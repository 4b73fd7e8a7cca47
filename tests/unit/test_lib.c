/*
 * Host unit test of the hypervisor's memset, memcpy and memmove
 * (kernel/core/lib.c), renamed here so they do not replace the host's:
 * every length up to 300 bytes at every alignment of both pointers,
 * against a byte-at-a-time reference, with guard bytes around the
 * destination that must stay untouched.
 */
#include "test.h"

#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define memchr k_memchr
#define strlen k_strlen
#define strnlen k_strnlen
#define strchr k_strchr
#define strrchr k_strrchr
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strncpy k_strncpy
#define strstr k_strstr
#include "../../kernel/core/lib.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp

#define LEN 300
#define PAD 24
#define SPAN (PAD + LEN + PAD + 16)

static unsigned char buf[SPAN], want[SPAN];

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static void test_memset(void)
{
	int bad = 0;

	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= LEN; n++) {
			pattern(buf, SPAN, 7);
			pattern(want, SPAN, 7);
			for (size_t i = 0; i < n; i++)
				want[PAD + off + i] = 0xa5;
			if (k_memset(buf + PAD + off, 0x1a5, n) != buf + PAD + off ||
			    memcmp(buf, want, SPAN))
				bad++;
		}
	CHECK_EQ(bad, 0);
}

/* memcpy between two buffers, memmove within one (overlapping both ways). */
static void test_copies(void)
{
	static unsigned char src[SPAN];
	int bad = 0;

	for (size_t so = 0; so < 16; so++)
		for (size_t d_o = 0; d_o < 16; d_o++)
			for (size_t n = 0; n <= LEN; n += 1 + n / 16) {
				pattern(src, SPAN, 3);
				pattern(buf, SPAN, 9);
				pattern(want, SPAN, 9);
				for (size_t i = 0; i < n; i++)
					want[PAD + d_o + i] = src[PAD + so + i];
				k_memcpy(buf + PAD + d_o, src + PAD + so, n);
				bad += memcmp(buf, want, SPAN) != 0;

				pattern(buf, SPAN, 5);
				pattern(want, SPAN, 5);
				memmove(want + PAD + d_o, want + PAD + so, n);
				k_memmove(buf + PAD + d_o, buf + PAD + so, n);
				bad += memcmp(buf, want, SPAN) != 0;
			}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	RUN(test_memset);
	RUN(test_copies);
	TEST_DONE();
}
