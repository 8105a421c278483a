/*
 * perfctr.c - instructions and cycles of a worker's useful time, from the
 * CPU's performance counters through perf_event_open(2), where the machine
 * has them.
 *
 * Each worker opens one group (instructions leading, cycles) for its own
 * thread, user space only.  The group counts from the start of a timed
 * repetition to its end and is paused inside collective team calls
 * (acct.h), so barrier spinning is not counted as the kernel's work; the
 * frequent short calls (shared updates, queue grabs) stay counted, as
 * pausing costs two system calls.
 *
 * When the group cannot be opened the columns stay empty, never estimated:
 * a virtual machine without a virtual PMU (no "cpu" under
 * /sys/bus/event_source/devices; open fails with ENOENT or EOPNOTSUPP),
 * perf_event_paranoid above 2 or a seccomp filter (EACCES, EPERM), or a
 * kernel without perf events (ENOSYS).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

/* One counter of the calling thread, user space only, in group `group`
 * (-1: a new group, its leader). */
static int open_counter(uint64_t config, int group)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = config;
    attr.disabled = group < 0;          /* the leader starts stopped */
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_GROUP;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group, PERF_FLAG_FD_CLOEXEC);
}

int ps_perf_open(int *member)
{
    int leader = open_counter(PERF_COUNT_HW_INSTRUCTIONS, -1);
    if (leader < 0)
        return -1;
    *member = open_counter(PERF_COUNT_HW_CPU_CYCLES, leader);
    if (*member < 0) {
        int err = errno;
        close(leader);
        errno = err;
        return -1;
    }
    return leader;
}

void ps_perf_close(int fd, int member)
{
    if (member >= 0)
        close(member);
    if (fd >= 0)
        close(fd);
}

void ps_perf_start(int fd)
{
    ioctl(fd, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
    ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void ps_perf_pause(int fd) { ioctl(fd, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP); }
void ps_perf_resume(int fd) { ioctl(fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP); }

int ps_perf_stop(int fd, double *instructions, double *cycles)
{
    uint64_t v[3];     /* nr, instructions, cycles */
    ioctl(fd, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
    if (read(fd, v, sizeof v) != (ssize_t)sizeof v || v[0] != 2)
        return -1;
    *instructions = (double)v[1];
    *cycles = (double)v[2];
    return 0;
}
