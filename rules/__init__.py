"""imagelint's rules, one module each; see imagelint.core.rulebook for what a module carries."""
