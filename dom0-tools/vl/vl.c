/*
 * vl: entry point, global options, dispatch through the command table and
 * `vl help`.
 *
 *   vl [-N] <subcommand> [args]
 *
 * -N is the dry run of xl: `vl -N create demo.cfg` prints the parsed
 * configuration as JSON and creates nothing. An unknown command or a bad
 * flag prints usage on stderr and exits 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vl.h"

int vl_dryrun;

static void vl_help_all(FILE *f)
{
	fprintf(f, "Usage vl [-N] <subcommand> [args]\n\n"
		   "vl full list of subcommands:\n\n");
	for (unsigned i = 0; i < vl_cmdtable_len; i++)
		fprintf(f, " %-19s %s\n", vl_cmdtable[i].name,
			vl_cmdtable[i].desc);
}

void vl_help(const char *cmd, FILE *f)
{
	const struct cmd_spec *c = cmd ? vl_cmd_find(cmd) : NULL;

	if (!c) {
		if (cmd)
			fprintf(f, "command '%s' not implemented\n\n", cmd);
		vl_help_all(f);
		return;
	}
	fprintf(f, "Usage: vl [-N] %s %s\n\n%s.\n\n", c->name, c->usage,
		c->desc);
	if (c->options)
		fprintf(f, "Options:\n\n%s\n", c->options);
}

int vl_getopt_long(int argc, char **argv, const char *opts,
		   const struct option *longopts, const char *cmd,
		   int min_args)
{
	static const struct option help_only[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char optstring[64];
	int opt;

	snprintf(optstring, sizeof(optstring), "h%s", opts);
	opterr = 0;
	opt = getopt_long(argc, argv, optstring,
			  longopts ? longopts : help_only, NULL);
	if (opt == 'h') {
		vl_help(cmd, stdout);
		exit(0);
	}
	if (opt == '?') {
		if (optopt)
			fprintf(stderr, "vl %s: invalid option -- '%c'\n\n",
				cmd, optopt);
		else
			fprintf(stderr, "vl %s: invalid option '%s'\n\n", cmd,
				argv[optind - 1]);
		vl_help(cmd, stderr);
		exit(1);
	}
	if (opt == -1 && argc - optind < min_args) {
		fprintf(stderr, "vl %s: missing argument\n\n", cmd);
		vl_help(cmd, stderr);
		exit(1);
	}
	return opt;
}

int vl_getopt(int argc, char **argv, const char *opts, const char *cmd,
	      int min_args)
{
	return vl_getopt_long(argc, argv, opts, NULL, cmd, min_args);
}

int vl_usage_error(const char *cmd)
{
	fprintf(stderr, "vl %s: too many arguments\n\n", cmd);
	vl_help(cmd, stderr);
	return 1;
}

int main_help(int argc, char **argv)
{
	int opt;

	VL_FOREACH_OPT(opt, "", "help", 0) {
	}
	if (argc - optind > 1)
		return vl_usage_error("help");
	vl_help(optind < argc ? argv[optind] : NULL, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd_spec *cmd;
	int opt;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+hN")) != -1) {
		switch (opt) {
		case 'N':
			vl_dryrun = 1;
			break;
		case 'h':
			vl_help_all(stdout);
			return 0;
		default:
			fprintf(stderr, "vl: invalid option -- '%c'\n\n",
				optopt);
			vl_help_all(stderr);
			return 1;
		}
	}
	if (optind == argc) {
		vl_help_all(stderr);
		return 1;
	}
	cmd = vl_cmd_find(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "vl: unknown command '%s'\n\n", argv[optind]);
		vl_help_all(stderr);
		return 1;
	}
	if (vl_dryrun && strcmp(cmd->name, "create") &&
	    strcmp(cmd->name, "cpupool-create")) {
		fprintf(stderr, "vl: -N applies to create and cpupool-create "
			"only\n");
		return 1;
	}
	argv += optind;
	argc -= optind;
	optind = 0; /* a fresh getopt over the command's own argv */
	return cmd->fn(argc, argv);
}
