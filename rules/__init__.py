"""imagelint's rules, one module each; see imagelint.registry for what a module carries."""
