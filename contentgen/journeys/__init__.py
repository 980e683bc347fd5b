"""Lifecycle journeys: triggers, steps, exits and experiments as data; per-customer messages from checked cells."""

from contentgen.domain.experiment import Experiment
from contentgen.journeys.load import check_journey, find_journey, load_journeys, validate_all
from contentgen.journeys.model import Journey
from contentgen.journeys.runner import JourneySummary, run_journey

__all__ = [
    "Experiment",
    "Journey",
    "JourneySummary",
    "check_journey",
    "find_journey",
    "load_journeys",
    "run_journey",
    "validate_all",
]
