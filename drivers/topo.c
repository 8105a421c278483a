/*
 * topo.c - where workers may run: the CPUs in this process's affinity mask
 * and, from hwloc, the physical cores, NUMA nodes and last-level caches
 * they belong to; --bind cores; the CPU lists written to the CSV.
 *
 * hwloc is asked once, before any worker starts and before any timing
 * begins (ps_topo_init), and what the drivers need is copied into a small
 * table per CPU; the hwloc topology is then destroyed.  So forked children
 * and later calls never touch hwloc, and an MPI library that loads its own
 * hwloc topology in MPI_Init finds hwloc's plugins as it expects.
 *
 * hwloc's I/O plugins (PCI, OpenCL, GL) are not loaded: dlopen()ing them
 * took ~5 ms per process here, and only CPUs, caches and NUMA nodes are
 * needed.  HWLOC_PLUGINS_PATH is pointed at nothing while our topology is
 * built and restored right after.
 */
#include <hwloc.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define NO_ID (-1)

/* What the drivers need to know about one CPU (hwloc "PU"), by OS index. */
struct cpu_info {
    int core;                  /* physical core (logical index), NO_ID: unknown */
    int numa;                  /* NUMA node (logical index), NO_ID: unknown */
    int llc;                   /* index into llc_bytes, NO_ID: unknown */
};

static cpu_set_t allowed;                  /* the mask before any binding */
static struct cpu_info cpus[CPU_SETSIZE];
static uint64_t llc_bytes[CPU_SETSIZE];    /* size of each distinct LLC */
static int topo_known;                     /* hwloc answered */
static int bind_order[CPU_SETSIZE];        /* --bind cores: CPU for worker i */
static int bind_count;

/* Record CPU p's core, NUMA node and last-level cache; llc_objs holds
 * the distinct LLC objects seen so far (nllc of them). */
static void describe_cpu(hwloc_topology_t t, hwloc_obj_t p, hwloc_obj_t *llc_objs,
                         int *nllc)
{
    struct cpu_info *c = &cpus[p->os_index];
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, p);
    hwloc_obj_t llc = NULL;
    c->core = core ? (int)core->logical_index : NO_ID;
    for (hwloc_obj_t a = p->parent; a; a = a->parent)
        if (hwloc_obj_type_is_dcache(a->type)
            && (!llc || a->attr->cache.depth > llc->attr->cache.depth))
            llc = a;
    if (llc) {
        int k = 0;
        while (k < *nllc && llc_objs[k] != llc)
            k++;
        if (k == *nllc) {
            llc_objs[k] = llc;
            llc_bytes[k] = llc->attr->cache.size;
            (*nllc)++;
        }
        c->llc = k;
    }
}

/* Ask hwloc about this machine; returns 0, or -1 when it cannot say. */
static int ask_hwloc(void)
{
    static hwloc_obj_t llc_objs[CPU_SETSIZE];
    hwloc_topology_t t;
    const char *saved = getenv("HWLOC_PLUGINS_PATH");
    char *keep = saved ? strdup(saved) : NULL;
    int nllc = 0, rc = -1;

    setenv("HWLOC_PLUGINS_PATH", "", 1);
    if (hwloc_topology_init(&t) != 0)
        goto out_env;
    hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM);
    if (hwloc_topology_load(t) != 0)
        goto out_destroy;
    hwloc_obj_t p = NULL;
    while ((p = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PU, p)))
        if (p->os_index < CPU_SETSIZE)
            describe_cpu(t, p, llc_objs, &nllc);
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, node))) {
        unsigned i;
        hwloc_bitmap_foreach_begin(i, node->cpuset)
            if (i < CPU_SETSIZE)
                cpus[i].numa = (int)node->logical_index;
        hwloc_bitmap_foreach_end();
    }
    rc = 0;
out_destroy:
    hwloc_topology_destroy(t);
out_env:
    if (keep)
        setenv("HWLOC_PLUGINS_PATH", keep, 1);
    else
        unsetenv("HWLOC_PLUGINS_PATH");
    free(keep);
    return rc;
}

void ps_topo_init(void)
{
    static int done;
    static char core_taken[CPU_SETSIZE];
    if (done)
        return;
    done = 1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        CPU_ZERO(&allowed);
        CPU_SET(0, &allowed);
    }
    for (int c = 0; c < CPU_SETSIZE; c++)
        cpus[c] = (struct cpu_info){ NO_ID, NO_ID, NO_ID };
    topo_known = ask_hwloc() == 0;
    /* one worker per physical core: the first allowed CPU of each core,
     * cores in the order of their first allowed CPU */
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &allowed))
            continue;
        int core = cpus[c].core;
        if (core != NO_ID && core_taken[core])
            continue;
        if (core != NO_ID)
            core_taken[core] = 1;
        bind_order[bind_count++] = c;
    }
}

