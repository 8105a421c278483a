/*
 * common.h - what every driver shares: the options, the run plan, the
 * per-worker loop, the timer and the CSV writer.
 */
#ifndef PARSCALE_COMMON_H
#define PARSCALE_COMMON_H

#include <sched.h>
#include <stdio.h>

#include "team.h"

#define PS_MAX_WORKERS 4096
#define PS_MAX_SIZE ((uint64_t)1 << 53)   /* sizes: exact in a double */
#define PS_MAX_TIMEOUT 1e7                 /* seconds */
#define PS_MAX_REPS 100000
#define PS_RUN_ID_MAX 64
#define PS_HOST_MAX 64
#define PS_ERR_MAX 256
#define PS_AFF_LEN 48          /* one worker's CPU list in the CSV */
#define PS_CONTINUE (-1)       /* from ps_cli_parse: go on and run */
#define PS_TOPOLOGY (-2)       /* from ps_cli_parse: print --topology, exit 0 */

/* Exit codes, the contract with scripts. */
enum { PS_EXIT_OK = 0, PS_EXIT_FAULT = 1, PS_EXIT_USAGE = 2, PS_EXIT_VERIFY = 3 };

/* --accounting: per-worker time accounting off, on, or on in every other
 * timed repetition only (for measuring its cost: scripts/bench-accounting.sh). */
enum ps_accounting { PS_ACCT_OFF, PS_ACCT_ON, PS_ACCT_ALTERNATE };

/* --bind: leave placement to the OS, or pin worker i to the i-th allowed CPU. */
enum ps_bind { PS_BIND_NONE, PS_BIND_CORES };

struct ps_job;

/* What a driver is, for --help and the CSV. */
struct ps_driver {
    const char *name;          /* "pthread" */
    const char *workers_help;  /* how --workers is taken */
    int default_workers;       /* when --workers is not given; 0: from runtime */
    int max_workers;           /* 0, or the most workers it can run */
    int takes_threads;         /* accepts --threads (threads per rank) */
    int binds;                 /* accepts --bind (else the launcher binds) */
    const char *default_env;   /* the variable its default count comes from */
    /* Parameters of the driver itself, given with --param like a kernel's
     * and parsed, listed and written after the kernel's; NULL: none. */
    const struct ps_param *params;
    /* Optional: refuse a job this driver cannot run, with a one-line
     * message in err (returns -1), or settle its own parameters (0). */
    int (*validate)(struct ps_job *j, char *err, size_t errlen);
};

/* The command line, parsed and checked. */
struct ps_opts {
    const struct ps_driver *driver;
    const struct ps_kernel *kernel;
    int workers;               /* 0 = not given */
    uint64_t size;             /* 0 = not given */
    int weak;
    int reps, warmup;
    struct ps_sched sched;
    int sched_given;
    const char *param[PS_MAX_PARAMS];   /* raw values by parameter index */
    char run_id[PS_RUN_ID_MAX + 1];
    double timeout;            /* seconds, 0 = none */
    int header;
    int threads;               /* --threads, 0 = not given */
    enum ps_bind bind;
    enum ps_accounting accounting;     /* --accounting, default on */
    const char *output;        /* --output FILE, NULL = stdout */
    const char *check;         /* --check-config[=LIST], NULL = run */
};

/* Test-only injected faults (PARSCALE_FAULT=RANK:KIND), see runner.c. */
enum { PS_FAULT_NONE, PS_FAULT_KILL, PS_FAULT_SEGV, PS_FAULT_EXIT, PS_FAULT_HANG,
       PS_FAULT_SKIP };

/* A run, fixed before any worker starts. */
struct ps_job {
    const struct ps_kernel *kernel;
    struct ps_plan plan;
    int workers, warmup, reps;
    double t_launch;           /* when starting workers began (ps_now) */
    int fault_rank, fault;     /* test-only fault injection (runner.c):
                                  worker and PS_FAULT_* kind, 0 = none */
    int first;                 /* team rank of this process's first worker */
    int one_clock;             /* every worker shares this host's clock and
                                  rank 0's outcome (not MPI) */
    enum ps_accounting accounting;     /* split each worker's time (acct.h) */
};

