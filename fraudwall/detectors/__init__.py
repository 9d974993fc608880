"""Detectors: named, explainable monitoring models over the stored tables."""

from fraudwall.detectors.base import REGISTRY, Context, Detector, Params, load_library, threshold

__all__ = ["REGISTRY", "Context", "Detector", "Params", "load_library", "threshold"]
