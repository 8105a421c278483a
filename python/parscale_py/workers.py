"""Starting the workers of a run and waiting for them.

Workers are started once per run, after psy_start_clock, so the start-up
time the CSV reports (until every worker has passed the team's first
barrier) includes what Python pays to start them: a thread's bootstrap, a
fork, or a whole new interpreter that imports this package and the library
(spawn, forkserver).  Each worker then runs psy_work, the C drivers' worker
body, with the GIL released except inside a Python form of a kernel.

Worker processes die with the driver (PR_SET_PDEATHSIG, set in psy_work).
The driver watches them: a worker that exits non-zero or is killed, an
expired --timeout, or SIGINT/SIGTERM/SIGHUP ends the run with exit 1, every
other worker killed and reaped, and one line saying which worker and why.
"""
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from ctypes import CDLL
from multiprocessing.process import BaseProcess
from types import FrameType

from . import clib, forms

EXIT_FAULT = 1
MESSAGE_MAX = 240


def error(driver: str, message: str) -> None:
    """One line 'parscale-DRIVER: message' on stderr; control characters
    become '?' so it stays one line."""
    clean = "".join(c if " " <= c != "\x7f" else "?" for c in message)
    sys.stderr.write(f"parscale-{driver}: {clean}\n")
    sys.stderr.flush()


def launch_threads(lib: CDLL, driver: str) -> int:
    """Workers as threading threads.  --timeout is the C watchdog's; SIGINT
    ends the process as it ends parscale-pthread (threads cannot be
    stopped, and Python would only see it between two bytecodes)."""
    n = lib.psy_workers()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    lib.psy_start_clock()
    threads = [threading.Thread(target=lib.psy_work, args=(r, 0),
                                name=f"parscale-worker-{r}", daemon=True)
               for r in range(n)]
    for r, t in enumerate(threads):
        try:
            t.start()
        except RuntimeError as e:
            # the started ones wait at the first barrier for ever
            error(driver, f"cannot start thread {r} of {n}: {e}")
            os._exit(EXIT_FAULT)
    for t in threads:
        t.join()
    return 0


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise _Interrupted(signum)


def _describe(code: int) -> str:
    if code < 0:
        return f"was killed by signal {-code} ({signal.strsignal(-code)})"
    return f"exited with status {code}"


def _end(procs: list[BaseProcess]) -> None:
    """Kill every started worker still alive and reap them all."""
    for p in procs:
        if p.pid is not None and p.exitcode is None:
            p.kill()
    for p in procs:
        if p.pid is not None:
            p.join()


def forked_worker(rank: int, parent: int) -> None:
    """A worker process made by fork(): the library and the run are there."""
    os._exit(_LIB.psy_work(rank, parent))


def exec_worker(driver: str, method: str, args: list[str], workers: int,
                arena: str, address: int, t_launch: float, rank: int,
                parent: int, lib_path: str) -> None:
    """A worker process started by exec (spawn, forkserver): load the
    library, make the parent's job from its arguments, map its arena."""
    lib = clib.load(lib_path)
    register(lib, driver, None)
    c_args = clib.argv(args)
    rc = lib.psy_attach(driver.encode(), method.encode(), len(args), c_args,
                        workers, arena.encode(), address, t_launch)
    if rc == 0:
        rc = lib.psy_work(rank, parent)
    sys.stderr.flush()
    os._exit(rc)


def launch_processes(lib: CDLL, driver: str, method: str, args: list[str],
                     lib_path: str) -> int:
    """Workers as multiprocessing processes started by `method`."""
    ctx = multiprocessing.get_context(method)
    n = lib.psy_workers()
    timeout = lib.psy_timeout()
    me = os.getpid()
    # a worker started by a fork server is not our child: it checks nothing
    parent = -1 if method == "forkserver" else me
    caught = {s: signal.signal(s, _raise_interrupted)
              for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    procs: list[BaseProcess] = []
    try:
        t_launch = lib.psy_start_clock()
        deadline: float | None = time.monotonic() + timeout if timeout > 0 else None
        if method == "fork":
            procs = [ctx.Process(target=forked_worker, args=(r, parent), daemon=False)
                     for r in range(n)]
        else:
            arena = f"/proc/{me}/fd/{lib.psy_arena_fd()}"
            address = lib.psy_arena_address()
            procs = [ctx.Process(target=exec_worker,
                                 args=(driver, method, args, n, arena, address,
                                       t_launch, r, parent, lib_path), daemon=False)
                     for r in range(n)]
        for r, p in enumerate(procs):
            try:
                p.start()
            except OSError as e:
                error(driver, f"cannot start worker {r} of {n}: {e}")
                return EXIT_FAULT
        return _watch(lib, driver, procs, deadline, timeout)
    except _Interrupted as e:
        left = sum(1 for p in procs if p.pid is not None and p.exitcode is None)
        error(driver, f"interrupted by signal {e.signum} "
                      f"({signal.strsignal(e.signum)}); ended {left} workers")
        return EXIT_FAULT
    finally:
        _end(procs)
        for s, handler in caught.items():
            signal.signal(s, handler)


def _watch(lib: CDLL, driver: str, procs: list[BaseProcess], deadline: float | None,
           timeout: float) -> int:
    """Wait for every worker; the first failure ends the run."""
    pending = {p.sentinel: (r, p) for r, p in enumerate(procs)}
    while pending:
        rest = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready = multiprocessing.connection.wait(list(pending), timeout=rest)
        if not ready:
            buf = ctypes.create_string_buffer(MESSAGE_MAX)
            lib.psy_describe_stuck(buf, MESSAGE_MAX)
            error(driver, f"run exceeded --timeout {timeout:g} s; {buf.value.decode()}")
            return EXIT_FAULT
        for s in ready:
            r, p = pending.pop(s)
            p.join()
            if p.exitcode != 0:
                error(driver, f"worker {r} (pid {p.pid}) {_describe(p.exitcode)}; "
                              "ended the other workers")
                return EXIT_FAULT
    return 0


_LIB: CDLL | None = None
_DRIVER = "py"
_CALLBACKS: list[object] = []   # ctypes callbacks must outlive every call


def _form(team: int, state: int) -> None:
    """One repetition of the job's kernel in Python (a C callback)."""
    lib = _LIB
    try:
        name = lib.psy_kernel_name().decode()
        values = forms.FORMS[name](lib, team, lib.psy_size(),
                                   lambda key: lib.psy_param(key.encode()))
        arr = (ctypes.c_double * len(values))(*values)
        if lib.psy_put_result(state, arr, len(values)) != 0:
            raise RuntimeError(f"{name}'s put_result refused {len(values)} values")
    except BaseException as e:   # nothing may unwind through C
        error(_DRIVER, f"the Python form of the kernel failed: {e!r}")
        os._exit(EXIT_FAULT)


def register(lib: CDLL, driver: str, launch: Callable[[], int] | None) -> None:
    """Tell the library how to launch (None in a worker) and which kernels
    have a Python form."""
    global _LIB, _DRIVER
    _LIB = lib
    _DRIVER = driver
    cb_launch = clib.LAUNCH(launch) if launch else clib.LAUNCH()
    cb_form = clib.FORM(_form)
    _CALLBACKS[:] = [cb_launch, cb_form]
    lib.psy_set_python(cb_launch, cb_form, ", ".join(sorted(forms.FORMS)).encode())
