"""Time PCGrad and MGDA from ``mtl_helpers.gradients`` beside torchjd's on one large matrix.

    python benchmarks/bench_gradients.py

The matrix is 8 tasks × 200,000 parameters (float32, seeded); both libraries get the same
matrix in the same process, one thread, and the best of several repeats is reported. torchjd's
MGDA runs a Frank–Wolfe loop (at most 100 steps, stopping below a step of 1e-3), ours solves
the small problem exactly, so the two MGDA directions are also compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torchjd.aggregation import MGDA, PCGrad

from mtl_helpers.gradients import mgda, pcgrad

N_TASKS, N_PARAMS, REPEATS = 8, 200_000, 15


def best_seconds(function: Callable[[], torch.Tensor]) -> float:
    function()  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(0)
    grads = torch.randn(N_TASKS, N_PARAMS, generator=generator)
    grads[1] -= 1.5 * grads[0]  # make some tasks conflict
    grads[3] -= 0.8 * grads[2]
    shuffle = torch.Generator().manual_seed(1)
    rows = [
        ("PCGrad", lambda: pcgrad(grads, shuffle), PCGrad()),
        ("MGDA", lambda: mgda(grads), MGDA()),
    ]
    print(f"matrix {N_TASKS} x {N_PARAMS:,} float32, 1 thread, best of {REPEATS}")
    print(f"{'method':<8}{'ours (s)':>12}{'torchjd (s)':>14}{'torchjd / ours':>16}")
    for name, ours, theirs in rows:
        ours_s = best_seconds(ours)
        theirs_s = best_seconds(lambda theirs=theirs: theirs(grads))
        print(f"{name:<8}{ours_s:>12.5f}{theirs_s:>14.5f}{theirs_s / ours_s:>16.2f}")
    exact, approximate = mgda(grads.double()), MGDA()(grads.double())
    gap = float((approximate - exact).norm() / exact.norm())
    print(f"MGDA: torchjd's direction differs from the exact one by {gap:.3g} (relative norm)")


if __name__ == "__main__":
    main()
