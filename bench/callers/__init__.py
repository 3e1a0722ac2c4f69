"""Simulated callers (issue 12); see bench/callers/__main__.py."""
