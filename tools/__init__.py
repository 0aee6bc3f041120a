"""Build and deployment tooling that runs on a developer's or CI's machine, never in a function."""
