"""One cold start, run as `python -X importtime -m bench.cold_start_probe FUNCTION REQUEST`:
build the function's app the way functions-framework does (importing its main.py), then hand
it one request (REQUEST: a JSON file with method, path, headers and a hex body; `then` adds a
second request that needs the first's bearer token). Prints a JSON line with the times; the
interpreter's import log goes to stderr with a marker between the two phases."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    function, request_file = sys.argv[1], sys.argv[2]
    request = json.loads(Path(request_file).read_text())
    start = time.perf_counter()
    from functions_framework import create_app

    source = ROOT / "functions" / function / "main.py"
    app = create_app(function, str(source), request["signature"])  # type: ignore[no-untyped-call]
    imported = time.perf_counter()
    print("BENCH-PHASE first-request", file=sys.stderr, flush=True)
    client = app.test_client()
    response = client.open(
        request["path"],
        method=request["method"],
        headers=request["headers"],
        data=bytes.fromhex(request["body"]),
    )
    statuses = [response.status_code]
    then = request.get("then")
    if then is not None:
        token = (response.get_json(silent=True) or {}).get("token")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        statuses.append(client.open(then, method="GET", headers=headers).status_code)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "importSeconds": imported - start,
                "firstRequestSeconds": done - imported,
                "statuses": statuses,
                "rssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