/* What the rows of parscale-exec say in place of a kernel's facts: a
 * program of the user's, run once per repetition (drivers/exec.c).  Its
 * job has no kernel. */
struct ps_exec_facts {
    const char *kernel;        /* --name */
    const char *cls;           /* --class */
    const char *size;          /* --size as given, or "default" */
    const char *total_size;
    const char *params;        /* --param items, key=value;... ("" none) */
    double work;               /* --work per repetition; < 0: not given */
    enum ps_unit unit;         /* --work-unit */
    const char *program;       /* the file run (--program), NULL: none */
    const char *program_sha256;
    /* [reps] each, < 0 where not known: start-up (wall - the program's
     * own time), wall time, user + system CPU time, peak resident bytes */
    double *startup, *wall, *cpu, *max_rss;
    int *verified;             /* [reps]: each repetition is checked alone */
};

/* What rank 0 brings back from a run. */
struct ps_outcome {
    int failed;                /* a worker could not set up (out of memory) */
    int verified;
    double checksum, error;
    double startup;            /* seconds to start every worker */
    double empty;              /* median over PS_EMPTY_REPS repetitions without
                                  run(): the fixed cost of every repetition */
    double *seconds;           /* [reps], max over workers */
    int accounted;             /* the per-worker figures below are filled */
    int counted;               /* and instructions, cycles */
    /* [reps] each: useful and team-call seconds over workers (acct.h);
     * instructions and cycles in useful time, summed over workers; < 0 in
     * a repetition not accounted (--accounting alternate) */
    double *useful_max, *useful_mean, *useful_min, *team_max, *team_mean;
    double *instructions, *cycles;
    double *stamp;             /* [reps], wall clock at the end of each */
    char *affinity;            /* [workers][PS_AFF_LEN], CPUs each worker had */
    double *arrival;           /* [workers], when each started its body */
    volatile int *phase;       /* [workers], where each worker is (ps_phase) */
    const struct ps_exec_facts *exec;  /* parscale-exec's rows; NULL for a kernel */
};

/* Where a worker is, so a timeout can say who was stuck: timed
 * repetition r (from 1) is PS_PHASE_REP + 2(r-1) while running and one
 * more once finished and waiting for the others. */
enum { PS_PHASE_START, PS_PHASE_SETUP, PS_PHASE_WARMUP, PS_PHASE_REP };

/* The CPUs a run may use and what hwloc says they are; for MPI summed
 * over hosts (each host's figures are those of its ranks' masks joined). */
struct ps_topo {
    long cores;                /* CPUs in the affinity mask */
    long physical_cores;       /* cores with at least one of those CPUs */
    long numa_nodes;           /* NUMA nodes those CPUs belong to */
    double llc_bytes;          /* distinct last-level caches over them */
    int known;                 /* hwloc answered (else only cores is set) */
};

/* Where the run happened, for the CSV. */
struct ps_where {
    int ranks, threads_per_rank, nodes;
    struct ps_topo topo;
    char host[PS_HOST_MAX + 1];
    char *hosts;               /* "host:ranks;..." in rank order; NULL: host:ranks */
    const char *affinity;      /* workers' CPU lists joined by ';' */
    const char *runtime_env;   /* settings that shaped the run, key=value;...
                                  (NULL: none) */
};

/* Empty repetitions timed after the timed ones (runner.c). */
#define PS_EMPTY_REPS 5
/* Room for a runtime_env string. */
#define PS_ENV_MAX 512

/* Append key=value to env (PS_ENV_MAX bytes, ';'-separated), the value made
 * CSV-safe: ',' becomes '+', other characters outside [A-Za-z0-9._:{}+*-]
 * become '_'. */
