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


# --- S6: a confidential note never reaches the logs ----------------------------------------------
#
# Tests type CANARY into session notes, assessment notes and referral reasons (casework). Every log
# record of the whole run — at every level, from every logger — is checked for it: a single hit
# fails the run, even if every test passed. Under xdist each worker reports its hits back to the
# controller through `workeroutput`.

import logging  # noqa: E402 (this section is appended to the suite's wiring)

CANARY = "CANARY-7f3a-nota-riservata"


class _CanaryLogHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records = 0
        self.hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: check its parts instead
            text = f"{record.msg!r} {record.args!r}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        if record.exc_text:
            text += record.exc_text
        if CANARY in text:
            self.hits.append(f"{record.name}:{record.levelname}: {text[:200]}")


class _CanaryLogPlugin:
    def __init__(self) -> None:
        self.handler = _CanaryLogHandler()
        self.worker_hits: list[str] = []

    def install(self, config: pytest.Config) -> None:
        root = logging.getLogger()
        # Record every level; the existing handlers — and pytest's own capture of each test's
        # logs — keep showing only what they showed before.
        previous = root.level
        for handler in root.handlers:
            if handler.level == logging.NOTSET:
                handler.setLevel(previous)
        capture = config.pluginmanager.get_plugin("logging-plugin")
        if capture is not None and getattr(capture, "log_level", 0) is None:
            capture.log_level = previous
        root.setLevel(logging.DEBUG)
        root.addHandler(self.handler)

    def hits(self) -> list[str]:
        return self.handler.hits + self.worker_hits

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: object, error: object) -> None:
        output = getattr(node, "workeroutput", {}) or {}
        self.worker_hits.extend(output.get("canary_log_hits", []))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput["canary_log_hits"] = self.handler.hits
            return
        if self.hits():
            session.exitstatus = 1

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.hits():
            terminalreporter.section("a confidential canary reached the logs (S6)", red=True)
            for hit in self.hits():
                terminalreporter.write_line(hit, red=True)
            print(f"CANARY FOUND IN THE LOGS: {len(self.hits())} record(s)")


def pytest_sessionstart(session: pytest.Session) -> None:
    plugin = _CanaryLogPlugin()
    plugin.install(session.config)
    session.config.pluginmanager.register(plugin, "trama-canary-logs")
