/*
 * xlcfg internals, shared by the driver (xlcfg_parse.c), the lexer
 * (xlcfg_lex.c), the typed value accessors (xlcfg_value.c), the key
 * table (xlcfg.c), the device specs (xlcfg_dev.c, xlcfg_vif.c,
 * xlcfg_devlist.c) and the vCPU and scheduling keys (xlcfg_sched.c).
 *
 * The parse runs in three steps:
 *   1. the lexer turns the file, then each override, into entries
 *      {key, value, location}; a duplicate key in the file is an error, an
 *      override replaces the entry of its key or adds one;
 *   2. each entry goes to the handler of its key (xlcfg.c's table), which
 *      checks the value's type and range and stores it in struct xlcfg;
 *   3. defaults, required keys, maxmem and the command line are settled.
 * Allocation goes through malloc/realloc only, so a test can fail them.
 */
#ifndef VIREO_XLCFG_PRIV_H
#define VIREO_XLCFG_PRIV_H

#include <stdarg.h>
#include <stdint.h>

#include "xlcfg.h"

/* Where an entry came from, for messages. */
struct xlcfg_loc {
	const char *src; /* the file's name, or the override's text */
	unsigned line;	 /* 1-based; 0 for a message about the file */
	int override;	 /* prefix is "override 'SRC'" instead */
};

/* Where messages go: the caller's buffer, truncated to len. */
struct xlcfg_err {
	char *buf;
	size_t len;
};

enum xlcfg_vtype {
	XLCFG_V_STRING, /* "text" or 'text', escapes decoded */
	XLCFG_V_INT,	/* 512, 0x200, -1 */
	XLCFG_V_BARE,	/* an unquoted word in an override: string or int */
	XLCFG_V_LIST,	/* [ 'a', "b" ] */
};

struct xlcfg_value {
	enum xlcfg_vtype type;
	char *str;	 /* STRING: decoded; BARE, INT: as written */
	int64_t num;	 /* INT */
	char **items;	 /* LIST: decoded strings */
	unsigned *lines; /* LIST: the line each item starts on */
	unsigned nr_items;
};

struct xlcfg_entry {
	char *key;
	struct xlcfg_value val;
	struct xlcfg_loc loc; /* the line of the key */
};

struct xlcfg_lexer {
	const char *p;	      /* next character */
	struct xlcfg_loc loc; /* src and the current line */
	struct xlcfg_err *err;
};

/* xlcfg_lex.c: the syntax. */
void xlcfg_lex_init(struct xlcfg_lexer *lx, const char *src, const char *text,
		    int override, struct xlcfg_err *err);
/* 1: *e holds the next statement; 0: end of text; -1: error (*e empty). */
int xlcfg_lex_next(struct xlcfg_lexer *lx, struct xlcfg_entry *e);
/* Decimal or 0x hex with an optional '-': 0, or one of XLCFG_NUM_*. */
#define XLCFG_NUM_INVALID (-1)
#define XLCFG_NUM_RANGE (-2)
#define XLCFG_NUM_OCTAL (-3) /* 010: strtol's octal, refused */
int xlcfg_lex_number(const char *text, int64_t *out);

/* xlcfg_value.c: messages, ownership, typed access. */
/* "LOC: message" into err. */
__attribute__((format(printf, 3, 4))) void
xlcfg_errorf(struct xlcfg_err *err, const struct xlcfg_loc *loc,
	     const char *fmt, ...);
/* Add "LOC: warning: message" to cfg->warnings; 0, or -1 out of memory. */
__attribute__((format(printf, 4, 5))) int
xlcfg_warn(struct xlcfg *cfg, struct xlcfg_err *err,
	   const struct xlcfg_loc *loc, const char *fmt, ...);
char *xlcfg_strdup(const char *s);
void xlcfg_strv_free(char **v, unsigned n);
void xlcfg_entry_free(struct xlcfg_entry *e);
/* Each returns 0, or -1 with "LOC: KEY must be ..." in err. */
int xlcfg_get_string(const struct xlcfg_entry *e, const char **out,
		     struct xlcfg_err *err);
/* Take the string out of the entry (the caller frees it). */
int xlcfg_take_string(struct xlcfg_entry *e, char **out, struct xlcfg_err *err);
/* An integer in [lo, hi]; otherwise "KEY must be WHAT". */
int xlcfg_get_int(const struct xlcfg_entry *e, int64_t lo, int64_t hi,
		  const char *what, int64_t *out, struct xlcfg_err *err);
