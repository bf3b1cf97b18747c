"""Core: the value objects every stage shares (records, findings, settings) and the rule contract."""
