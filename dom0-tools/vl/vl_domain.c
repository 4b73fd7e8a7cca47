/*
 * vl's domain commands: each parses its flags and makes one vireod request
 * (vireod_proto.h). `vl -N create` parses the config locally and prints it
 * as JSON without vireod.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vl.h"
#include "xlcfg.h"

#define VL_CONFIG_DIR "/etc/vireo"

/* CFG as given, else /etc/vireo/CFG; NULL (message printed) if neither. */
static char *find_config(const char *cfg)
{
	char *path = NULL;

	if (access(cfg, R_OK) == 0)
		return strdup(cfg);
	if (!strchr(cfg, '/') &&
	    asprintf(&path, "%s/%s", VL_CONFIG_DIR, cfg) >= 0) {
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	fprintf(stderr, "vl: cannot read config file '%s': %s%s\n", cfg,
		strerror(errno), strchr(cfg, '/') ? "" :
		" (nor in " VL_CONFIG_DIR ")");
	return NULL;
}

/*
 * Parse the config here first, as xl does: errors and warnings then name
 * the file as the user gave it, and a bad file never reaches vireod (which
 * parses it again, from its absolute path, to keep it for restarts).
 */
static int create_parse(const char *path, char **vars, int nvars, int json)
{
	struct xlcfg cfg;
	char err[1024];
	int rc = 0;

	if (xlcfg_parse_file(path, (const char *const *)vars, (unsigned)nvars,
			     &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	for (unsigned i = 0; i < cfg.nr_warnings; i++)
		fprintf(stderr, "%s\n", cfg.warnings[i]);
	if (json && (xlcfg_to_json(&cfg, stdout) < 0 || fflush(stdout) != 0))
		rc = -1;
	xlcfg_free(&cfg);
	return rc;
}

/* create PATH CWD FLAGS [OVERRIDE...]; returns 0 and the domid. */
static int create_request(const char *path, int paused, char **vars,
			  int nvars, char *domid, size_t len)
{
	const char *req[VIREOD_FIELDS_MAX];
	char *abs = realpath(path, NULL), *ok[VIREOD_FIELDS_MAX];
	char cwd[PATH_MAX];
	unsigned nr_ok;
	int r = -1;

	if (nvars > VIREOD_FIELDS_MAX - 4) {
		fprintf(stderr, "vl: too many overrides\n");
		goto out;
	}
	if (!abs || !getcwd(cwd, sizeof(cwd))) {
		fprintf(stderr, "vl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	req[0] = "create";
	req[1] = abs;
	req[2] = cwd;
	req[3] = paused ? "p" : "-";
	for (int i = 0; i < nvars; i++)
		req[4 + i] = vars[i];
	{
		struct vl_conn c;

		if (vl_connect(&c) < 0)
			goto out;
		c.no_warn = 1; /* create_parse printed them */
		r = vl_call(&c, req, 4 + (unsigned)nvars, NULL, NULL, ok,
			    &nr_ok);
		if (r == 0)
			snprintf(domid, len, "%s", nr_ok > 1 ? ok[1] : "");
		vl_close(&c);
	}
out:
	free(abs);
	return r;
}

int main_create(int argc, char **argv)
{
	int opt, paused = 0, console = 0, quiet = 0, dryrun = vl_dryrun, rc;
	char domid[16], *path;

	VL_FOREACH_OPT(opt, "cpqN", "create", 1) {
	case 'c':
		console = 1;
		break;
	case 'p':
		paused = 1;
		break;
	case 'q':
		quiet = 1;
		break;
	case 'N':
		dryrun = 1;
		break;
	}
	path = find_config(argv[optind]);
	if (!path)
		return 1;
	if (!quiet)
		fprintf(stderr, "Parsing config from %s\n", path);
	rc = create_parse(path, argv + optind + 1, argc - optind - 1, dryrun);
	/* With -c it starts paused, and runs once the console is attached. */
	if (rc == 0 && !dryrun)
		rc = create_request(path, paused || console,
				    argv + optind + 1, argc - optind - 1,
				    domid, sizeof(domid));
	rc = rc < 0;
	free(path);
	if (rc || dryrun || !console)
		return rc;
	if (paused)
		return vl_console_attach(domid);
	{
		const char *unpause[2] = { "unpause", domid };

		return vl_console_attach_then(domid, unpause, 2);
	}
}

/* The commands that are one request on one domain: VERB DOM. */
static int one_domain(int argc, char **argv, const char *verb)
{
	int opt;

	VL_FOREACH_OPT(opt, "", verb, 1) {
	}
	if (argc - optind != 1)
		return vl_usage_error(verb);
	{
		const char *req[2] = { verb, argv[optind] };

		return vl_simple(req, 2) < 0;
	}
}

int main_destroy(int argc, char **argv)
{
	return one_domain(argc, argv, "destroy");
}

int main_pause(int argc, char **argv)
{
	return one_domain(argc, argv, "pause");
}

int main_unpause(int argc, char **argv)
{
	return one_domain(argc, argv, "unpause");
}

/* vl trigger <Domain> <trigger> [<VCPU>]: the VCPU (xl's, for nmi) is
 * accepted and not used. */
int main_trigger(int argc, char **argv)
{
	int opt;

	VL_FOREACH_OPT(opt, "", "trigger", 2) {
	}
	if (argc - optind < 2 || argc - optind > 3)
		return vl_usage_error("trigger");
	{
		const char *req[3] = { "trigger", argv[optind],
				       argv[optind + 1] };

		return vl_simple(req, 3) < 0;
	}
}

int main_rename(int argc, char **argv)
{
	int opt;

	VL_FOREACH_OPT(opt, "", "rename", 2) {
	}
	if (argc - optind != 2)
		return vl_usage_error("rename");
	{
		const char *req[3] = { "rename", argv[optind],
				       argv[optind + 1] };

		return vl_simple(req, 3) < 0;
	}
}

/* The DomUs of a "list" reply, for shutdown -a. */
struct id_list {
	char ids[64][16];
	unsigned n;
};

static int on_domid(void *arg, char **f, unsigned nr)
{
	struct id_list *l = arg;

	/* Every DomU: "dom DOMID ..." lines, Domain-0 (ID 0) left out. */
	if (nr > 1 && !strcmp(f[0], "dom") && strcmp(f[1], "0") &&
	    l->n < 64)
		snprintf(l->ids[l->n++], sizeof(l->ids[0]), "%s", f[1]);
	return 0;
}

/*
 * shutdown / reboot of the domains in doms[0..n-1]: every request is sent
 * first, on a connection each, so that the guests' timeouts overlap.
 */
static int shutdown_many(const char *verb, char doms[][16], unsigned n,
			 int wait)
{
	struct vl_conn *c = calloc(n ? n : 1, sizeof(*c));
	char *ok[VIREOD_FIELDS_MAX];
	unsigned nr_ok;
	int rc = 0;

	if (!c)
		return 1;
	for (unsigned i = 0; i < n; i++) {
		const char *req[3] = { verb, doms[i], wait ? "1" : "0" };

		c[i].fd = -1;
		if (vl_connect(&c[i]) < 0 || vl_send(&c[i], req, 3) < 0)
			rc = 1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (c[i].fd >= 0 && vl_reply(&c[i], NULL, NULL, ok, &nr_ok) < 0)
			rc = 1;
		vl_close(&c[i]);
	}
	free(c);
	return rc;
}

static int shutdown_reboot(int argc, char **argv, const char *verb)
{
	static const char *const list[] = { "list" };
	struct id_list doms = { .n = 0 };
	int opt, all = 0, wait = 0;

	VL_FOREACH_OPT(opt, "aw", verb, 0) {
	case 'a':
		all = 1;
		break;
	case 'w':
		wait = 1;
		break;
	}
	if (argc - optind != (all ? 0 : 1))
		return vl_usage_error(verb);
	if (!all) {
		snprintf(doms.ids[0], sizeof(doms.ids[0]), "%s", argv[optind]);
		return shutdown_many(verb, doms.ids, 1, wait);
	}
	if (vl_request(list, 1, on_domid, NULL, &doms) < 0)
		return 1;
	return shutdown_many(verb, doms.ids, doms.n, wait);
}

int main_shutdown(int argc, char **argv)
{
	return shutdown_reboot(argc, argv, "shutdown");
}

int main_reboot(int argc, char **argv)
{
	return shutdown_reboot(argc, argv, "reboot");
}

static void print_answer(void *arg, char **ok, unsigned nr_ok)
{
	(void)arg;
	printf("%s\n", nr_ok > 1 ? ok[1] : "");
}

/* One request whose "ok" carries the answer: print it. */
static int lookup(const char *verb, const char *arg)
{
	const char *req[2] = { verb, arg };

	return vl_request(req, 2, NULL, print_answer, NULL) < 0;
}

int main_domid(int argc, char **argv)
{
	int opt;

	VL_FOREACH_OPT(opt, "", "domid", 1) {
	}
	if (argc - optind != 1)
		return vl_usage_error("domid");
	if (!strcmp(argv[optind], VIREOD_DOM0_NAME)) {
		printf("0\n"); /* needs no vireod */
		return 0;
	}
	return lookup("domid", argv[optind]);
}

int main_domname(int argc, char **argv)
{
	unsigned domid;
	int opt;

	VL_FOREACH_OPT(opt, "", "domname", 1) {
	}
	if (argc - optind != 1)
		return vl_usage_error("domname");
	if (!vireod_parse_domid(argv[optind], &domid)) {
		fprintf(stderr, "Invalid domain id.\n\n");
		return 1;
	}
	if (domid == 0) {
		printf("%s\n", VIREOD_DOM0_NAME); /* needs no vireod */
		return 0;
	}
	return lookup("domname", argv[optind]);
}
