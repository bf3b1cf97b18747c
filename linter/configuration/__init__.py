"""Configuration: configuration files, the options and their schema, the effective settings."""
