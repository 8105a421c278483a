"""parscale's Python drivers: workers as threading threads or multiprocessing
processes, running parscale's kernels as Python loops or as the C kernels
through ctypes (libparscale_py.so).  The launchers parscale-py-* call
parscale_py.main.main."""
