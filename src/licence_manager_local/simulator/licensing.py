"""The Licensing (Enterprise License Manager) API: who holds which SKU, and un/assigning it.

Holders are the users people.py keeps for the customer, so a list agrees with the Reseller
API's licensedNumberOfSeats, and an add-on un-assigned here lowers it there. Workspace editions
are auto-licensed: deleting one is refused with Google's 412.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from werkzeug.wrappers import Request

from .admin_apis import etag, open_workspace, workspace_for_email
from .catalogue import ALL_SKUS, PRODUCT_NAMES
from .discovery_schema import DiscoverySchemas, schemas_for
from .errors import ApiError, condition_not_met, duplicate, invalid, not_found
from .http_util import int_arg, json_body
from .paging import decode_token, encode_token
from .people import Workspace
from .users import WorkspaceUser
from .world import World

Body = dict[str, Any]
_SELF_LINK: Final = "https://licensing.googleapis.com/apps/licensing/v1/product/{}/sku/{}/user/{}"
# Messages from Google's "Licensing API errors" list (research notes, §1.1).
NOT_ENOUGH: Final = "There aren't enough available licenses for the specified product-SKU pair"
AUTO_UNASSIGN: Final = "Auto License un-assignment is not allowed."
OTHER_SKU: Final = (
    "User already has a license of the product, but with a different SKU. "
    'To change the SKU, use the "update" operation.'
)


def assignment_json(product_id: str, sku_id: str, user: WorkspaceUser) -> Body:
    body: Body = {
        "kind": "licensing#licenseAssignment",
        "selfLink": _SELF_LINK.format(product_id, sku_id, user.email),
        "userId": user.email,  # the current primary email: Licensing gives no user id
        "productId": product_id,
        "productName": PRODUCT_NAMES[product_id],
        "skuId": sku_id,
        "skuName": ALL_SKUS[sku_id].name,
    }
    body["etags"] = etag(body)  # sic: the schema calls a LicenseAssignment's etag "etags"
    return body


class LicensingApi:
    def __init__(self, world: World) -> None:
        self._world = world
        self.schemas: DiscoverySchemas = schemas_for("licensing", "v1")

    def handle(self, method_id: str, request: Request, args: Mapping[str, str]) -> tuple[str, Body]:
        name = method_id.removeprefix("licensing.licenseAssignments.")
        product_id = args["productId"]
        if product_id not in PRODUCT_NAMES:
            raise invalid(f"Invalid productId: {product_id}")
        sku_id = args.get("skuId")
        if sku_id is not None and (sku_id not in ALL_SKUS or _product(sku_id) != product_id):
            raise invalid(f"Invalid skuId: {sku_id} for product {product_id}")
        with self._world.lock:
            if name in ("listForProduct", "listForProductAndSku"):
                return "LicenseAssignmentList", self._list(request, product_id, sku_id)
            if sku_id is None:
                raise ApiError(501, "notImplemented", f"The simulator does not implement {name}.")
            if name == "get":
                user = self._holder(args["userId"], sku_id)[1]
                return "LicenseAssignment", assignment_json(product_id, sku_id, user)
            if name == "delete":
                self._delete(args["userId"], sku_id)
                return "Empty", {}
            if name == "insert":
                body = json_body(request, self.schemas, "LicenseAssignmentInsert")
                user = self._insert(str(body.get("userId") or ""), sku_id)
                return "LicenseAssignment", assignment_json(product_id, sku_id, user)
        raise ApiError(501, "notImplemented", f"The simulator does not implement {method_id}.")

    def _list(self, request: Request, product_id: str, sku_id: str | None) -> Body:
        customer_ref = request.args.get("customerId")
        if not customer_ref:
            raise invalid("Required parameter: customerId")
        max_results = int_arg(request, "maxResults", 100, 1, 1000)
        fingerprint = f"{customer_ref}|{product_id}|{sku_id or ''}"
        token = request.args.get("pageToken")
        cursor = decode_token(token, fingerprint) if token else None
        # The customerId may be the Google id or the primary domain (Google's how-to uses both).
        workspace = open_workspace(self._world, customer_ref)
        skus = (
            [sku_id] if sku_id else [s for s in sorted(workspace.subs) if _product(s) == product_id]
        )
        ranked = sorted(
            ((sku, holder.email.lower()), holder)
            for sku in skus
            for holder in workspace.directory.holders(sku, workspace.seats(sku))
        )
        if cursor is not None:
            ranked = [(rank, user) for rank, user in ranked if rank > cursor]
        page = ranked[:max_results]
        body: Body = {"kind": "licensing#licenseAssignmentList"}
        if page:  # Google leaves an empty list out rather than sending []
            body["items"] = [assignment_json(product_id, rank[0], u) for rank, u in page]
        if len(ranked) > max_results:
            body["nextPageToken"] = encode_token(page[-1][0], fingerprint)
        body["etag"] = etag(body)
        return body

    def _holder(self, email: str, sku_id: str) -> tuple[Workspace, WorkspaceUser]:
        workspace, user = self._user(email)
        if not workspace.directory.holds(user, sku_id, workspace.seats(sku_id)):
            raise not_found("User does not have a license for specified sku and product")
        return workspace, user

    def _delete(self, email: str, sku_id: str) -> None:
        workspace, user = self._holder(email, sku_id)
        if ALL_SKUS[sku_id].auto_licensed:
            raise condition_not_met(AUTO_UNASSIGN)
        workspace.directory.add_ons[sku_id].discard(user.user_id)
        workspace.recount()  # the subscription's licensedNumberOfSeats drops with it

    def _insert(self, email: str, sku_id: str) -> WorkspaceUser:
        workspace, user = self._user(email)
        directory, seats = workspace.directory, workspace.seats(sku_id)
        if directory.holds(user, sku_id, seats):
            raise duplicate(f"User {email} already has a license for {sku_id}.")
        auto = ALL_SKUS[sku_id].auto_licensed
        if auto and user.edition is not None and user.edition != sku_id:
            raise condition_not_met(OTHER_SKU)
        if user.archived or len(directory.wanting(sku_id)) >= seats:
            raise condition_not_met(NOT_ENOUGH)
        if auto:
            user.edition = sku_id
        else:
            directory.add_ons.setdefault(sku_id, set()).add(user.user_id)
        workspace.recount()
        return user

    def _user(self, email: str) -> tuple[Workspace, WorkspaceUser]:
        workspace = workspace_for_email(self._world, email)
        user = workspace.directory.find(email)
        if user is None:
            raise not_found(f"User {email} does not exist.")
        return workspace, user


def _product(sku_id: str) -> str:
    return ALL_SKUS[sku_id].product_id
