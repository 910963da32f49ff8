"""Every numerical tolerance and statistical threshold of the tests, each with its reason.

Tests import names from here; no bare thresholds in tests.
"""

# float64 kernel vs the NumPy specification after a few steps: both do the same arithmetic in
# a different order (BLAS blocking, fused loops); rounding differences are O(1e-16) relative
# per operation and grow mildly over a handful of steps.
KERNEL_VS_SPEC_RTOL_F64 = 1e-10

# float32 kernel vs float64 specification after a few steps: float32 epsilon is 1.2e-7; the
# GEMM sums over d·... terms, so relative errors of ~1e-5 are expected and 1e-4 leaves room.
KERNEL_VS_SPEC_RTOL_F32 = 1e-4

# Central finite differences with step h = 1e-6 on a float64 loss of size O(1): truncation
# error O(h²·f''') ~ 1e-12 and cancellation error O(eps/h) ~ 1e-10 relative to the gradient.
FD_STEP = 1e-6
FD_RTOL = 1e-6

# Statistical tests of the sampler use two-sided 99.9% intervals: with ~10 such checks per
# run the chance of a false alarm in one run is about 1%.
SAMPLER_Z = 3.29  # standard normal quantile for two-sided 99.9%

# Floating point slack when checking that a sampled quantity lies inside a closed interval
# computed with a few float operations.
INTERVAL_SLACK = 1e-12

# Orthonormality of sampled feature frames (QR in float64): |F Fᵀ − I| stays O(1e-15·√d).
ORTHONORMAL_ATOL = 1e-12

# Batched (K stacked models, one compiled call) vs one model at a time, float64: the same
# arithmetic except for BLAS blocking over a wider J, O(1e-16) relative per step, amplified
# mildly over tens of steps of a smooth map.
BATCHED_VS_SEQUENTIAL_RTOL = 1e-9

# Kernel losses / output gradients vs the NumPy specification on the same F: a few float64
# operations in a different order (exp, log-sum-exp), so agreement to ~1e-15 relative; 1e-12
# leaves room.
LOSS_KERNEL_RTOL = 1e-12

# Linearised model: F_lin(W0 + Δ) − F(W0) vs the central difference (F(W0 + hΔ) − F(W0 − hΔ))/2h.
# The smoothed ReLU is only C¹ (s'' jumps at 0 and ϱ), so the central difference's error is
# O(h·|s''| jumps·(fraction of pre-activations within h of a kink)) ~ h = 1e-6 relative at worst.
LINEARISATION_FD_RTOL = 1e-5

# λ_max of the tangent Gram matrix from scipy's eigh vs a dense SVD of the explicit Jacobian:
# both LAPACK, float64, relative agreement ~1e-13; 1e-9 leaves room for the Gram's squaring.
GRAM_EIG_RTOL = 1e-9
