"""What Directory, Licensing and Reports share: finding the customer a call is about, with the
refusals Google gives a reseller, and Google's etags and list shapes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .errors import ApiError, domain_cannot_use_apis, not_authorized
from .people import Workspace
from .users import ACCESS_FORBIDDEN, ACCESS_OFF
from .world import World


def open_workspace(world: World, customer_ref: str) -> Workspace:
    """The customer's users as a reseller's Admin API call sees them (hold `world.lock`): 404
    for an unknown customer, 403 for another reseller's, and 403 domainCannotUseApis or
    forbidden once the customer switched reseller access off."""
    try:
        workspace = world.workspace(customer_ref, api=True)
    except ApiError as error:
        raise not_authorized() if error.code == 403 else error from None
    if workspace.directory.access == ACCESS_OFF:
        raise domain_cannot_use_apis()
    if workspace.directory.access == ACCESS_FORBIDDEN:
        raise not_authorized()
    return workspace


def workspace_for_email(world: World, email: str) -> Workspace:
    """The customer whose primary domain the email is on (the simulator's users all are)."""
    local, _, domain = email.partition("@")
    if not local or not domain:
        raise ApiError(400, "invalid", f"Invalid value for userId: {email}")
    return open_workspace(world, domain)


def etag(value: Any) -> str:
    digest = hashlib.sha1(json.dumps(value, sort_keys=True).encode()).hexdigest()
    return f'"{digest[:27]}"'
