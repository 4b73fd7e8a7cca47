/*
 * The table of vl commands, as xl's xl_cmdtable.c: it drives both dispatch
 * (vl.c) and `vl help`. Keep the names, flags and texts xl's where a
 * command exists in xl.
 */
#include <string.h>

#include "vl.h"

const struct cmd_spec vl_cmdtable[] = {
	{ "create", main_create,
	  "Create a domain from config file <filename>",
	  "<ConfigFile> [options] [vars]",
	  "-h  Print this help.\n"
	  "-p  Leave the domain paused after it is created.\n"
	  "-c  Connect to the console after the domain is created.\n"
	  "-q  Quiet.\n"
	  "-N  Dry run: print the configuration as JSON and create nothing.\n"
	  "\n"
	  "<ConfigFile> is taken as given, else from /etc/vireo/.\n"
	  "[vars] are key=value lines that override the file's."
	},
	{ "list", main_list,
	  "List information about all/some domains",
	  "[options] [Domain]",
	  "-h  Print this help.\n"
	  "-l  Output as JSON: an array of {domid, name, state, memory_mib,\n"
	  "    vcpus, cpu_time, config} objects (see dom0-tools/vl/README.md)."
	},
	{ "console", main_console,
	  "Attach to domain's console",
	  "<Domain>",
	  "-h  Print this help.\n"
	  "\n"
	  "Output kept while nobody was attached is shown first.\n"
	  "Ctrl-] detaches."
	},
	{ "destroy", main_destroy,
	  "Terminate a domain immediately",
	  "<Domain>",
	  NULL
	},
	{ "pause", main_pause,
	  "Pause execution of a domain",
	  "<Domain>",
	  NULL
	},
	{ "unpause", main_unpause,
	  "Unpause a paused domain",
	  "<Domain>",
	  NULL
	},
	{ "shutdown", main_shutdown,
	  "Issue a shutdown signal to a domain",
	  "[options] <-a|Domain>",
	  "-a  Shutdown all guest domains.\n"
	  "-h  Print this help.\n"
	  "-w  Wait for guest(s) to shutdown."
	},
	{ "reboot", main_reboot,
	  "Issue a reboot signal to a domain",
	  "[options] <-a|Domain>",
	  "-a  Reboot all guest domains.\n"
	  "-h  Print this help.\n"
	  "-w  Wait for guest(s) to reboot."
	},
	{ "rename", main_rename,
	  "Rename a domain",
	  "<Domain> <NewDomainName>",
	  NULL
	},
	{ "trigger", main_trigger,
	  "Send a trigger to a domain",
	  "<Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>]",
	  "Vireo implements s3resume: a domain suspended to RAM resumes."
	},
	{ "vcpu-list", main_vcpu_list,
	  "List the VCPUs for all/some domains",
	  "[Domain, ...]",
	  "-h  Print this help.\n"
	  "\n"
	  "State: r running, b blocked, p offline (its CPU is then '-').\n"
	  "Affinity (Hard / Soft) as CPU lists: all, 0-1, 0,2."
	},
	{ "vcpu-pin", main_vcpu_pin,
	  "Set which CPUs a VCPU can use",
	  "[option] <Domain> <VCPU|all> <Hard affinity|-|all> <Soft affinity|-|all>",
	  "-f, --force        undo an override pinning done by the kernel\n"
	  "                   (Vireo's Dom0 kernel makes none: only 'all'\n"
	  "                   as VCPU is then refused, as xl does)\n"
	  "\n"
	  "An affinity is 'all', or CPUs and ranges, ^ taking them out:\n"
	  "0-1, 0,2, all,^1. '-' (or no soft affinity) leaves it as it is."
	},
	{ "vcpu-set", main_vcpu_set,
	  "Set the number of active VCPUs allowed for the domain",
	  "[option] <Domain> <vCPUs>",
	  "-i, --ignore-host  Don't limit the vCPU based on the host CPU count\n"
	  "\n"
	  "<vCPUs>: 1 to the domain's vCPU count (maxvcpus in its config).\n"
	  "The guest agent brings vCPUs below it online and the others\n"
	  "offline; Domain-0 has no agent and is refused."
	},
	{ "info", main_info,
	  "Get information about the hypervisor and Dom0",
	  "[key]",
	  "-h  Print this help.\n"
	  "\n"
	  "With a key (e.g. free_pages), print only its value."
	},
	{ "sched-credit", main_sched_credit,
	  "Get/set credit scheduler parameters",
	  "[-d <Domain> [-w[=WEIGHT]|-c[=CAP]]] [-s [-t TSLICE] [-r RATELIMIT]] [-p CPUPOOL]",
	  "-d DOMAIN, --domain=DOMAIN        Domain to modify\n"
	  "-w WEIGHT, --weight=WEIGHT        Weight (int)\n"
	  "-c CAP,    --cap=CAP              Cap (int)\n"
	  "-s         --schedparam           Query / modify scheduler parameters\n"
	  "-t TSLICE, --tslice_ms=TSLICE     Set the timeslice, in milliseconds\n"
	  "-r RLIMIT, --ratelimit_us=RLIMIT  Set the scheduling rate limit, in microseconds\n"
	  "-p CPUPOOL, --cpupool=CPUPOOL     Restrict output to CPUPOOL\n"
	  "\n"
	  "Without -p: every cpupool that runs credit; -s alone: Pool-0.\n"
	  "Weight: 1 to 65535 (default 256);\n"
	  "cap: % of one CPU, 0 (none) to 100 per vCPU; time slice: 1 to\n"
	  "1000 ms; rate limit: 0 (none) or 100 to 500000 us, at most the slice."
	},
	{ "cpupool-create", main_cpupool_create,
	  "Create a new CPU pool",
	  "[options] [<ConfigFile>] [Variable=value ...]",
	  "-h, --help                   Print this help.\n"
	  "-f FILE, --defconfig=FILE    Use the given configuration file.\n"
	  "-n, --dryrun                 Dry run - prints the resulting configuration.\n"
	  "                              (deprecated in favour of global -N option).\n"
	  "\n"
	  "Keys, as xlcpupool.cfg(5): name (default: the file's name),\n"
	  "sched (\"credit\", the default, or \"null\"), cpus (\"2-3\" or\n"
	  "[\"2\", \"3\"]). The CPUs must be free: take them out of Pool-0\n"
	  "first with cpupool-cpu-remove."
	},
	{ "cpupool-list", main_cpupool_list,
	  "List CPU pools on host",
	  "[-c|--cpus] [<CPU Pool>]",
	  "-c, --cpus                     Output list of CPUs used by a pool"
	},
	{ "cpupool-destroy", main_cpupool_destroy,
	  "Deactivates a CPU pool",
	  "<CPU Pool>",
	  "Its CPUs become free; it must hold no domain."
	},
	{ "cpupool-cpu-add", main_cpupool_cpu_add,
	  "Adds a CPU to a CPU pool",
	  "<CPU Pool> <CPU nr>|node:<node nr>",
	  "CPUs as a CPU list (2, 2-3, 2,3), each free. Vireo has no NUMA\n"
	  "nodes: node: is refused."
	},
	{ "cpupool-cpu-remove", main_cpupool_cpu_remove,
	  "Removes a CPU from a CPU pool",
	  "<CPU Pool> <CPU nr>|node:<node nr>",
	  "CPUs as a CPU list (2, 2-3, 2,3); they become free. Vireo has no\n"
	  "NUMA nodes: node: is refused."
	},
	{ "cpupool-migrate", main_cpupool_migrate,
	  "Moves a domain into a CPU pool",
	  "<Domain> <CPU Pool>",
	  NULL
	},
	{ "dmesg", main_dmesg,
	  "Read and/or clear the hypervisor log",
	  "[-c]",
	  "-c  Clear the log after reading it: later reads show only\n"
	  "    newer messages (the offset is kept in /run/vireo/dmesg.off)."
	},
	{ "top", main_top,
	  "Monitor a host and the domains in real time",
	  "[options]",
	  "-h, --help           display this help and exit\n"
	  "-d, --delay=SECONDS  seconds between updates (default 3)\n"
	  "-b, --batch          output in batch mode, no user input accepted\n"
	  "-i, --iterations     number of iterations before exiting\n"
	  "\n"
	  "As xentop. Keys: q (or Q, Esc) quits, any other key redraws now.\n"
	  "SECONDS and the iterations are whole numbers, 1 or more. CPU(%) is\n"
	  "0.0 in the first frame, which has no earlier sample."
	},
	{ "uptime", main_uptime,
	  "Print uptime for all/some domains",
	  "[-s] [Domain]",
	  "-s  Uptime in short format."
	},
	{ "domid", main_domid,
	  "Convert a domain name to domain id",
	  "<DomainName>",
	  NULL
	},
	{ "domname", main_domname,
	  "Convert a domain id to domain name",
	  "<DomainId>",
	  NULL
	},
	{ "block-list", main_block_list,
	  "List virtual block devices for a domain",
	  "<Domain(s)>",
	  "-h  Print this help.\n"
	  "\n"
	  "Columns: Vdev, backend domain, handle (index among the disks),\n"
	  "state (4 connected, 6 closed), virtio-mmio slot, access, target."
	},
	{ "network-list", main_network_list,
	  "List virtual network interfaces for a domain",
	  "<Domain(s)>",
	  "-h  Print this help.\n"
	  "\n"
	  "Columns: index, backend domain, MAC, handle, state (4 connected,\n"
	  "6 closed), virtio-mmio slot, Dom0 bridge, tap name."
	},
	{ "help", main_help,
	  "Print this help",
	  "[command]",
	  NULL
	},
};

const unsigned vl_cmdtable_len = sizeof(vl_cmdtable) / sizeof(vl_cmdtable[0]);

const struct cmd_spec *vl_cmd_find(const char *name)
{
	for (unsigned i = 0; i < vl_cmdtable_len; i++)
		if (!strcmp(vl_cmdtable[i].name, name))
			return &vl_cmdtable[i];
	return NULL;
}
