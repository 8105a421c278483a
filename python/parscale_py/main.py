"""The Python drivers' main: the C drivers' parse, plan, run and report
(psy_main in libparscale_py.so), with workers started here."""
import os
import sys

from . import clib, workers


def main(driver: str, workers_are: str, lib_path: str) -> int:
    """Run parscale-DRIVER with sys.argv; workers_are is "thread" or a
    multiprocessing start method.  Returns the exit code."""
    lib = clib.load(lib_path)
    args: list[str] = [f"parscale-{driver}"] + sys.argv[1:]

    def launch() -> int:
        try:
            if workers_are == "thread":
                return workers.launch_threads(lib, driver)
            return workers.launch_processes(lib, driver, workers_are, args, lib_path)
        except BaseException as e:   # nothing may unwind through C
            workers.error(driver, f"internal error starting the workers: {e!r}")
            if workers_are == "thread":
                os._exit(workers.EXIT_FAULT)   # threads cannot be stopped
            return workers.EXIT_FAULT

    workers.register(lib, driver, launch)
    c_args = clib.argv(args)
    return lib.psy_main(driver.encode(), workers_are.encode(), len(args), c_args)
