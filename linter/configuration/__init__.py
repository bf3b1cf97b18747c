"""Configuration: configuration files, their JSON Schema (derived from the option declarations
of :mod:`imagelint.core.options`), the settings in effect, and the cache directory."""
