"""Behaviour features: one Ibis definition per feature family."""

from fraudwall.features.base import FAMILIES, Feature, FeatureCache, FeatureFamily, load_families

__all__ = ["FAMILIES", "Feature", "FeatureCache", "FeatureFamily", "load_families"]
