"""Datasets: the synthetic Dutch customer generator, the bundled example and FEBRL loaders."""

from __future__ import annotations

from custmatch.datasets.example import load_example
from custmatch.datasets.febrl import load_febrl
from custmatch.datasets.generator import generate_customers

__all__ = ["generate_customers", "load_example", "load_febrl"]
