/*
 * vl list and vl uptime: both from vireod's "list", which gives every
 * domain with its name, its vireo_domain_info and its creation time.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vl.h"

#define VL_MAX_DOMS 64

struct dom_list {
	struct vl_dom doms[VL_MAX_DOMS];
	unsigned nr;
};

static int on_dom(void *arg, char **f, unsigned nr)
{
	struct dom_list *l = arg;

	if (l->nr == VL_MAX_DOMS || vl_dom_parse(f, nr, &l->doms[l->nr]) < 0)
		return 0; /* not a domain line, or too many: skipped */
	l->nr++;
	return 0;
}

static int fetch(struct dom_list *l)
{
	static const char *const req[] = { "list" };

	l->nr = 0;
	return vl_request(req, 1, on_dom, NULL, l);
}

/* Keep only the domains named in args (names or IDs); -1 if one is not. */
static int select_doms(struct dom_list *l, char **args, int nargs)
{
	struct dom_list *all;
	int rc = 0;

	if (!nargs)
		return 0;
	all = malloc(sizeof(*all));
	if (!all)
		return -1;
	*all = *l;
	l->nr = 0;
	for (int i = 0; i < nargs; i++) {
		unsigned id, j;
		int byid = vireod_parse_domid(args[i], &id);

		for (j = 0; j < all->nr; j++)
			if (byid ? all->doms[j].domid == id
				 : !strcmp(all->doms[j].name, args[i]))
				break;
		if (j == all->nr) {
			fprintf(stderr, "Error: Domain '%s' does not exist.\n",
				args[i]);
			rc = -1;
			break;
		}
		l->doms[l->nr++] = all->doms[j];
	}
	free(all);
	return rc;
}

int main_list(int argc, char **argv)
{
	struct dom_list *l;
	int opt, details = 0, rc = 1;

	VL_FOREACH_OPT(opt, "l", "list", 0) {
	case 'l':
		details = 1;
		break;
	}
	l = malloc(sizeof(*l));
	if (!l || fetch(l) < 0 || select_doms(l, argv + optind,
					      argc - optind) < 0)
		goto out;
	if (details) {
		vl_list_json(stdout, l->doms, l->nr);
	} else {
		vl_list_header(stdout);
		for (unsigned i = 0; i < l->nr; i++)
			vl_list_row(stdout, &l->doms[i]);
	}
	rc = 0;
out:
	free(l);
	return rc;
}

static int dom0_uptime(uint64_t *secs)
{
	FILE *f = fopen("/proc/uptime", "re");
	double up;
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%lf", &up) == 1;
	fclose(f);
	*secs = ok ? (uint64_t)up : 0;
	return ok ? 0 : -1;
}

static void uptime_one(const struct vl_dom *d, int short_mode, time_t now)
{
	char up[64], clock[16];
	uint64_t secs;
	struct tm tm;

	if (d->domid == 0) {
		if (dom0_uptime(&secs) < 0) {
			fprintf(stderr, "Can not get Dom0 uptime.\n");
			return;
		}
	} else if (d->ctime <= 0) {
		return; /* vireod does not know when it started */
	} else {
		secs = now > d->ctime ? (uint64_t)(now - d->ctime) : 0;
	}
	vl_uptime_string(secs, short_mode, up, sizeof(up));
	if (!short_mode) {
		printf("%-33s %4d %s\n", d->name, (int)d->domid, up);
		return;
	}
	localtime_r(&now, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	printf(" %s up %s, %s (%d)\n", clock, up, d->name, (int)d->domid);
}

int main_uptime(int argc, char **argv)
{
	struct dom_list *l;
	int opt, short_mode = 0, rc = 1;
	time_t now;

	VL_FOREACH_OPT(opt, "s", "uptime", 0) {
	case 's':
		short_mode = 1;
		break;
	}
	l = malloc(sizeof(*l));
	if (!l || fetch(l) < 0 || select_doms(l, argv + optind,
					      argc - optind) < 0)
		goto out;
	now = time(NULL);
	if (!short_mode)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	for (unsigned i = 0; i < l->nr; i++)
		uptime_one(&l->doms[i], short_mode, now);
	rc = 0;
out:
	free(l);
	return rc;
}
