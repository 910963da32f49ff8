"""Symbolic and numeric bounds of the multi-view theory (SPEC §5 claims 3, 5, 9; SPEC §6).

Three layers, one concept per private module:

* ``derive_*`` (sympy): each returns an expression whose docstring states the claim, its
  assumptions and its source — :mod:`bounds._tensor_power` (the tensor-power-method bound,
  continuous and discrete, with the proof), :mod:`bounds._phase` (Phase-I time scale and
  drive constant), :mod:`bounds._lottery` (the lottery at init, ensemble coverage).
* plain numeric functions (:mod:`bounds._numeric`): each expression lambdified once.
* trajectory checks (:mod:`bounds._trajectory`): the bound applied to tracked Λ curves,
  and :mod:`bounds._recurrence`, a generator of sequences obeying the recurrences.

Imports numpy, scipy, sympy and math, and theory (claim C9 reads run records).
"""

from ._claim import C9, LEVEL_FRACTION, MemberCheck, check_member, evaluate_c9
from ._escape import EscapeTable, escape_table, measured_drive_constant

from ._lottery import (derive_coverage, derive_coverage_symmetric, derive_lottery_margins,
                       derive_lottery_slack, derive_membership_integral, derive_membership_probability,
                       derive_win_integral)
from ._numeric import (blowup_time, continuous_bound, continuous_bound_gap, continuous_bound_paper,
                       coverage_fraction, coverage_probability, discrete_bound, discrete_bound_bernoulli,
                       discrete_bound_gap, discrete_bound_paper, discrete_clock_bracket, drive_constant,
                       lottery_margins, membership_probability, ode_clock_solution, ode_solution,
                       phase1_time, phase1_time_bracket, step_overhead, time_to_level, win_probability)
from ._phase import (derive_drive_constant, derive_phase1_step_cap, derive_phase1_time,
                     derive_phase1_time_bracket)
from ._recurrence import PairRun, simulate_pair
from ._tensor_power import (derive_blowup_clock, derive_blowup_time, derive_clock_to_level,
                            derive_continuous_bound, derive_continuous_bound_gap,
                            derive_continuous_bound_paper, derive_continuous_bound_raw,
                            derive_discrete_bound, derive_discrete_bound_bernoulli,
                            derive_discrete_bound_gap, derive_discrete_bound_paper,
                            derive_discrete_bound_raw, derive_discrete_clock_bound,
                            derive_discrete_clock_lower, derive_ode_clock_solution, derive_ode_solution,
                            derive_step_efficiency, derive_step_overhead, derive_time_to_level)
from ._trajectory import TrajectoryCheck, check_trajectories, check_trajectory, winner_loser

__all__ = [
    "C9", "evaluate_c9", "check_member", "MemberCheck", "LEVEL_FRACTION",
    # tensor-power bound, symbolic
    "derive_ode_clock_solution", "derive_ode_solution", "derive_blowup_clock", "derive_blowup_time",
    "derive_clock_to_level", "derive_time_to_level", "derive_continuous_bound_raw",
    "derive_continuous_bound", "derive_continuous_bound_gap", "derive_continuous_bound_paper",
    "derive_step_efficiency", "derive_step_overhead", "derive_discrete_clock_bound",
    "derive_discrete_clock_lower", "derive_discrete_bound_raw", "derive_discrete_bound",
    "derive_discrete_bound_bernoulli", "derive_discrete_bound_gap", "derive_discrete_bound_paper",
    # Phase I, symbolic
    "derive_drive_constant", "derive_phase1_time", "derive_phase1_step_cap", "derive_phase1_time_bracket",
    # lottery and coverage, symbolic
    "derive_lottery_margins", "derive_lottery_slack", "derive_win_integral", "derive_membership_integral",
    "derive_membership_probability", "derive_coverage", "derive_coverage_symmetric",
    # numeric
    "ode_clock_solution", "ode_solution", "blowup_time", "time_to_level", "continuous_bound",
    "continuous_bound_gap", "continuous_bound_paper", "step_overhead", "discrete_bound",
    "discrete_bound_bernoulli", "discrete_bound_gap", "discrete_bound_paper", "discrete_clock_bracket",
    "drive_constant", "phase1_time", "phase1_time_bracket", "lottery_margins", "membership_probability",
    "win_probability", "coverage_probability", "coverage_fraction",
    # trajectories
    "check_trajectory", "check_trajectories", "winner_loser", "TrajectoryCheck",
    "simulate_pair", "PairRun",
    # escape of a view under a measured drive (distillation)
    "escape_table", "EscapeTable", "measured_drive_constant",
]
