"""Operations on a running deployment (Cloud Scheduler jobs), for `licence-manager ops`.
Runs on an operator's machine, never inside a function, and is left out of the function zips."""
