"""The multi-view model as an executable specification (../shared/SPEC.md)."""

from .data import Dataset, Splits, make_features, make_splits, sample
from .model import (accuracy, cross_entropy, forward, init_weights, loss_and_grad, output_grad,
                    smoothed_relu, smoothed_relu_grad, weight_grad)
from .params import (DataParams, DistillParams, LinearParams, NetworkParams, Params, TrainParams,
                     with_overrides)

__all__ = ["Dataset", "Splits", "make_features", "make_splits", "sample", "accuracy",
           "cross_entropy", "forward", "init_weights", "loss_and_grad", "output_grad",
           "smoothed_relu", "smoothed_relu_grad", "weight_grad", "DataParams", "NetworkParams",
           "Params", "TrainParams", "DistillParams", "LinearParams", "with_overrides"]
