"""Reading: files and standard input found and decoded, YAML composed with line and column marks."""
