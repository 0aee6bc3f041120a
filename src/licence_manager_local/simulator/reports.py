"""The Reports API's `userUsageReport.get`: each user's last sign-in as of a past day.

Dates are Pacific days (the discovery document: "based on UTC-8:00"), and a day's data comes
two days later: a newer date gets the 400s real clients match on ("Start date can not be later
than ..." for a day not over yet, "Data for dates later than ... is not yet available. Please
check back later" for one not reported yet: GAM's _adjustDate and other public clients parse
both, with reason "invalid"). The two-day lag is the community's figure, not Google's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from werkzeug.wrappers import Request

from .admin_apis import etag, open_workspace
from .discovery_schema import DiscoverySchemas, schemas_for
from .errors import ApiError, invalid, not_found
from .http_util import int_arg
from .paging import decode_token, encode_token
from .users import WorkspaceUser, google_time
from .world import World

Body = dict[str, Any]
PACIFIC: Final = timedelta(hours=-8)
REPORT_LAG_DAYS: Final = 2
# "The default and maximum time period for each report is the last 450 days" (Google's guide);
# the wording of the refusal below is the simulator's.
HISTORY_DAYS: Final = 450
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CUSTOMER_ID: Final = re.compile(r"^(C.+|my_customer)$")


def _last_login(user: WorkspaceUser, before_ms: int) -> Body:
    return {"datetimeValue": google_time(user.last_sign_in(sso=False, before_ms=before_ms))}


def _last_sso(user: WorkspaceUser, before_ms: int) -> Body:
    return {"datetimeValue": google_time(user.last_sign_in(sso=True, before_ms=before_ms))}


def _created(user: WorkspaceUser, before_ms: int) -> Body:
    return {"datetimeValue": google_time(user.created_ms)}


# The accounts parameters the simulator reports, as the guide's sample response names them.
PARAMETERS: Final = {
    "accounts:last_login_time": _last_login,
    "accounts:last_sso_time": _last_sso,
    "accounts:creation_time": _created,
}


def latest_report_day(now_ms: int) -> date:
    return pacific_day(now_ms) - timedelta(days=REPORT_LAG_DAYS)


def pacific_day(ms: int) -> date:
    return (datetime.fromtimestamp(ms / 1000, UTC) + PACIFIC).date()


class ReportsApi:
    def __init__(self, world: World) -> None:
        self._world = world
        self.schemas: DiscoverySchemas = schemas_for("admin", "reports_v1")

    def handle(self, method_id: str, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        if method_id != "reports.userUsageReport.get":
            raise ApiError(501, "notImplemented", f"The simulator does not implement {method_id}.")
        return "UsageReports", self._user_usage(request, args["userKey"], args["date"])

    def _user_usage(self, request: Request, user_key: str, day_text: str) -> Body:
        day = self._day(day_text)
        customer_ref = request.args.get("customerId") or "my_customer"
        if not _CUSTOMER_ID.match(customer_ref):
            raise invalid(f"Invalid value for customerId: {customer_ref}")
        max_results = int_arg(request, "maxResults", 1000, 1, 1000)
        # Unknown parameters are ignored, none means all (the discovery document says both).
        asked = [p.strip() for p in (request.args.get("parameters") or "").split(",") if p.strip()]
        names = [p for p in asked if p in PARAMETERS] if asked else sorted(PARAMETERS)
        fingerprint = "|".join([customer_ref, day_text, user_key, ",".join(names)])
        token = request.args.get("pageToken")
        cursor = decode_token(token, fingerprint) if token else None
        body: Body = {"kind": "admin#reports#usageReports"}
        if customer_ref == "my_customer":
            # The reseller's own account, which the simulator does not hold: nobody.
            body["etag"] = etag(body)
            return body
        # Sign-ins before the end of the Pacific day count; users made after it are not in it.
        end_ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
        end_ms += 86_400_000 - int(PACIFIC.total_seconds() * 1000)
        with self._world.lock:
            workspace = open_workspace(self._world, customer_ref)
            if workspace.customer.customer_id != customer_ref:
                raise invalid(f"Invalid value for customerId: {customer_ref}")
            users = [u for u in workspace.directory.users.values() if u.created_ms < end_ms]
            if user_key != "all":
                users = [u for u in users if user_key in (u.user_id, u.email.lower())]
                if not users:
                    raise not_found(f"Resource Not Found: userKey {user_key}")
            ranked = sorted(((u.email.lower(), u.user_id), u) for u in users)
            if cursor is not None:
                ranked = [(rank, u) for rank, u in ranked if rank > cursor]
            page = ranked[:max_results]
            reports = [
                self._report(u, workspace.customer.customer_id, day, names, end_ms) for _, u in page
            ]
        if reports:  # Google leaves an empty list out rather than sending []
            body["usageReports"] = reports
        if len(ranked) > max_results:
            body["nextPageToken"] = encode_token(page[-1][0], fingerprint)
        body["etag"] = etag(body)
        return body

    def _day(self, text: str) -> date:
        if not _DATE.match(text):
            raise invalid(f"Invalid value for date: {text}")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise invalid(f"Invalid value for date: {text}") from None
        now_ms = self._world.now_ms()
        today, latest = pacific_day(now_ms), latest_report_day(now_ms)
        if day > today:
            raise invalid(f"Start date can not be later than {today.isoformat()}")
        if day > latest:
            raise invalid(
                f"Data for dates later than {latest.isoformat()} is not yet available. "
                "Please check back later"
            )
        if day < today - timedelta(days=HISTORY_DAYS):
            raise invalid(
                f"Start date can not be earlier than {today - timedelta(days=HISTORY_DAYS)}"
            )
        return day

    @staticmethod
    def _report(
        user: WorkspaceUser, customer_id: str, day: date, names: list[str], end_ms: int
    ) -> Body:
        body: Body = {
            "kind": "admin#reports#usageReport",
            "date": day.isoformat(),
            "entity": {
                "customerId": customer_id,
                "userEmail": user.email,
                "profileId": user.user_id,
                "type": "USER",
            },
            "parameters": [{"name": n, **PARAMETERS[n](user, end_ms)} for n in names],
        }
        body["etag"] = etag(body)
        return body