const cpu_set_t *ps_topo_allowed(void) { return &allowed; }

long ps_cores(void)
{
    cpu_set_t now;
    if (sched_getaffinity(0, sizeof now, &now) != 0)
        return 1;
    int n = CPU_COUNT(&now);
    return n > 0 ? n : 1;
}

void ps_topo_of(const cpu_set_t *mask, struct ps_topo *f)
{
    static char seen_core[CPU_SETSIZE], seen_numa[CPU_SETSIZE], seen_llc[CPU_SETSIZE];
    memset(f, 0, sizeof *f);
    memset(seen_core, 0, sizeof seen_core);
    memset(seen_numa, 0, sizeof seen_numa);
    memset(seen_llc, 0, sizeof seen_llc);
    f->cores = CPU_COUNT(mask);
    f->known = topo_known;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, mask))
            continue;
        const struct cpu_info *i = &cpus[c];
        if (i->core == NO_ID)
            f->physical_cores++;          /* a CPU hwloc puts in no core */
        else if (!seen_core[i->core]++)
            f->physical_cores++;
        if (i->numa != NO_ID && !seen_numa[i->numa]++)
            f->numa_nodes++;
        if (i->llc != NO_ID && !seen_llc[i->llc]++)
            f->llc_bytes += (double)llc_bytes[i->llc];
    }
}

/* Append the decimal digits of v (>= 0) to item at *n. */
static void put_uint(char *item, size_t *n, int v)
{
    char digits[12];
    int k = 0;
    do
        digits[k++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (k > 0)
        item[(*n)++] = digits[--k];
}

/* No printf here: a forked worker formats its CPUs before it records its
 * arrival, and every code page it touches then is a page fault counted in
 * its start-up. */
void ps_cpu_list(const cpu_set_t *set, char *buf, size_t len, char sep)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE && used + 1 < len; c++) {
        if (!CPU_ISSET(c, set))
            continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
            last++;
        char item[32];
        size_t n = 0;
        if (used)
            item[n++] = sep;
        put_uint(item, &n, c);
        if (last > c) {
            item[n++] = '-';
            put_uint(item, &n, last);
        }
        if (n >= len - used) {                      /* too long: mark it cut */
            memcpy(buf + (len > 4 ? len - 4 : 0), "...", len > 4 ? 4 : len);
            buf[len - 1] = '\0';
            return;
        }
        memcpy(buf + used, item, n);
        used += n;
        buf[used] = '\0';
        c = last;
    }
}

void ps_bind_self(enum ps_bind policy, int index, char *aff)
{
    cpu_set_t now;
    if (policy == PS_BIND_CORES && bind_count > 0) {
        CPU_ZERO(&now);
        CPU_SET(bind_order[index % bind_count], &now);
        sched_setaffinity(0, sizeof now, &now);   /* this thread */
    }
    if (sched_getaffinity(0, sizeof now, &now) != 0)
        CPU_ZERO(&now);
    ps_cpu_list(&now, aff, PS_AFF_LEN, '+');
}

char *ps_affinity_join(const char *aff, int n)
{
    char *s = malloc((size_t)n * PS_AFF_LEN + 1), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? ";" : "", aff + (size_t)i * PS_AFF_LEN);
    *p = '\0';
    return s;
}

void ps_warn_oversubscribed(const char *driver, int workers_here, long cores)
{
    if (workers_here > cores)
        fprintf(stderr, "parscale-%s: warning: %d workers share %ld CPU%s on this "
                "host (oversubscribed)\n", driver, workers_here, cores,
                cores == 1 ? "" : "s");
}

void ps_topo_print(const struct ps_topo *f, const cpu_set_t *mask)
{
    char list[4096];
    ps_cpu_list(mask, list, sizeof list, ',');
    printf("cores=%ld\n", f->cores);
    if (f->known)
        printf("physical_cores=%ld\nnuma_nodes=%ld\nllc_bytes=%.0f\n",
               f->physical_cores, f->numa_nodes, f->llc_bytes);
    else
        printf("physical_cores=\nnuma_nodes=\nllc_bytes=\n");
    printf("cpus=%s\n", list);
}
