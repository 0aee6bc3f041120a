"""Building the Reseller API client: Google's endpoint with delegated credentials in production,
or a local endpoint (the simulator) with none. The discovery document is parsed once."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from licence_manager.config import RESELLER_SCOPE, ConfigError, Settings

_TOKEN_URI = "https://oauth2.googleapis.com/token"


@functools.cache
def discovery_document(name: str = "reseller.v1") -> dict[str, Any]:
    """A discovery document shipped inside google-api-python-client (static discovery): no
    network fetch at cold start, parsed once per instance."""
    path = resources.files("googleapiclient") / f"discovery_cache/documents/{name}.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def build_reseller_service(settings: Settings) -> Any:
    """A googleapiclient Resource for Reseller API v1; one per thread (httplib2 is not safe)."""
    import httplib2
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build_from_document

    http = httplib2.Http(timeout=settings.reseller_timeout_seconds)
    if settings.reseller_api_endpoint:
        return build_from_document(
            discovery_document(),
            http=http,
            client_options={"api_endpoint": settings.reseller_api_endpoint},
        )
    authorized = AuthorizedHttp(delegated_credentials(settings), http=http)
    return build_from_document(discovery_document(), http=authorized)


@functools.cache
def _signing_credentials() -> Any:
    import google.auth

    credentials, _project = google.auth.default(
        scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    return credentials


def delegated_credentials(settings: Settings, scopes: Sequence[str] = (RESELLER_SCOPE,)) -> Any:
    """Domain-wide delegation without a key file: the function's own service account asks IAM to
    sign the JWT (roles/iam.serviceAccountTokenCreator on itself), with the reseller admin as
    subject. The Workspace admin must authorise that account's client id for `scopes` (apps.order
    for the Reseller API; see infra/terraform/README.md)."""
    if not settings.reseller_admin_subject or not settings.reseller_service_account:
        raise ConfigError(
            "RESELLER_ADMIN_SUBJECT and RESELLER_SERVICE_ACCOUNT are required to call Google's "
            "Reseller API; set RESELLER_API_ENDPOINT to use the local simulator instead"
        )
    from google.auth import iam
    from google.auth.transport import requests as auth_requests
    from google.oauth2 import service_account

    signer = iam.Signer(  # type: ignore[no-untyped-call]
        auth_requests.Request(), _signing_credentials(), settings.reseller_service_account
    )
    return service_account.Credentials(  # type: ignore[no-untyped-call]
        signer=signer,
        service_account_email=settings.reseller_service_account,
        token_uri=_TOKEN_URI,
        scopes=list(scopes),
        subject=settings.reseller_admin_subject,
    )
