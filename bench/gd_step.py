"""Benchmark of one full-batch GD step: compiled kernels against the NumPy spec and hardware bounds.

Two sections, each timed with *interleaved* repeats (implementations take turns inside every
repeat, so a slow phase of the shared machine hits all of them) and reported as medians:

``dense`` — ``dynamics.gd_steps`` (the ``_run_dense`` kernel) against
  * the NumPy specification: ``theory.loss_and_grad`` followed by ``W -= lr·grad``;
  * the two-GEMM bound measured in the same run: numpy GEMMs of the step's two contraction
    shapes, forward (N·P, d)·(d, k·m) and backward (k·m, N·P)·(N·P, d), into preallocated
    outputs, with the operand layouts the kernel uses.
  Target: ≥ 0.90 of the bound at medium and large, faster than the spec at every size.

``infinite`` — the infinite-dimension kernel ``_run_infinite`` (SPEC §2) against
  * ``_run_dense`` at d = 400 and d = 1600 (same k, m, N, P, K);
  * a memory-traffic bound: the bytes a step must move divided by the copy bandwidth
    measured in the same run (``np.copyto`` of a 256 MiB array, counted as read + write,
    the STREAM convention). The bytes (``itemsize`` b, R = N·P rows, J = K·k·m columns):
      pass 1 reads cT (R·J) and coef (R·2k), writes s'(A) or G (R·J);
      pass 2 reads that buffer (R·J) and coef (R·2k), reads and writes cT (2·R·J);
    so 5·R·J + 2·R·2k elements. A kernel that recomputed s'(A) instead of storing it could
    go down to 3·R·J + 2·R·2k (the loss needs every output before any update, so cT is read
    twice at least); the table quotes that stricter bound too.
  Target: ≥ 0.5 of the (5·R·J) bound.

Data: Gaussian patches X ~ N(0, I/d) (rows of norm ≈ 1) and weights W ~ N(0, ϱ²), so that
pre-activations straddle 0 and ϱ and all three branches of the smoothed ReLU are exercised;
the infinite section uses the ``quick`` preset's sampler and initialisation. The cost of a step
does not depend on the values beyond those branches.

Threads: the parent process measures with the environment's BLAS threads; ``--threads 1`` (or
``--threads 0,1``) re-runs the measurement in a subprocess with OPENBLAS_NUM_THREADS=1 and
NUMBA_NUM_THREADS=1 (threadpoolctl is not a dependency). 0 means "as the environment says".

Usage (from the repository root)::

    python bench/gd_step.py                         # both sections, env threads and 1 thread
    python bench/gd_step.py --section dense --sizes medium --dtypes float64 --repeats 5
    python bench/gd_step.py --out bench/results/gd_step.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere: this checkout

import dynamics  # noqa: E402
import theory  # noqa: E402
import theory.data  # noqa: E402
import theory.presets  # noqa: E402
from dynamics import _kernels  # noqa: E402

SIZES = {  # name: (k, m, P, d, N)
    "small": (10, 4, 16, 200, 500),
    "medium": (10, 8, 32, 500, 2000),
    "large": (20, 8, 64, 1000, 2000),
}
POWER, THRESHOLD, LR = 4, 0.2, 0.05
INF_DIMS = (400, 1600)
INF_MODELS = 5  # K stacked models in the infinite section (quick preset's ensemble)


def _median_times(fns: dict, repeats: int) -> dict[str, float]:
    """Interleaved repeats: every repeat runs each function once, in rotating order."""
    names = list(fns)
    times = {n: [] for n in names}
    for rep in range(repeats):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for n in order:
            t0 = time.perf_counter()
            fns[n]()
            times[n].append(time.perf_counter() - t0)
    return {n: float(np.median(v)) for n, v in times.items()}


# ---------------------------------------------------------------------------------- dense


@njit(cache=True)
def _nb_gemms(X, W, A, G, grad, gradT):
    """The dense kernel's two GEMMs as it calls them (orientation by dtype, see _run_dense)."""
    np.dot(X, W.T, A)
    if W.itemsize == 4:
        np.dot(X.T, G, gradT)
    else:
        np.dot(G.T, X, grad)