void ps_env_add(char *env, const char *key, const char *value);
/* For the OpenMP drivers: OMP_WAIT_POLICY, OMP_PROC_BIND, OMP_PLACES,
 * OMP_DYNAMIC (and GOMP_SPINCOUNT when set) as the run has them: from the
 * environment when set, else what the runtime says or "unset" (omp_env.c). */
void ps_omp_env(char *env);

/* Parameter i of a run: the kernel's, then the driver's; NULL past the
 * last.  Its parsed value is plan.param[i]. */
const struct ps_param *ps_param_at(const struct ps_kernel *k,
                                   const struct ps_driver *d, int i);

/* Median of v[0..n), n >= 1 (v is sorted in place). */
double ps_median(double *v, int n);
/* This host's name, cleaned to CSV-safe characters. */
void ps_hostname(char *buf, size_t len);
/* CPUs in this process's (or thread's) affinity mask right now. */
long ps_cores(void);

/* The command line's parsers, shared with parscale-exec's own options.
 * Each returns 0, or -1 if s is not one (no blanks, no '+'). */
/* An integer in [lo, hi]. */
int ps_parse_int(const char *s, long long lo, long long hi, long long *out);
/* A finite real in [lo, hi]. */
int ps_parse_real(const char *s, double lo, double hi, double *out);
/* A size: an integer with an optional k M G or Ki Mi Gi suffix, 1..2^53. */
int ps_parse_size(const char *s, uint64_t *out);
/* 1 if s is a valid --run-id: 1..PS_RUN_ID_MAX of [A-Za-z0-9._-]. */
int ps_valid_run_id(const char *s);
/* The default run id, host-UTCtime-pid, into buf. */
void ps_default_run_id(char *buf, size_t len);

/*
 * Parse argv.  Prints (unless quiet) --help, --version, --list and usage
 * errors, and returns the exit code for those; PS_CONTINUE to go on.
 */
int ps_cli_parse(int argc, char **argv, const struct ps_driver *d,
                 struct ps_opts *o, int quiet);
/*
 * Make the job for `workers` workers, `local` of which share this host's
 * memory (and read PARSCALE_FAULT).  Returns 0, or PS_EXIT_USAGE with a
 * one-line message in err.
 */
int ps_job_make(const struct ps_opts *o, int workers, int local,
                struct ps_job *j, char *err, size_t errlen);

/* Check a count taken from the driver's default (online CPUs,
 * OMP_NUM_THREADS) rather than from `option`: 0, or PS_EXIT_USAGE with a
 * one-line message in err. */
int ps_check_default(const struct ps_driver *d, const char *option, int value,
                     char *err, size_t errlen);
/* True if argv asks for --check-config (so the MPI drivers can answer
 * before MPI_Init, without a launcher). */
int ps_cli_wants_check(int argc, char **argv);
/*
 * --check-config: check the job for each worker count of o->check (N or
 * N@LOCAL, comma-separated; empty: `workers`, all local) at `threads`
 * threads per process, without running.  Returns 0, or PS_EXIT_USAGE after
 * printing why.
 */
int ps_cli_check(const struct ps_opts *o, int workers, int threads);

/* Bytes for an outcome with room for reps repetitions and workers. */
size_t ps_outcome_bytes(int reps, int workers);
/* Point an outcome's arrays into the memory that follows it. */
void ps_outcome_init(struct ps_outcome *out, int reps, int workers);

/* Remember the CPUs this process may use and ask hwloc what they are;
 * call once before any worker starts, any binding and any timing
 * (topo.c).  Without an answer from hwloc only the CPU count is known. */
void ps_topo_init(void);
/* The process's affinity mask as ps_topo_init found it. */
const cpu_set_t *ps_topo_allowed(void);
/* The figures for the CPUs in mask (after ps_topo_init). */
void ps_topo_of(const cpu_set_t *mask, struct ps_topo *f);
/* --topology: the figures as key=value lines on stdout, mask as a list. */
void ps_topo_print(const struct ps_topo *f, const cpu_set_t *mask);
/* Write a CPU set as ranges joined by sep: 0-3+8 (sep '+') or 0-3,8. */
void ps_cpu_list(const cpu_set_t *set, char *buf, size_t len, char sep);
/* Apply the binding policy to the calling thread as worker `index` of
 * this process (cores: the first allowed CPU of the index-th physical core,
 * wrapping around), and write the CPUs it then has into aff (PS_AFF_LEN). */
