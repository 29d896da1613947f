"""Demo data of the three seed programmes, loaded by `manage.py load_demo` through the services.

Each module of this package is one step with a `load(log)` function; `STEPS` runs them in order.
Every step is idempotent: running the command twice leaves the database as running it once.
Later domains add their module here (see CONTRIBUTING.md, "How to extend the demo").
"""

from __future__ import annotations

STEPS = [
    "trama.core.demo.programmes",
    "trama.core.demo.network",
    "trama.core.demo.users",
    "trama.core.demo.casework",
    "trama.core.demo.delivery",
    "trama.core.demo.activities",
    "trama.core.demo.pacts",
    "trama.core.demo.mutualaid",
    "trama.core.demo.plans",
    "trama.core.demo.work",
    "trama.core.demo.housing",
    "trama.core.demo.evaluation",
]
