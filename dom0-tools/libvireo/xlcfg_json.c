/*
 * The dry-run output of `vl -N create`: struct xlcfg as JSON.
 *
 * The keys come in a fixed order, two spaces indent each level, an empty
 * list is [] and a missing ramdisk is null, so the output can be compared
 * byte for byte (tests/unit/xlcfg/NAME.json). Strings are escaped as RFC
 * 8259 asks: '"', '\\' and every control character; other bytes, UTF-8
 * included, are written as they are.
 */
#include <stdio.h>
#include <string.h>

#include "xlcfg.h"

static void json_string(FILE *f, const char *s)
{
	static const char from[] = "\"\\\b\f\n\r\t", to[] = "\"\\bfnrt";
	unsigned char c;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; (c = (unsigned char)*s); s++) {
		const char *hit = strchr(from, c);

		if (hit)
			fprintf(f, "\\%c", to[hit - from]);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_key_string(FILE *f, const char *key, const char *s)
{
	fprintf(f, "  \"%s\": ", key);
	json_string(f, s);
	fputs(",\n", f);
}

static void json_key_list(FILE *f, const char *key, char *const *v, unsigned n,
			  const char *end)
{
	unsigned i;

	fprintf(f, "  \"%s\": [", key);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		json_string(f, v[i]);
	}
	fprintf(f, "%s]%s\n", n ? "\n  " : "", end);
}

/* cpus, cpus_soft: only when given, as written (a string or a list). */
static void json_cpus(FILE *f, const char *key, const struct xlcfg_cpus *c)
{
	if (!c->nr)
		return;
	if (c->per_vcpu)
		json_key_list(f, key, c->items, c->nr, ",");
	else
		json_key_string(f, key, c->items[0]);
}

int xlcfg_to_json(const struct xlcfg *cfg, FILE *f)
{
	fputs("{\n", f);
	json_key_string(f, "name", cfg->name);
	fprintf(f, "  \"memory\": %llu,\n",
		(unsigned long long)cfg->memory_mib);
	fprintf(f, "  \"maxmem\": %llu,\n",
		(unsigned long long)cfg->maxmem_mib);
	fprintf(f, "  \"vcpus\": %u,\n", cfg->vcpus);
	if (cfg->maxvcpus_set)
		fprintf(f, "  \"maxvcpus\": %u,\n", cfg->maxvcpus);
	json_cpus(f, "cpus", &cfg->cpus);
	json_cpus(f, "cpus_soft", &cfg->cpus_soft);
	if (cfg->cpu_weight_set)
		fprintf(f, "  \"cpu_weight\": %u,\n", cfg->cpu_weight);
	if (cfg->cap_set)
		fprintf(f, "  \"cap\": %u,\n", cfg->cap);
	if (cfg->pool)
		json_key_string(f, "pool", cfg->pool);
	json_key_string(f, "kernel", cfg->kernel);
	json_key_string(f, "ramdisk", cfg->ramdisk);
	json_key_string(f, "cmdline", cfg->cmdline);
	json_key_string(f, "on_poweroff", xlcfg_action_name(cfg->on_poweroff));
	json_key_string(f, "on_reboot", xlcfg_action_name(cfg->on_reboot));
	json_key_string(f, "on_crash", xlcfg_action_name(cfg->on_crash));
	/* Ours, not xl's: only when given, as strings (64-bit values). */
	for (unsigned i = 0; i < 3; i++)
		if (cfg->machine_id_set & (1U << i))
			fprintf(f, "  \"%s\": \"0x%llx\",\n",
				i == 0 ? "mvendorid" : i == 1 ? "marchid" : "mimpid",
				(unsigned long long)cfg->machine_id[i]);
	json_key_list(f, "disk", cfg->disk, cfg->nr_disk, ",");
	json_key_list(f, "vif", cfg->vif, cfg->nr_vif, ",");
	json_key_list(f, "virtio", cfg->virtio, cfg->nr_virtio, "");
	fputs("}\n", f);
	return fflush(f) || ferror(f) ? -1 : 0;
}
