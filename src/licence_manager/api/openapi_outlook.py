"""The OpenAPI part of what lies ahead for a licence (api.licence_outlook): the run-out forecast
on My Licences' rows and the Reports route, and the renewal plan of an annual licence. Merged
into the document by api.openapi."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

DAY: Schema = {"type": "string", "format": "date"}


def schemas(
    obj: Any, ref: Any, nullable: Any, string: Schema, integer: Schema
) -> dict[str, Schema]:
    number: Schema = {"type": "number"}
    forecast = {
        "enoughHistory": {"type": "boolean"},
        "words": string,
        # null when there was no history at all
        "asOf": nullable(DAY),
        "runsOutOn": nullable(DAY),
        "mayRunOutOn": nullable(DAY),
        "seatsNeededByThen": nullable({"type": "integer", "minimum": 1}),
        "historyDays": {"type": "integer", "minimum": 0},
    }
    return {
        # null before the holder sync ran for the customer, or for a SKU it made none for.
        "LicenceForecast": nullable(obj(forecast)),
        "ReportForecast": nullable(
            obj(
                {
                    **forecast,
                    "seatsTotal": integer,
                    "horizonDays": integer,
                    # One a day from the day after asOf: expected assigned seats, 80% band.
                    "points": {
                        "type": "array",
                        "items": obj(
                            {"day": DAY, "expected": number, "low": number, "high": number}
                        ),
                    },
                }
            )
        ),
        # Annual plans with a known term end only; null otherwise.
        "LicenceRenewal": nullable(
            obj(
                {
                    "renewalType": nullable(string),  # an open string: Google may add types
                    "label": string,
                    "renewsOn": DAY,
                    "daysLeft": integer,
                    "recommendation": obj(
                        {"seats": {"type": "integer", "minimum": 0}, "words": string}
                    ),
                    "warning": nullable(
                        obj(
                            {
                                "unusedSeats": {"type": "integer", "minimum": 1},
                                "yearlyCostMinor": nullable(integer),
                                "currency": nullable(string),
                                "words": string,
                            }
                        )
                    ),
                }
            )
        ),
    }
