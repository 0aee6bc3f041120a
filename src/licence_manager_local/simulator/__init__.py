"""A local simulator of the Google Workspace Reseller API v1, and of the Admin APIs a reseller
reads its customers' users with (Directory users, Licensing assignments, Reports usage).

It serves the real wire format, rules and errors (paging, plan-specific seat rules,
new subscriptionId on every update, 403 for customers of other resellers) so code that
uses google-api-python-client with static discovery runs against it unchanged:

    world = demo_world(seed=7)
    with start_simulator(world, strict=True) as sim:
        service = build("reseller", "v1", static_discovery=True,
                        client_options={"api_endpoint": sim.url}, http=httplib2.Http())
        SimulatorControl(sim.url).fail_next(503)   # steer it through /_control/

From a shell:

    python -m licence_manager_local.simulator --port 8085 --demo --seed 7 \\
        --drift-seconds 20 --control
"""

from .catalogue import PRODUCT_ID, SKUS, Sku
from .client import (
    directory_service,
    error_body,
    google_service,
    licensing_service,
    reports_service,
    reseller_service,
)
from .control import ControlError, SimulatorControl
from .demo import demo_world, generated_world
from .discovery_schema import DiscoverySchemas, SchemaViolation, reseller_schemas, schemas_for
from .errors import ApiError
from .model import Customer, Subscription
from .rules import SeatsRequest
from .runner import RunningSimulator, start_simulator
from .server import SimulatorApp
from .world import NewSubscription, World, WorldError

__all__ = [
    "PRODUCT_ID",
    "SKUS",
    "ApiError",
    "ControlError",
    "Customer",
    "DiscoverySchemas",
    "NewSubscription",
    "RunningSimulator",
    "SchemaViolation",
    "SeatsRequest",
    "SimulatorApp",
    "SimulatorControl",
    "Sku",
    "Subscription",
    "World",
    "WorldError",
    "demo_world",
    "directory_service",
    "error_body",
    "generated_world",
    "google_service",
    "licensing_service",
    "reports_service",
    "reseller_schemas",
    "reseller_service",
    "schemas_for",
    "start_simulator",
]
