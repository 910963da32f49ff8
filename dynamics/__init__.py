"""Compiled gradient descent for the multi-view model (public names re-exported here)."""

from .gd import gd_steps
from .state import ModelState, init_state
from .train import CE, CE_AVERAGE, DISTILL_HINTON, DISTILL_TRUNCATED, DivergenceError, Trajectory, train

__all__ = ["gd_steps", "ModelState", "init_state", "train", "Trajectory", "DivergenceError",
           "CE", "CE_AVERAGE", "DISTILL_TRUNCATED", "DISTILL_HINTON"]
