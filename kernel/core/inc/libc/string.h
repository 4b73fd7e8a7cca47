/*
 * The string functions of the freestanding hypervisor (kernel/core/lib.c).
 * libfdt's libfdt_env.h includes <string.h>; -Ikernel/core/inc/libc makes it
 * find this file. Host unit tests do not use this directory: they get the
 * host's libc.
 */
#ifndef VIREO_LIBC_STRING_H
#define VIREO_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *dst, const char *src, size_t n);
char *strstr(const char *hay, const char *needle);

#endif