/* Take the list of strings out of the entry (val.lines stays in it). */
int xlcfg_take_list(struct xlcfg_entry *e, char ***items, unsigned *nr,
		    struct xlcfg_err *err);
int xlcfg_get_action(const struct xlcfg_entry *e, enum xlcfg_action *out,
		     struct xlcfg_err *err);

/*
 * xlcfg_dev.c: helpers of the device spec parsers (xlcfg_dev.c, xlcfg_vif.c).
 * A spec is split in place: xlcfg_spec_next() returns its next parameter,
 * leading and trailing blanks cut, or NULL at the end; a parameter that
 * starts with rest_key (e.g. "target=") is the whole rest of the spec.
 * xlcfg_spec_value() cuts "key=value" at the '=' and returns the value
 * (NULL for a bare word).
 */
char *xlcfg_spec_next(char **pp, const char *rest_key);
char *xlcfg_spec_value(char *param);
/* The error into diag; returns -1. */
__attribute__((format(printf, 2, 3))) int
xlcfg_dev_error(const struct xlcfg_dev_diag *diag, const char *fmt, ...);
/* A warning to diag->warn: 0, or -1 with "out of memory" as the error. */
__attribute__((format(printf, 2, 3))) int
xlcfg_dev_warn(const struct xlcfg_dev_diag *diag, const char *fmt, ...);
/* Each key once per spec: bit in *seen; -1 with "KEY given twice". */
int xlcfg_dev_once(const struct xlcfg_dev_diag *diag, const char *key,
		   unsigned bit, unsigned *seen);
/* backend= and grant_usage=: what every device kind accepts. */
int xlcfg_dev_backend(const struct xlcfg_dev_diag *diag, const char *val);
int xlcfg_dev_grant_usage(const struct xlcfg_dev_diag *diag, const char *val);

/*
 * xlcfg_devlist.c: the disk, vif and virtio keys. Each parses the strings
 * already taken into cfg->disk (cfg->vif, cfg->virtio), with lines[i] the
 * line of item i, into cfg->disks (vifs, virtios) and checks them against
 * each other; xlcfg_dev_check_slots() checks the total once all are in.
 */
int xlcfg_dev_disks(struct xlcfg *cfg, const struct xlcfg_loc *loc,
		    const unsigned *lines, struct xlcfg_err *err);
int xlcfg_dev_vifs(struct xlcfg *cfg, const struct xlcfg_loc *loc,
		   const unsigned *lines, struct xlcfg_err *err);
int xlcfg_dev_virtios(struct xlcfg *cfg, const struct xlcfg_loc *loc,
		      const unsigned *lines, struct xlcfg_err *err);
int xlcfg_dev_check_slots(const struct xlcfg *cfg, const struct xlcfg_loc *loc,
			  struct xlcfg_err *err);
void xlcfg_dev_free(struct xlcfg *cfg);

/*
 * xlcfg_sched.c: maxvcpus, cpus, cpus_soft, cpu_weight, cap and pool.
 * The key handlers check each value alone; xlcfg_sched_check() then
 * settles maxvcpus and checks them against vcpus and maxvcpus once every
 * key is in (an entry NULL: not given).
 */
struct xlcfg_sched_keys {
	const struct xlcfg_entry *maxvcpus, *cpus, *cpus_soft, *cap;
};
int xlcfg_sched_maxvcpus(struct xlcfg *cfg, const struct xlcfg_entry *e,
			 struct xlcfg_err *err);
int xlcfg_sched_cpus(struct xlcfg *cfg, struct xlcfg_entry *e,
		     struct xlcfg_err *err);
int xlcfg_sched_weight(struct xlcfg *cfg, const struct xlcfg_entry *e,
		       struct xlcfg_err *err);
int xlcfg_sched_cap(struct xlcfg *cfg, const struct xlcfg_entry *e,
		    struct xlcfg_err *err);
int xlcfg_sched_pool(struct xlcfg *cfg, struct xlcfg_entry *e,
		     struct xlcfg_err *err);
int xlcfg_sched_check(struct xlcfg *cfg, const struct xlcfg_sched_keys *k,
		      struct xlcfg_err *err);
void xlcfg_sched_free(struct xlcfg *cfg);

/* xlcfg.c: run each entry through its key's handler, then the checks. */
int xlcfg_apply(struct xlcfg *cfg, struct xlcfg_entry *entries, unsigned n,
		const char *src, struct xlcfg_err *err);

#endif
