"""Review finding 8: one environment variable separated production from passwordless sign-in.
Local mode is refused at start-up on Cloud Run or Cloud Functions, and against Google's own
Reseller API."""

import pytest

from licence_manager.config import ConfigError, Settings

SIMULATOR = {"LICENCE_MANAGER_LOCAL": "1", "RESELLER_API_ENDPOINT": "http://127.0.0.1:9000/"}


def test_local_mode_against_a_simulator_is_allowed() -> None:
    assert Settings.from_env(SIMULATOR).local_mode is True


def test_functions_framework_run_locally_is_still_local() -> None:
    # functions-framework sets FUNCTION_TARGET itself, also under `make run`
    env = {**SIMULATOR, "FUNCTION_TARGET": "api", "FUNCTION_SIGNATURE_TYPE": "http"}
    assert Settings.from_env(env).local_mode is True


@pytest.mark.parametrize("name", ["K_SERVICE", "K_REVISION"])
def test_local_mode_on_cloud_run_or_functions_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="LICENCE_MANAGER_LOCAL") as raised:
        Settings.from_env({**SIMULATOR, name: "api"})
    assert name in str(raised.value)


def test_local_mode_against_googles_reseller_api_is_refused() -> None:
    with pytest.raises(ConfigError, match="RESELLER_API_ENDPOINT"):
        Settings.from_env({"LICENCE_MANAGER_LOCAL": "1"})


def test_production_settings_are_unaffected() -> None:
    assert Settings.from_env({"K_SERVICE": "api", "K_REVISION": "api-00001"}).local_mode is False
