/*
 * registry.c - the table of kernels, and names for the kernel enums.
 * A driver finds a kernel here by name; nothing else switches on kernels.
 */
#include <string.h>

#include "parscale/kernel.h"

extern const struct ps_kernel ps_kernel_sqrtpow, ps_kernel_ep,
    ps_kernel_triad, ps_kernel_sleep, ps_kernel_mandel, ps_kernel_stencil,
    ps_kernel_histogram, ps_kernel_sync;

const struct ps_kernel *const ps_kernels[] = {
    &ps_kernel_sqrtpow, &ps_kernel_ep,      &ps_kernel_triad,
    &ps_kernel_sleep,   &ps_kernel_mandel,  &ps_kernel_stencil,
    &ps_kernel_histogram, &ps_kernel_sync, NULL,
};

/* The kernel called name, or NULL. */
const struct ps_kernel *ps_kernel_find(const char *name)
{
    for (size_t i = 0; ps_kernels[i]; i++)
        if (strcmp(ps_kernels[i]->name, name) == 0)
            return ps_kernels[i];
    return NULL;
}

static const char *const class_names[] = {
    [PS_COMPUTE] = "compute",     [PS_MEMORY] = "memory",
    [PS_LATENCY] = "latency",     [PS_IMBALANCE] = "imbalance",
    [PS_HALO] = "halo",           [PS_CONTENTION] = "contention",
    [PS_PRIMITIVE] = "primitive",
};

static const char *const unit_names[] = {
    [PS_BYTES] = "bytes", [PS_FLOPS] = "flops", [PS_ITEMS] = "items",
};

/* The CSV name of a kernel class. */
const char *ps_class_name(enum ps_class c) { return class_names[c]; }

/* The CSV name of a work unit. */
const char *ps_unit_name(enum ps_unit u) { return unit_names[u]; }
