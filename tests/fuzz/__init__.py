"""slimage's own fuzzing campaign (issue 18): generators, a runner and a smoke test.

``python -m tests.fuzz`` (or ``make fuzz``) runs a bounded campaign and prints a table;
``tests/fuzz/test_smoke.py`` runs a small fixed-seed one in the normal test suite. See
docs/reliability.md for the limits it checks and the figures of the last campaign.
"""
