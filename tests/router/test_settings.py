"""``[router]`` settings: defaults, and bad values named by key."""

from __future__ import annotations

import pytest

from studio.core.settings import ROUTER_PORT, parse_settings
from studio.errors import ConfigError


def test_defaults_keep_clear_of_the_preview_port() -> None:
    router = parse_settings({}, "studio.toml").router
    assert router.port == ROUTER_PORT != 8025 and router.host == "127.0.0.1"
    assert router.api_key_env == "STUDIO_ROUTER_KEY" and router.max_body < 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"port": 0}, "router.port"),
        ({"relay": "nowhere"}, "router.relay"),
        ({"max_body": 10}, "router.max_body"),
        ({"rate_limit": 0}, "router.rate_limit"),
        ({"mailjet_templates": {"1": 2}}, "router.mailjet_templates.1"),
    ],
)
def test_bad_router_settings_name_the_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings({"router": table}, "studio.toml")
    assert f"studio.toml: {key}" in str(info.value)


def test_a_key_written_in_the_settings_is_refused() -> None:
    with pytest.raises(ConfigError, match="router.api_key: secrets are never read"):
        parse_settings({"router": {"api_key": "secret"}}, "studio.toml")
