"""Settings resolution: stack config, then environment, then default."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from node_pulumi import REAL_ENDPOINT, SANDBOX_ENDPOINT, NodeConfigError, Settings, resolve_settings
from node_pulumi._program import program_settings, warn_if_api_key_in_plaintext

from .program import run_program


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


def test_missing_credentials_without_stack_config_name_only_the_variables() -> None:
    with pytest.raises(NodeConfigError) as caught:
        resolve_settings(None, {"NODE_API_KEY": "k"}).client()
    assert str(caught.value) == (
        "node.co.id credentials are missing: set environment variable NODE_USER_ID (for "
        "example: `export NODE_USER_ID=<user id>`)"
    )


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


@pytest.fixture
def fresh_program() -> Iterator[None]:
    """Each test is a new program run: the plaintext-key warning has not been given yet."""
    warn_if_api_key_in_plaintext.cache_clear()
    yield
    warn_if_api_key_in_plaintext.cache_clear()


async def settings_three_times() -> list[Settings]:
    return [program_settings() for _ in range(3)]


@pytest.mark.usefixtures("fresh_program")
def test_program_settings_read_the_programs_stack_config_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NODE_API_KEY", "from-env")
    monkeypatch.setenv("NODE_USER_ID", "2")
    config = {"node:userId": "1", "node:format": "xml", "node:clientIpAddress": "203.0.113.7"}
    (settings, *_), _ = run_program(settings_three_times, config)
    assert (settings.user_id, settings.api_key) == ("1", "from-env")
    assert (settings.response_format, settings.client_ip_address) == ("xml", "203.0.113.7")


@pytest.mark.usefixtures("fresh_program")
def test_a_plaintext_api_key_is_warned_about_once_without_the_key() -> None:
    config = {"node:userId": "1", "node:apiKey": "plain-key-Qw3"}
    _, logs = run_program(settings_three_times, config)
    (warning,) = [message for level, message in logs if level == "warning"]
    assert "stack config 'node:apiKey' is stored in plaintext" in warning
    assert "pulumi config set --secret node:apiKey" in warning
    assert "plain-key-Qw3" not in warning


@pytest.mark.usefixtures("fresh_program")
@pytest.mark.parametrize(
    ("config", "secret_keys"),
    [
        ({"node:userId": "1", "node:apiKey": "secret-key"}, ("node:apiKey",)),
        ({"node:userId": "1"}, ()),
    ],
)
def test_a_secret_or_absent_api_key_is_not_warned_about(
    config: dict[str, str], secret_keys: tuple[str, ...]
) -> None:
    _, logs = run_program(settings_three_times, config, secret_keys=secret_keys)
    assert [level for level, _ in logs if level == "warning"] == []
