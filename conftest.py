"""Test-suite wiring shared by every app.

Under CI=true a skipped browser test (no chromium) or a skipped PostgreSQL test in the
PostgreSQL run (TRAMA_EXPECT_POSTGRES=1) fails the whole run: CI must never pass by quietly not
testing what it claims to test.
"""

from __future__ import annotations

import os

import pytest

_TRUE = {"1", "true", "yes"}


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in _TRUE


def _expect_postgres() -> bool:
    return os.environ.get("TRAMA_EXPECT_POSTGRES", "").lower() in _TRUE


def pytest_configure(config: pytest.Config) -> None:
    config._trama_forbidden_skips = []  # type: ignore[attr-defined]
    if _expect_postgres():
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            pytest.exit(f"TRAMA_EXPECT_POSTGRES is set but the database engine is {engine}", returncode=1)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not report.skipped or not _ci():
        return
    keywords = report.keywords
    if "browser" in keywords or ("postgres" in keywords and _expect_postgres()):
        _forbidden.append(report.nodeid)


_forbidden: list[str] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _forbidden and not hasattr(session.config, "workerinput"):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _forbidden:
        terminalreporter.section("tests that CI may not skip", red=True)
        for nodeid in _forbidden:
            terminalreporter.write_line(f"SKIPPED UNDER CI: {nodeid}", red=True)
