"""libparscale_py.so through ctypes: the C drivers' CLI, job, team, timer,
checks and CSV writer (drivers/py_api.c says what each function does)."""
import ctypes
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_long,
                    c_size_t, c_uint64, c_void_p)

c_uintptr = ctypes.c_size_t   # uintptr_t on the platforms parscale runs on

# launch(): start the workers, wait for them; returns an exit code
LAUNCH = CFUNCTYPE(c_int)
# form(team, state): one repetition of a kernel written in Python
FORM = CFUNCTYPE(None, c_void_p, c_void_p)

_PROTOTYPES = {
    "psy_set_python": (None, [LAUNCH, FORM, c_char_p]),
    "psy_main": (c_int, [c_char_p, c_char_p, c_int, POINTER(c_char_p)]),
    "psy_attach": (c_int, [c_char_p, c_char_p, c_int, POINTER(c_char_p), c_int,
                           c_char_p, c_uintptr, c_double]),
    "psy_start_clock": (c_double, []),
    "psy_work": (c_int, [c_int, c_long]),
    "psy_workers": (c_int, []),
    "psy_timeout": (c_double, []),
    "psy_arena_fd": (c_int, []),
    "psy_arena_address": (c_uintptr, []),
    "psy_kernel_name": (c_char_p, []),
    "psy_size": (c_uint64, []),
    "psy_param": (c_double, [c_char_p]),
    "psy_describe_stuck": (None, [c_char_p, c_size_t]),
    "psy_loop_begin": (None, [c_void_p, c_uint64]),
    "psy_loop_next": (c_int, [c_void_p, POINTER(c_uint64), POINTER(c_uint64)]),
    "psy_put_result": (c_int, [c_void_p, POINTER(c_double), c_size_t]),
}


def load(path: str) -> ctypes.CDLL:
    """The library at path with every function's prototype set.  A CDLL
    releases the GIL for the length of each call."""
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def argv(args: list[str]) -> "ctypes.Array[c_char_p]":
    """args as a C argv (NULL-terminated); keep it alive while C uses it."""
    arr = (c_char_p * (len(args) + 1))()
    arr[:len(args)] = [a.encode() for a in args]
    return arr
