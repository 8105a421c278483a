"""Kernels written in Python (--param impl=python).

Each form takes the same items from the team as the C kernel's run()
(psy_loop_begin/psy_loop_next, so every --schedule applies) and does the same
math per item, then hands its result to the kernel's put_result in the order
kernels/<name>.c documents; the C kernel's own check() verifies it, and the
checksum agrees with the C drivers'.  The loop holds the GIL throughout,
except where an item waits (time.sleep releases it, as blocking I/O does).
"""
import math
import time
from collections.abc import Callable, Iterator
from ctypes import CDLL, byref, c_uint64

# kernels/sqrtpow.c sums this many items before adding them to the total
SQRTPOW_BLOCK = 1024
NS_PER_US = 1000


def _ranges(lib: CDLL, team: int, n: int) -> Iterator[tuple[int, int]]:
    """This worker's ranges [lo, hi) of n items, from the team's loop."""
    lo, hi = c_uint64(), c_uint64()
    lib.psy_loop_begin(team, n)
    while lib.psy_loop_next(team, byref(lo), byref(hi)):
        yield lo.value, hi.value


def sqrtpow(lib: CDLL, team: int, n: int, param: Callable[[str], float]) -> list[float]:
    """Sum of pow(sqrt(i + 1), power) over this worker's items, summed in
    blocks as kernels/sqrtpow.c sum_range does."""
    power = param("power")
    sqrt, pw = math.sqrt, math.pow
    total = 0.0
    for lo, hi in _ranges(lib, team, n):
        part = 0.0
        while lo < hi:
            end = min(lo + SQRTPOW_BLOCK, hi)
            block = 0.0
            for i in range(lo + 1, end + 1):
                block += pw(sqrt(i), power)
            part += block
            lo = end
        total += part
    return [total]


def sleep(lib: CDLL, team: int, n: int, param: Callable[[str], float]) -> list[float]:
    """Each item waits wait_us (time.sleep, which releases the GIL, like a
    blocking read) then does spin square roots; returns items, index sum,
    nanoseconds waited, and 1 if a wait ended early."""
    wait_ns = int(param("wait_us")) * NS_PER_US
    wait_s = wait_ns / 1e9
    spin = int(param("spin"))
    sqrt, now = math.sqrt, time.monotonic_ns
    items = idsum = waited_ns = short = 0
    acc = 0.0
    for lo, hi in _ranges(lib, team, n):
        for i in range(lo, hi):
            start = now()
            time.sleep(wait_s)
            waited = now() - start
            if waited < wait_ns:
                short = 1
            waited_ns += waited
            x = float(i)
            for _ in range(spin):
                x = sqrt(x + 1.0)
            acc += x
            items += 1
            idsum += i
    return [items, idsum, waited_ns, short]


# kernel name -> its Python form
FORMS: dict[str, Callable[[CDLL, int, int, Callable[[str], float]], list[float]]] = {
    "sqrtpow": sqrtpow,
    "sleep": sleep,
}
