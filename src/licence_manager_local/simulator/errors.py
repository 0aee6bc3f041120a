"""Errors in the vocabulary of Google's JSON APIs, and their wire shape.

The world raises these so that business rules stay free of HTTP, while the server can
still render exactly the body Google would send.
"""

from __future__ import annotations

from typing import Any, Final

# The canonical status string Google pairs with each HTTP code.
_STATUS_FOR_CODE: Final[dict[int, str]] = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An API call refused the way Google refuses it: HTTP code, reason and message."""

    def __init__(self, code: int, reason: str, message: str, status: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.status = status or _STATUS_FOR_CODE.get(code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
                "status": self.status,
            }
        }


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid", message)


def failed_precondition(message: str) -> ApiError:
    # Google answers 400 for requests that are well formed but wrong for the resource's state.
    return ApiError(400, "invalid", message, status="FAILED_PRECONDITION")


def not_found(message: str = "Requested entity was not found.") -> ApiError:
    return ApiError(404, "notFound", message)


def forbidden(message: str = "Forbidden") -> ApiError:
    return ApiError(403, "forbidden", message)


def duplicate(message: str = "Entity already exists.") -> ApiError:
    return ApiError(409, "duplicate", message)


def condition_not_met(message: str) -> ApiError:
    # The Licensing API's refusals for the state of a licence (GAM shows them as
    # "412: Auto License un-assignment is not allowed. - conditionNotMet").
    return ApiError(412, "conditionNotMet", message)


def domain_cannot_use_apis() -> ApiError:
    # What the Admin SDK answers a reseller once the customer switched reseller access to its
    # Admin APIs off (message as GAM and Google's old provisioning samples match it).
    return ApiError(403, "domainCannotUseApis", "Domain cannot use apis.")


def not_authorized() -> ApiError:
    # The Admin SDK's 403 when the reseller may not administer the customer (Admin console
    # access off, or a customer of another reseller).
    return ApiError(403, "forbidden", "Not Authorized to access this resource/api")


def rate_limited() -> ApiError:
    return ApiError(
        429,
        "rateLimitExceeded",
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' "
        "of service 'reseller.googleapis.com'.",
    )


def backend_error(code: int = 503) -> ApiError:
    message = "The service is currently unavailable." if code == 503 else "Internal error."
    return ApiError(code, "backendError", message)
