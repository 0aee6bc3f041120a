"""`make soak-stack`: the local stack of `make run` through a compressed day of demo-world
activity under random faults, then a reconciliation of every seat change Google made with the
audit log and the month-end additions (see docs/soak.md).

    python -m licence_manager_local.soak --minutes 20
"""