void ps_bind_self(enum ps_bind policy, int index, char *aff);
/* Join n workers' CPU lists with ';' into a new string (NULL if no memory). */
char *ps_affinity_join(const char *aff, int n);
/* Warn on stderr when more workers than cores share this host. */
void ps_warn_oversubscribed(const char *driver, int workers_here, long cores);

/* The runner's accounting of one worker's timed repetitions (acct.c). */
struct ps_acct_run {
    int reps;
    int accounting;            /* every worker accounts */
    int alternate;             /* only in even repetitions (from 0) */
    int counting;              /* every worker has hardware counters */
    int perf_failed;           /* a counter read failed */
    double *sums;              /* [reps][4]: useful, team, instructions, cycles */
};
/* Collective, before the timed repetitions: measure the clock's cost, open
 * the hardware counters, agree on what every worker can do. */
void ps_acct_setup(ps_team *t, const struct ps_job *j, struct ps_acct_run *run);
/* Repetition r (< 0: an empty one) starts, after its opening barrier:
 * counters are started, then the clock read; returns that time. */
double ps_acct_begin(ps_team *t, const struct ps_acct_run *run, int r);
/* It stopped at stop (after its closing barrier): this worker's useful and
 * team seconds; kept as repetition r (r < 0: an empty repetition). */
void ps_acct_end(ps_team *t, struct ps_acct_run *run, int r, double stop,
                 double *useful, double *team);
/* Collective, after them: the means and sums into rank 0's outcome. */
void ps_acct_finish(ps_team *t, struct ps_acct_run *run, struct ps_outcome *out,
                    int workers);

/* The per-worker body: setup, warm-up, timed repetitions, check,
 * teardown.  Collective; rank 0 fills *out. */
void ps_worker(ps_team *t, const struct ps_job *j, struct ps_outcome *out);

/*
 * Write the CSV (header unless --no-header, one row per repetition) to
 * stdout or --output in one piece and a one-line summary to stderr.
 * Returns the exit code: 0, 3 when verification failed, 1 when the CSV
 * cannot be written (an --output file is then removed).
 */
int ps_report(const struct ps_opts *o, const struct ps_job *j,
              const struct ps_outcome *out, const struct ps_where *w);
/* Open --output (rank 0, before the run): 0, or PS_EXIT_FAULT after
 * printing why.  Without --output the CSV goes to stdout. */
int ps_output_open(const struct ps_opts *o);
/*
 * Write the CSV alone (header unless --no-header, one row per repetition)
 * to stdout or --output in one piece; errors are reported as parscale-PROG.
 * Returns 0, or 1 when it cannot be written (an --output file is removed).
 */
int ps_csv_write(const char *prog, const struct ps_opts *o, const struct ps_job *j,
                 const struct ps_outcome *out, const struct ps_where *w);
/* Print the CSV header line to f. */
void ps_csv_header(FILE *f);

/* Print "program: message" to stderr. */
void ps_error(const char *driver, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Arm a timer that ends the process with exit 1 after seconds (0: none),
 * with a message naming the workers furthest behind among the n whose
 * phases are in phase[] (team ranks first..first+n-1). */
void ps_watchdog(const char *driver, double seconds, const volatile int *phase,
                 int n, int first, int reps);
/* For drivers whose workers share this process: when a worker thread
 * crashes (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) or calls exit(),
 * say which worker on stderr before the process ends. */
void ps_name_dying_workers(const char *driver);

/* Describe the workers furthest behind into buf (async-signal-safe). */
void ps_describe_stuck(char *buf, size_t len, const volatile int *phase, int n,
                       int first, int reps);

#endif
