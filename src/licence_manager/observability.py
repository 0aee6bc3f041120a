"""Structured JSON logs: one object per line on stdout, which Cloud Logging parses into
`jsonPayload` with `severity` and `message` understood.

The log-based metrics in infra/terraform/monitoring-metrics.tf read these records: a record a
metric counts carries `event` (a stable name such as "topup.outcome") and its facts as fields
(`outcome`, `customerId`, `httpStatus`, durations in seconds), never only in the message text.
Every record names the function that wrote it (`function`, from FUNCTION_TARGET, which Cloud
Run functions set to the entry point). No email address or token goes into a record: metrics
label by customer id. tests/infra/test_log_metric_filters.py runs the services and checks each
metric's filter against the records they write."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
            # functions-framework sets it (also under `make run`); "" in the CLI and tests
            "function": os.environ.get("FUNCTION_TARGET", ""),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def get_logger(name: str) -> logging.Logger:
    root = logging.getLogger("licence_manager")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
    return logging.getLogger(
        name if name.startswith("licence_manager") else f"licence_manager.{name}"
    )
