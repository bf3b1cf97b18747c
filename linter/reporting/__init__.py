"""Reporting: filters, suppressions, baselines and fingerprints, and the output formats."""