def dense_case(size: str, dtype, repeats: int, steps: int) -> dict:
    k, m, P, d, N = SIZES[size]
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((N, P, d)) / np.sqrt(d)).astype(dtype)
    W = (rng.standard_normal((k, m, d)) * THRESHOLD).astype(dtype)
    y = rng.integers(0, k, size=N)
    J, R = k * m, N * P
    Xf = X.reshape(R, d)
    Wt = np.ascontiguousarray(W.reshape(J, d).T)  # (d, J)
    Wflat = W.reshape(J, d)
    A = np.empty((R, J), dtype=dtype)
    grad = np.empty((J, d), dtype=dtype)
    G = rng.standard_normal((R, J)).astype(dtype)

    def kernel():
        dynamics.gd_steps(W, X, y, LR, steps, POWER, THRESHOLD)

    def spec():  # one step: the spec has no per-call overhead to amortise
        Ws = W.copy()
        _, g = theory.loss_and_grad(Ws, X, y, POWER, THRESHOLD)
        Ws -= LR * g

    def gemm_fwd():
        np.dot(Xf, Wflat.T, out=A)  # (R, d)·(d, J), W read transposed as in the kernel

    def gemm_bwd():
        np.dot(G.T, Xf, out=grad)  # (J, R)·(R, d), G read transposed as in the kernel

    gradT = np.empty((d, J), dtype=dtype)

    def nb_gemms():  # the same two GEMMs through numba's np.dot (scipy's BLAS), as the kernel
        _nb_gemms(Xf, Wflat, A, G, grad, gradT)

    dynamics.gd_steps(W, X, y, LR, 1, POWER, THRESHOLD)  # compile / load the cache
    nb_gemms()
    del Wt
    t = _median_times({"kernel": kernel, "spec": spec, "fwd": gemm_fwd, "bwd": gemm_bwd,
                       "nb": nb_gemms}, repeats)
    per = {"kernel": t["kernel"] / steps, "spec": t["spec"], "bound": t["fwd"] + t["bwd"],
           "bound_nb": t["nb"]}
    flops = 4.0 * R * J * d
    return {"size": size, "shape": [k, m, P, d, N], "dtype": np.dtype(dtype).name, **per,
            "gflops_kernel": flops / per["kernel"] / 1e9, "gflops_bound": flops / per["bound"] / 1e9}


# ------------------------------------------------------------------------------- infinite


COPY_BYTES = 256 * 2**20


