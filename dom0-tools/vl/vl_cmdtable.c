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
	{ "info", main_info,
	  "Get information about the hypervisor and Dom0",
	  "[key]",
	  "-h  Print this help.\n"
	  "\n"
	  "With a key (e.g. free_pages), print only its value."
	},
	{ "dmesg", main_dmesg,
	  "Read and/or clear the hypervisor log",
	  "[-c]",
	  "-c  Clear the log after reading it: later reads show only\n"
	  "    newer messages (the offset is kept in /run/vireo/dmesg.off)."
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
