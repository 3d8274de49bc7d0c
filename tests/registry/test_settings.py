"""Connection settings: URLs, credentials, TLS, timeouts, and the masking of secrets."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devicecontracts.errors import RegistryConfigError
from devicecontracts.registry import RegistrySettings, SchemaRegistry
from devicecontracts.registry.settings import clean_client_config, new_client, redact, scrub_url


def test_userinfo_in_the_url_becomes_basic_auth_and_leaves_the_url():
    """``https://key:secret@host`` is split: the URL keeps no credentials, basic auth gets them."""
    s = RegistrySettings("https://KEY:p%40ss%3Aword@sr.example.com:8081/")
    assert s.url == "https://sr.example.com:8081"
    assert (s.api_key, s.api_secret) == ("KEY", "p@ss:word")
    assert s.client_config()["basic.auth.user.info"] == "KEY:p@ss:word"
    assert s.display == "https://sr.example.com:8081 (basic auth as KEY)"


def test_several_urls_fail_over_and_all_lose_their_userinfo():
    """A comma-separated list is kept in order, each URL without credentials."""
    s = RegistrySettings("https://a.example.com, https://k:s@b.example.com")
    assert s.client_config()["url"] == "https://a.example.com,https://b.example.com"


def test_environment_variables_are_read_and_flags_win():
    """from_env reads SCHEMA_REGISTRY_*; explicit values win over the environment."""
    env = {
        "SCHEMA_REGISTRY_URL": "https://env.example.com",
        "SCHEMA_REGISTRY_API_KEY": "k",
        "SCHEMA_REGISTRY_API_SECRET": "s",
        "SCHEMA_REGISTRY_TIMEOUT": "2.5",
        "SCHEMA_REGISTRY_RETRIES": "5",
    }
    s = RegistrySettings.from_env(env, url="https://flag.example.com")
    assert (s.url, s.api_key, s.api_secret, s.timeout, s.retries) == (
        "https://flag.example.com",
        "k",
        "s",
        2.5,
        5,
    )


def test_bearer_token_and_tls_options_reach_the_client_config(tmp_path: Path):
    """Bearer auth and TLS files map onto confluent-kafka's configuration keys."""
    cert, key, ca = (tmp_path / n for n in ("c.pem", "k.pem", "ca.pem"))
    s = RegistrySettings(
        "https://sr.example.com",
        bearer_token="t",
        logical_cluster="lsrc-1",
        identity_pool="pool-1",
        ca_bundle=ca,
        client_cert=cert,
        client_key=key,
        timeout=3,
        retries=1,
    )
    config = s.client_config()
    assert config["bearer.auth.credentials.source"] == "STATIC_TOKEN"
    assert (config["bearer.auth.token"], config["bearer.auth.logical.cluster"]) == ("t", "lsrc-1")
    assert config["bearer.auth.identity.pool.id"] == "pool-1"
    assert config["ssl.ca.location"] == str(ca)
    assert (config["ssl.certificate.location"], config["ssl.key.location"]) == (str(cert), str(key))
    assert (config["timeout"], config["max.retries"]) == (3, 1)


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"url": "sr.example.com"}, r"not an http\(s\) URL"),
        ({"url": "https://sr", "api_secret": "s"}, "needs both an API key and its secret"),
        ({"url": "https://sr", "client_key": Path("k.pem")}, "needs its certificate"),
        ({"url": "https://sr", "timeout": 0}, "timeout must be positive"),
        ({"url": " , "}, "empty"),
    ],
)
def test_unusable_settings_are_refused(kwargs: dict[str, object], said: str):
    """Settings that cannot work raise RegistryConfigError saying what to fix."""
    with pytest.raises(RegistryConfigError, match=said):
        RegistrySettings(**kwargs)  # type: ignore[arg-type]


def test_missing_certificate_file_is_a_configuration_error(tmp_path: Path):
    """A CA bundle that cannot be loaded is reported when the client is created (exit 2)."""
    registry = SchemaRegistry(
        RegistrySettings("https://sr.example.com", ca_bundle=tmp_path / "missing.pem")
    )
    with pytest.raises(RegistryConfigError, match="cannot configure the registry client"):
        registry.global_level()