def infinite_case(dtype, repeats: int, steps: int) -> dict:
    from dynamics.state import flat_coef, flat_patches, init_state
    from theory.params import with_overrides

    base = theory.presets.get("quick")
    K = INF_MODELS
    fns, meta = {}, {}
    for dim in ("inf",) + INF_DIMS:
        params = with_overrides(base, {"dim": dim, "n_test": 10} if dim == "inf" else
                                {"dim": dim, "noise_mode": "orthogonal", "n_test": 10})
        dp, net = params.data, params.network
        data = theory.data.make_splits(dp, np.random.default_rng(1)).train
        state = init_state(dp, net, dp.n_train, list(np.random.default_rng(2).spawn(K)), dtype=dtype)
        k, m, P, N = dp.n_classes, net.n_neurons, dp.n_patches, dp.n_train
        J = K * k * m
        y = data.y.astype(np.int64)
        loss = np.zeros((steps, K))
        acc = np.zeros((steps, K))
        stop = np.full(K, -1, dtype=np.int64)
        active = np.ones(K, dtype=np.bool_)
        teacher, extra = np.zeros((1, 1)), np.zeros(1)
        lam = np.zeros((steps, K, k, 2))  # per-step Λ output of the kernels
        if state.infinite:
            a2, cT, coef = state.a.reshape(J, -1), state.cT, flat_coef(data, dtype)
            fns["infinite"] = lambda: _kernels._run_infinite(
                a2, cT, coef, y, k, m, P, dp.noise_norm**2, 1.0, steps,
                net.power, net.threshold, _kernels.CE, False, active, teacher, extra, 0, loss, acc, stop,
                lam)
            # compute reference: the step's two small GEMMs (inner size 2k), numpy, full size
            A = np.empty((N * P, J), dtype)
            grad = np.empty((J, 2 * k), dtype)
            fns["small GEMMs"] = lambda: (np.dot(coef, a2.T, out=A), np.dot(A.T, coef, out=grad))
            meta = {"shape": [k, m, P, N, K], "R": N * P, "J": J, "k2": 2 * k}
        else:
            W2, Xf = state.W.reshape(J, -1), flat_patches(data, dtype)
            feat = np.ascontiguousarray(data.features, dtype=dtype)
            fns[f"dense d={dim}"] = lambda W2=W2, Xf=Xf, loss=loss, acc=acc, stop=stop, active=active, feat=feat, lam=lam: (
                _kernels._run_dense(W2, Xf, y, k, m, P, 1.0, steps, net.power, net.threshold,
                                    _kernels.CE, False, active, teacher, extra, 0, loss, acc, stop,
                                    feat, lam))
    for f in fns.values():
        f()  # compile / load the cache
    src = np.ones(COPY_BYTES // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    fns["copy"] = lambda: np.copyto(dst, src)  # interleaved too: bandwidth varies with load
    t = _median_times(fns, repeats)
    bandwidth = 2 * COPY_BYTES / t.pop("copy")  # read + write, STREAM convention
    gemms = t.pop("small GEMMs")
    R, J, k2 = meta["R"], meta["J"], meta["k2"]
    b = np.dtype(dtype).itemsize
    bytes_5 = (5 * R * J + 2 * R * k2) * b
    bytes_3 = (3 * R * J + 2 * R * k2) * b
    per = {n: v / steps for n, v in t.items()}
    return {"dtype": np.dtype(dtype).name, "shape": meta["shape"], **per,
            "bound5": bytes_5 / bandwidth, "bound3": bytes_3 / bandwidth, "gemms": gemms,
            "bytes5": bytes_5, "bandwidth": bandwidth}


# ------------------------------------------------------------------------------- driver


def measure(args) -> dict:
    out = {"threads": os.environ.get("OPENBLAS_NUM_THREADS", "env"), "dense": [], "infinite": []}
    dtypes = [np.dtype(s).type for s in args.dtypes.split(",")]
    if args.section in ("dense", "all"):
        for size in args.sizes.split(","):
            for dt in dtypes:
                out["dense"].append(dense_case(size, dt, args.repeats, args.steps))
                print(f"# dense {size} {np.dtype(dt).name} done", file=sys.stderr, flush=True)
    if args.section in ("infinite", "all"):
        for dt in dtypes:
            out["infinite"].append(infinite_case(dt, args.repeats, args.inf_steps))
            print(f"# infinite {np.dtype(dt).name} done", file=sys.stderr, flush=True)
    return out


def _ms(x: float) -> str:
    return f"{x * 1e3:.1f}" if x < 10 else f"{x:.1f} s"


def tables(results: list[dict]) -> str:
    lines = []
    dense = [(r["threads"], c) for r in results for c in r["dense"]]
    if dense:
        lines += ["### Dense step: `gd_steps` vs NumPy spec vs two-GEMM bound", "",
                  "| threads | size (k, m, P, d, N) | dtype | kernel ms | spec ms | 2-GEMM bound ms "
                  "| bound / kernel | spec / kernel | kernel GFLOP/s | same GEMMs via numba ms "
                  "| those / kernel |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for th, c in dense:
            lines.append(
                f"| {th} | {c['size']} {tuple(c['shape'])} | {c['dtype']} | {_ms(c['kernel'])} | "
                f"{_ms(c['spec'])} | {_ms(c['bound'])} | **{c['bound'] / c['kernel']:.2f}** | "
                f"{c['spec'] / c['kernel']:.1f}× | {c['gflops_kernel']:.0f} | {_ms(c['bound_nb'])} | "
                f"{c['bound_nb'] / c['kernel']:.2f} |")
        lines.append("")
    inf = [(r["threads"], c) for r in results for c in r["infinite"]]
    if inf:
        k, m, P, N, K = inf[0][1]["shape"]
        lines += [f"### Infinite-dimension step (k={k}, m={m}, P={P}, N={N}, K={K} stacked models)", "",
                  "| threads | dtype | infinite ms | dense d=400 ms | dense d=1600 ms | traffic bound ms "
                  "(5·R·J) | bound / infinite | strict bound (3·R·J) / infinite | copy GB/s "
                  "| its two small GEMMs ms | GEMMs / infinite |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for th, c in inf:
            lines.append(
                f"| {th} | {c['dtype']} | {_ms(c['infinite'])} | {_ms(c['dense d=400'])} | "
                f"{_ms(c['dense d=1600'])} | {_ms(c['bound5'])} | **{c['bound5'] / c['infinite']:.2f}** | "
                f"{c['bound3'] / c['infinite']:.2f} | {c['bandwidth'] / 1e9:.1f} | {_ms(c['gemms'])} | "
                f"{c['gemms'] / c['infinite']:.2f} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--section", choices=["dense", "infinite", "all"], default="all")
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--repeats", type=int, default=7, help="interleaved repeats (median quoted)")
    ap.add_argument("--steps", type=int, default=2, help="GD steps per timed dense call")
    ap.add_argument("--inf-steps", type=int, default=10, help="GD steps per timed call, infinite section")
    ap.add_argument("--threads", default="0,1",
                    help="comma list of BLAS thread counts; 0 = as the environment says")
    ap.add_argument("--out", type=Path, default=None, help="also write the markdown tables here")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args(argv)
    if args.json:
        print(json.dumps(measure(args)))
        return
    results = []
    for th in args.threads.split(","):
        if th == "0":
            results.append(measure(args))
            continue
        env = dict(os.environ, OPENBLAS_NUM_THREADS=th, NUMBA_NUM_THREADS=th, OMP_NUM_THREADS=th)
        cmd = [sys.executable, __file__, "--json", "--threads", "0", "--section", args.section,
               "--sizes", args.sizes, "--dtypes", args.dtypes, "--repeats", str(args.repeats),
               "--steps", str(args.steps), "--inf-steps", str(args.inf_steps)]
        res = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
        if res.returncode:
            sys.exit(res.stderr)
        results.append(json.loads(res.stdout.strip().splitlines()[-1]))
        results[-1]["threads"] = th
    load = os.getloadavg()
    head = (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average {load[0]:.1f} at the end; numpy {np.__version__}; "
            f"medians of {args.repeats} interleaved repeats. Command: "
            f"`python bench/gd_step.py {' '.join(argv or sys.argv[1:])}`\n")
    text = head + "\n" + tables(results)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
