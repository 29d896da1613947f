"""The evaluation app's own indicators (outputs, outcomes, network, generativity), registered at
import in this order, the order of the dashboard; other apps may add theirs in
`trama/<app>/indicators.py`."""

# isort: skip_file
from __future__ import annotations

from trama.evaluation.indicators import outputs
from trama.evaluation.indicators import outcomes
from trama.evaluation.indicators import generativity

__all__ = ["generativity", "outcomes", "outputs"]
