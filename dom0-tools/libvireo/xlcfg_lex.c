/*
 * xl.cfg lexer: text to entries {key, value, location}.
 *
 * The grammar of xl.cfg(5), stricter than libxlu's in two ways: a ';'
 * does not end a statement, and a number with a leading 0 is refused
 * (strtol would read it as octal):
 *
 *   file      := { blank | statement } EOF
 *   statement := KEY '=' value [comment] ('\n' | EOF)
 *   KEY       := [A-Za-z_][A-Za-z0-9_]*
 *   value     := STRING | NUMBER | '[' [ STRING { ',' STRING } [','] ] ']'
 *   STRING    := '"' ... '"' | "'" ... "'"   on one line, with the escapes
 *                \\ \" \' \n \t \r \a \b \f \v \xHH
 *   NUMBER    := ['-'] ( 0 | [1-9][0-9]* | 0x[0-9a-fA-F]+ )
 *   comment   := '#' to the end of the line
 *
 * Inside a list, newlines and comments may appear anywhere between items.
 * An override (`vl create demo.cfg memory=1024`) is read with the same
 * grammar, except that a value not starting with a quote or '[' is a bare
 * word up to the end of the line, typed later by the key that reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg_priv.h"

static int lex_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int lex_is_key_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int lex_is_key_char(char c)
{
	return lex_is_key_start(c) || lex_is_digit(c);
}

static int lex_hex_digit(char c)
{
	if (lex_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *lex_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void lex_oom(struct xlcfg_lexer *lx)
{
	xlcfg_errorf(lx->err, &lx->loc, "out of memory");
}

void xlcfg_lex_init(struct xlcfg_lexer *lx, const char *src, const char *text,
		    int override, struct xlcfg_err *err)
{
	lx->p = text;
	lx->loc.src = src;
	lx->loc.line = 1;
	lx->loc.override = override;
	lx->err = err;
}

static void lex_skip_space(struct xlcfg_lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r')
		lx->p++;
}

static void lex_skip_comment(struct xlcfg_lexer *lx)
{
	if (*lx->p == '#')
		while (*lx->p && *lx->p != '\n')
			lx->p++;
}

/* Skip spaces, comments and newlines. */
static void lex_skip_blank(struct xlcfg_lexer *lx)
{
	for (;;) {
		lex_skip_space(lx);
		lex_skip_comment(lx);
		if (*lx->p != '\n')
			return;
		lx->p++;
		lx->loc.line++;
	}
}

