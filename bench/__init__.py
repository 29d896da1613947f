"""Trama's benchmarks (`make bench`): not tests, they print timings. DESIGN.md, "Performance budgets".

Each module is runnable as `python -m bench.<name>` against the database in DATABASE_URL, and is
listed in bench/run.sh, which runs them all on SQLite and then on a throwaway PostgreSQL 15.
"""
