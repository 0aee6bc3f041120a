"""The api's cold start (issue 12): only signing in and My Licences load with the app; every other
route module loads on its first call (api.lazy_routes). Counted in modules, not timed."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

from flask import Blueprint, Flask

from licence_manager.api.lazy_routes import DEFERRED_ROUTES, add_deferred_routes

ROOT = Path(__file__).resolve().parents[2]
DEFERRED_MODULES = sorted(f"licence_manager.api.{module}" for module, _ in DEFERRED_ROUTES)
# What only those routes (or other functions) need: none of it may load with the api.
HEAVY = [
    *DEFERRED_MODULES,
    "licence_manager.domain.reports",
    "licence_manager.domain.month_end",
    "licence_manager.services.reports",
    "licence_manager.services.sync",
    "licence_manager.services.evaluate",
    "licence_manager.services.topup",
    "licence_manager.services.alerts",
    "google.cloud.pubsub_v1",
    "sendgrid",
    "googleapiclient",
]


def rules(app: Flask) -> set[tuple[str, str, str]]:
    return {
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_the_route_table_matches_the_blueprints_it_defers() -> None:
    declared = Flask(__name__)
    for module, name in DEFERRED_ROUTES:
        names = vars(importlib.import_module(f"licence_manager.api.{module}"))
        found = [b for b in names.values() if isinstance(b, Blueprint) and b.name == name]
        assert len(found) == 1, f"{module} has no blueprint named {name}"
        declared.register_blueprint(found[0])
        for _method, _rule, view in DEFERRED_ROUTES[module, name]:
            assert callable(names.get(view)), f"{module} has no view {view}"
    table = Flask(__name__)
    add_deferred_routes(table)
    assert rules(table) == rules(declared)


BUILD_COLD_API = """
import json, sys
from functions_framework import create_app
create_app("api", sys.argv[1], "http")  # imports functions/api/main.py
from licence_manager.api.app import create_app as create_api
create_api(object(), print, local_mode=True)  # what the first request builds; no store needed
print(json.dumps(sorted(sys.modules)))
"""
# Our modules a cold api holds once its app is built (39 when this was written, 102 before
# the route modules loaded lazily): room for a few more, not for a page's worth. 49 since
# My Licences' rows carry the reclaimable seats, the run-out forecast and the renewal plan
# (issue 13: licence_outlook, context, domain.forecast, domain.renewal), which its first
# request needs anyway. 50 since ApiStore includes the savings port (ports.savings; the
# savings routes and their domain module load on first use). 51 since the rows say whether
# the anomaly guard paused a licence's top-ups (issue 14: domain.anomaly, which the
# automation state they read holds). 52 with the per-user rate limit every call passes
# (api.rate_limit, security review #17).
MAX_OWN_MODULES = 52


def test_a_cold_api_loads_no_deferred_module_until_a_route_needs_it() -> None:
    """functions/api/main.py imported as functions-framework does, and its app built, in a
    fresh interpreter: no other page's routes, no other function's services or clients."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD_COLD_API, str(ROOT / "functions" / "api" / "main.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert sorted(loaded & set(HEAVY)) == []
    own = sorted(m for m in loaded if m.split(".")[0] == "licence_manager")
    assert len(own) <= MAX_OWN_MODULES, own