int xlcfg_lex_number(const char *text, int64_t *out)
{
	const char *p = text;
	int neg = *p == '-', base = 10;
	uint64_t v = 0, limit;

	p += neg;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		/* strtol, and so xl, would read it as octal: refuse. */
		return lex_is_digit(p[1]) ? XLCFG_NUM_OCTAL : XLCFG_NUM_INVALID;
	}
	if (!*p)
		return XLCFG_NUM_INVALID;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p; p++) {
		int d = lex_hex_digit(*p);

		if (d < 0 || d >= base)
			return XLCFG_NUM_INVALID;
		if (v > (limit - (uint64_t)d) / (uint64_t)base)
			return XLCFG_NUM_RANGE;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int lex_number(struct xlcfg_lexer *lx, struct xlcfg_value *v)
{
	const char *s = lx->p;
	int r;

	if (*lx->p == '-')
		lx->p++;
	while (lex_is_key_char(*lx->p) || *lx->p == '.')
		lx->p++;
	v->type = XLCFG_V_INT;
	v->str = lex_strndup(s, (size_t)(lx->p - s));
	if (!v->str) {
		lex_oom(lx);
		return -1;
	}
	r = xlcfg_lex_number(v->str, &v->num);
	if (r == XLCFG_NUM_RANGE)
		xlcfg_errorf(lx->err, &lx->loc, "number '%s' is out of range",
			     v->str);
	else if (r == XLCFG_NUM_OCTAL)
		xlcfg_errorf(lx->err, &lx->loc,
			     "invalid number '%s' (octal is not supported)",
			     v->str);
	else if (r)
		xlcfg_errorf(lx->err, &lx->loc, "invalid number '%s'", v->str);
	return r ? -1 : 0;
}

/* Decode the escape at *pp (just after the backslash) into *c. */
static int lex_escape(struct xlcfg_lexer *lx, const char **pp, char *c)
{
	static const char from[] = "\\\"'ntrabfv", to[] = "\\\"'\n\t\r\a\b\f\v";
	const char *p = *pp, *hit = strchr(from, *p);
	int hi, lo;

	if (*p && hit) {
		*c = to[hit - from];
		*pp = p + 1;
		return 0;
	}
	if (*p == 'x' && (hi = lex_hex_digit(p[1])) >= 0 &&
	    (lo = lex_hex_digit(p[2])) >= 0 && (hi || lo)) {
		*c = (char)(hi << 4 | lo);
		*pp = p + 3;
		return 0;
	}
	if (*p == 'x')
		xlcfg_errorf(lx->err, &lx->loc,
			     "invalid escape in string (\\x needs two hex "
			     "digits, not 00)");
	else
		xlcfg_errorf(lx->err, &lx->loc,
			     "invalid escape '\\%c' in string", *p);
	return -1;
}

/* A quoted string at lx->p; on one line, as the end of line ends it. */
static int lex_string(struct xlcfg_lexer *lx, char **out)
{
	const char quote = *lx->p, *s = lx->p + 1, *p;
	char *buf, *q;

	for (p = s; *p != quote; p++) {
		if (*p == '\0' || *p == '\n') {
			xlcfg_errorf(lx->err, &lx->loc, "unterminated string");
			return -1;
		}
		if (*p == '\\' && p[1] && p[1] != '\n')
			p++;
	}
	buf = malloc((size_t)(p - s) + 1);
	if (!buf) {
		lex_oom(lx);
		return -1;
	}
	for (q = buf; s < p;) {
		if (*s != '\\') {
			*q++ = *s++;
			continue;
		}
		s++;
		if (lex_escape(lx, &s, q++)) {
			free(buf);
			return -1;
		}
	}
	*q = '\0';
	lx->p = p + 1;
	*out = buf;
	return 0;
}

/* Add the string at lx->p to the list, with its line for messages. */
static int lex_list_push(struct xlcfg_lexer *lx, struct xlcfg_value *v)
{
	unsigned line = lx->loc.line, *lines;
	char **items, *s;

	if (lex_string(lx, &s))
		return -1;
	lines = realloc(v->lines, (v->nr_items + 1) * sizeof(*lines));
	if (lines)
		v->lines = lines;
	items = lines ? realloc(v->items, (v->nr_items + 1) * sizeof(*items))
		      : NULL;
	if (!items) {
		free(s);
		lex_oom(lx);
		return -1;
	}
	lines[v->nr_items] = line;
	items[v->nr_items++] = s;
	v->items = items;
	return 0;
}

/* '[' STRING, ... ']' with newlines and comments between the items. */
static int lex_list(struct xlcfg_lexer *lx, struct xlcfg_value *v)
{
	struct xlcfg_loc start = lx->loc;

	v->type = XLCFG_V_LIST;
	lx->p++;
	for (;;) {
		lex_skip_blank(lx);
		if (*lx->p == ']')
			break;
		if (*lx->p == '\0')
			goto unterminated;
		if (*lx->p == '[') {
			xlcfg_errorf(lx->err, &lx->loc,
				     "nested lists are not supported");
			return -1;
		}
		if (*lx->p != '"' && *lx->p != '\'') {
			xlcfg_errorf(lx->err, &lx->loc,
				     "list items must be quoted strings");
			return -1;
		}
		if (lex_list_push(lx, v))
			return -1;
		lex_skip_blank(lx);
		if (*lx->p == ']')
			break;
		if (*lx->p == '\0')
			goto unterminated;
		if (*lx->p != ',') {
			xlcfg_errorf(lx->err, &lx->loc,
				     "expected ',' or ']' in list");
			return -1;
		}
		lx->p++;
	}
	lx->p++;
	return 0;
unterminated:
	xlcfg_errorf(lx->err, &start, "unterminated list");
	return -1;
}

/* An override's unquoted value: the rest of the line, trimmed. */
static int lex_bare(struct xlcfg_lexer *lx, struct xlcfg_value *v)
{
	const char *s = lx->p, *end;

	while (*lx->p && *lx->p != '\n')
		lx->p++;
	for (end = lx->p;
	     end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r');)
		end--;
	v->type = XLCFG_V_BARE;
	v->str = lex_strndup(s, (size_t)(end - s));
	if (!v->str) {
		lex_oom(lx);
		return -1;
	}
	return 0;
}

static int lex_value(struct xlcfg_lexer *lx, struct xlcfg_entry *e)
{
	char c = *lx->p;

	if (c == '"' || c == '\'') {
		e->val.type = XLCFG_V_STRING;
		return lex_string(lx, &e->val.str);
	}
	if (c == '[')
		return lex_list(lx, &e->val);
	if (c == '\0' || c == '\n' || (c == '#' && !lx->loc.override)) {
		xlcfg_errorf(lx->err, &lx->loc, "missing value for '%s'",
			     e->key);
		return -1;
	}
	if (lx->loc.override)
		return lex_bare(lx, &e->val);
	if (lex_is_digit(c) || c == '-')
		return lex_number(lx, &e->val);
	xlcfg_errorf(lx->err, &lx->loc,
		     "invalid value for '%s' (strings must be quoted)", e->key);
	return -1;
}

/* After a value: spaces, a comment, then the end of the line. */
static int lex_end_statement(struct xlcfg_lexer *lx)
{
	lex_skip_space(lx);
	lex_skip_comment(lx);
	if (*lx->p == '\n') {
		lx->p++;
		lx->loc.line++;
		return 0;
	}
	if (*lx->p == '\0')
		return 0;
	/* As in xl (libxlu's grammar: endstmt is NEWLINE or ';'). */
	if (*lx->p == ';') {
		lx->p++;
		return 0;
	}
	xlcfg_errorf(lx->err, &lx->loc, "unexpected text after the value");
	return -1;
}

static int lex_key(struct xlcfg_lexer *lx, char **key)
{
	const char *s = lx->p;

	if (!lex_is_key_start(*lx->p)) {
		xlcfg_errorf(lx->err, &lx->loc,
			     "syntax error: expected 'key = value'");
		return -1;
	}
	while (lex_is_key_char(*lx->p))
		lx->p++;
	*key = lex_strndup(s, (size_t)(lx->p - s));
	if (!*key) {
		lex_oom(lx);
		return -1;
	}
	return 0;
}

int xlcfg_lex_next(struct xlcfg_lexer *lx, struct xlcfg_entry *e)
{
	int rc = -1;

	memset(e, 0, sizeof(*e));
	lex_skip_blank(lx);
	if (*lx->p == '\0')
		return 0;
	e->loc = lx->loc;
	if (lex_key(lx, &e->key))
		goto out;
	lex_skip_space(lx);
	if (*lx->p != '=') {
		xlcfg_errorf(lx->err, &lx->loc, "expected '=' after '%s'",
			     e->key);
		goto out;
	}
	lx->p++;
	lex_skip_space(lx);
	if (lex_value(lx, e) || lex_end_statement(lx))
		goto out;
	rc = 1;
out:
	if (rc < 0)
		xlcfg_entry_free(e);
	return rc;
}
