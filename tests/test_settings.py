"""Settings resolution: stack config, then environment, then default."""

from __future__ import annotations

import pytest

from node_pulumi import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeConfigError, resolve_settings


def test_defaults() -> None:
    settings = resolve_settings({}, {})
    assert settings.endpoint == REAL_ENDPOINT
    assert settings.response_format == "json"
    assert settings.timeout == 20.0
    assert settings.client_ip_address is None


def test_config_wins_over_environment() -> None:
    config = {"node:userId": "1", "node:apiKey": "from-config", "node:format": "xml"}
    env = {"NODE_USER_ID": "2", "NODE_API_KEY": "from-env", "NODE_FORMAT": "json"}
    settings = resolve_settings(config, env)
    assert (settings.user_id, settings.api_key, settings.response_format) == (
        "1",
        "from-config",
        "xml",
    )


def test_environment_fills_what_config_lacks() -> None:
    env = {
        "NODE_USER_ID": "2",
        "NODE_API_KEY": "k",
        "NODE_TIMEOUT": "3.5",
        "NODE_CLIENT_IP_ADDRESS": "203.0.113.9",
    }
    settings = resolve_settings({"node:userId": "1"}, env)
    assert settings.user_id == "1"
    assert settings.api_key == "k"
    assert settings.timeout == 3.5
    assert settings.client_ip_address == "203.0.113.9"


def test_sandbox_flag_and_explicit_endpoint() -> None:
    assert resolve_settings({"node:sandbox": "true"}, {}).endpoint == SANDBOX_ENDPOINT
    assert resolve_settings({}, {"NODE_SANDBOX": "1"}).endpoint == SANDBOX_ENDPOINT
    explicit = resolve_settings(
        {"node:sandbox": "true"}, {"NODE_ENDPOINT": "http://127.0.0.1:9/api/v1/"}
    )
    assert explicit.endpoint == "http://127.0.0.1:9/api/v1/"


def test_config_lookup_may_be_a_function() -> None:
    values = {"node:userId": "7"}
    assert resolve_settings(values.get, {}).user_id == "7"


def test_missing_credentials_name_keys_and_variables() -> None:
    with pytest.raises(NodeConfigError) as caught:
        resolve_settings({"node:userId": "1"}, {}).client()
    text = str(caught.value)
    assert "node:apiKey" in text and "NODE_API_KEY" in text
    assert "node:userId" not in text


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({"node:format": "yaml"}, "node:format"),
        ({"node:timeout": "soon"}, "NODE_TIMEOUT"),
        ({"node:timeout": "-1"}, "node:timeout"),
        ({"node:sandbox": "perhaps"}, "NODE_SANDBOX"),
    ],
)
def test_invalid_values_are_named(config: dict[str, str], needle: str) -> None:
    with pytest.raises(NodeConfigError, match=needle):
        resolve_settings(config, {})


def test_repr_hides_the_key() -> None:
    settings = resolve_settings({"node:userId": "1", "node:apiKey": "sekrit-value"}, {})
    assert "sekrit-value" not in repr(settings)
