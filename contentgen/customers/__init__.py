"""Customer data → RFM tiers and personas; a synthetic customer file for demos. Only aggregates leave it."""

from contentgen.customers.derive import DerivedSegments, Tier, derive_segments
from contentgen.customers.rfm import CustomerTable, read_customers
from contentgen.customers.synth import SyntheticCustomers, synthesize_customers
from contentgen.customers.tiers import TierDefinition, load_tiers

__all__ = [
    "CustomerTable",
    "DerivedSegments",
    "SyntheticCustomers",
    "Tier",
    "TierDefinition",
    "derive_segments",
    "load_tiers",
    "read_customers",
    "synthesize_customers",
]
