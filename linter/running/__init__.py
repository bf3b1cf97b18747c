"""Running: the engine that turns files into records and findings, in one process or several."""
