"""The pure domain: plain Python values and rules, no I/O and no cloud imports."""
