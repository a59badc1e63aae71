"""Kept for tests written before the helpers were merged: see rule_helpers.py."""

from rule_helpers import apply_fix, assert_parses, findings, fix_of, fixed, lines

__all__ = ["apply_fix", "assert_parses", "findings", "fix_of", "fixed", "lines"]
