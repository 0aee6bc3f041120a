"""Licence Manager's benchmark suite (issue 7): `make bench`, or `python -m bench --quick`.

Each section measures one target of the issue on this machine, against Google's emulators, the
Reseller simulator and the local stand-ins, and returns `Result` rows; `bench.report` turns them
into the results table of docs/performance.md. Counts (API calls, Firestore reads and writes)
do not depend on the machine; times are reported as ratios measured in the same run.
"""