printable = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# NUL stands in for the mask below, so it cannot be part of a secret here.
@given(
    secret=printable.filter(lambda s: bool(s) and "\0" not in s), before=printable, after=printable
)
def test_redaction_removes_every_occurrence(secret: str, before: str, after: str):
    """Whatever the secret and whatever surrounds it, no occurrence survives redaction."""
    s = RegistrySettings("https://sr.example.com", api_key="k", api_secret=secret)
    text = f"{before}{secret}{after}{secret}"
    assert secret not in s.redact(text).replace("***", "\0")


def test_configured_means_a_registry_url_is_set():
    """Only a non-blank SCHEMA_REGISTRY_URL configures a registry; credentials alone do not."""
    assert RegistrySettings.configured({"SCHEMA_REGISTRY_URL": "https://sr.example.com"})
    assert not RegistrySettings.configured({"SCHEMA_REGISTRY_URL": "  "})
    assert not RegistrySettings.configured({"SCHEMA_REGISTRY_API_KEY": "k"})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://k:s@sr.example.com:8081/x", "https://sr.example.com:8081/x"),
        ("https://k@sr.example.com", "https://sr.example.com"),
        (
            "https://a.example.com, http://k:s@b.example.com",
            "https://a.example.com,http://b.example.com",
        ),
        ("mock://k:s@scope", "mock://scope"),
        ("https://sr.example.com", "https://sr.example.com"),
    ],
)
def test_scrub_url_removes_user_info_from_every_url(url: str, shown: str):
    """Every URL of a list loses its user info, whatever the scheme; nothing else changes."""
    assert scrub_url(url) == shown


def test_a_client_config_with_user_info_gets_basic_auth_instead():
    """A hand-written client config keeps its other keys, its URL loses the user info, which
    becomes basic.auth.user.info, and the secret is among those to mask."""
    given = {"url": "https://KEY:p%40ss@sr.example.com", "ssl.ca.location": "/ca.pem"}

    config, secrets = clean_client_config(given)

    assert config == {
        "url": "https://sr.example.com",
        "ssl.ca.location": "/ca.pem",
        "basic.auth.user.info": "KEY:p@ss",
    }
    assert "p@ss" in secrets
    assert given["url"].startswith("https://KEY:")  # the caller's mapping is not changed


def test_a_client_config_with_credentials_twice_is_refused():
    """User info in the URL and basic.auth.user.info together are a configuration error that
    shows neither secret."""
    given = {"url": "https://k:one@sr.example.com", "basic.auth.user.info": "k:two"}
    with pytest.raises(RegistryConfigError, match="twice") as refused:
        clean_client_config(given)
    assert "one" not in str(refused.value) and "two" not in str(refused.value)


def test_secrets_of_a_client_config_include_the_bearer_token():
    """A bearer token in a client config is a secret to mask."""
    _, secrets = clean_client_config({"url": "https://sr", "bearer.auth.token": "tok-1"})
    assert redact("Authorization: Bearer tok-1", secrets) == "Authorization: Bearer ***"


def test_a_client_config_the_client_refuses_is_a_configuration_error():
    """confluent-kafka refusing a config becomes RegistryConfigError, redacted."""
    config = {"url": "https://sr.example.com", "bearer.auth.credentials.source": "NOPE"}
    with pytest.raises(RegistryConfigError, match="cannot configure the registry client"):
        new_client(config, ("NOPE",))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Basic auth's user id cannot hold a colon (RFC 7617); the password can hold anything.
@given(user=printable.filter(lambda u: bool(u) and ":" not in u), password=printable.filter(bool))
def test_user_info_always_leaves_the_url_and_reaches_basic_auth(user: str, password: str):
    """Whatever the user and password (quoted into the URL), the cleaned config's URL holds
    neither, basic auth holds both unchanged, and the password's quoted form is masked."""
    url = f"https://{quote(user, safe='')}:{quote(password, safe='')}@sr.example.com:8081"

    config, secrets = clean_client_config({"url": url})

    assert config["url"] == "https://sr.example.com:8081" == scrub_url(url)
    assert config["basic.auth.user.info"] == f"{user}:{password}"
    assert redact(url, secrets).count(quote(password, safe="")) == 0
    settings_ = RegistrySettings(url)
    assert (settings_.url, settings_.api_key, settings_.api_secret) == (
        "https://sr.example.com:8081",
        user,
        password,
    )
