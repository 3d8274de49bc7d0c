"""Secrets never show: every command, every output format, every failure, every log record."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import Result

from devicecontracts.cli import main
from devicecontracts.cli import register as register_cli
from devicecontracts.registry import RegistrySettings
from devicecontracts.testing.registry import LocalRegistry

from ..support.catalogs import next_version
from ..support.registry import closed_port, optional, reading, run, small_catalog

KEY = "api-key-42"
SECRET = "Sup3r:S3cret/Value+1%"
TOKEN = "tok-Bearer-0123456789abcdef"


def leaked_forms() -> list[str]:
    """Every form the secrets could be printed in."""
    basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    return [SECRET, quote(SECRET, safe=""), quote(SECRET), basic, TOKEN]


def assert_clean(where: str, text: str) -> None:
    """No form of any secret in ``text``."""
    for form in leaked_forms():
        assert form not in text, f"a secret leaked into {where}"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every log record, at every level, of every logger (ours, httpx, the local registry)."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    assert_clean("the logs", caplog.text)


def clean(result: Result) -> Result:
    """``result`` after checking neither its stdout nor its stderr carries a secret."""
    assert_clean("stdout", result.stdout)
    assert_clean("stderr", result.stderr)
    assert "Traceback" not in result.output
    return result


def every_command_name() -> set[str]:
    """The names of all commands and subcommands of ``contracts``."""
    names: set[str] = set()
    for name, command in main.commands.items():  # type: ignore[attr-defined]
        names.add(name)
        for sub in getattr(command, "commands", {}):
            names.add(f"{name} {sub}")
    return names


def test_basic_auth_secret_never_shows(
    tmp_path: Path, logs: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    """With an API secret configured (flag, environment, URL), no command, format or failure
    prints it or logs it."""
    catalog = small_catalog(tmp_path / "c")
    covered: set[str] = set()
    with LocalRegistry(basic_auth=(KEY, SECRET)) as registry:
        url, port = registry.url, registry.port
        flags = ["--registry", url, "--api-key", KEY, "--api-secret", SECRET]
        env = {
            "SCHEMA_REGISTRY_URL": url,
            "SCHEMA_REGISTRY_API_KEY": KEY,
            "SCHEMA_REGISTRY_API_SECRET": SECRET,
        }
        in_url = url.replace("://", f"://{KEY}:{quote(SECRET, safe='')}@")

        def invoke(command: str, *args: object, env: dict[str, str] | None = None) -> Result:
            covered.add(command)
            return clean(run(*command.split(), *args, env=env))

        assert invoke("register", "--catalog", catalog, "--dry-run", *flags).exit_code == 0
        assert invoke("register", "--catalog", catalog, *flags).exit_code == 0
        assert invoke("register", "--catalog", catalog, "--format", "json", env=env).exit_code == 0
        assert (
            invoke(
                "register", "--catalog", catalog, "--format", "github", "--registry", in_url
            ).exit_code
            == 0
        )
        for fmt in ("text", "json", "github"):
            assert invoke("check", "--catalog", catalog, "--format", fmt, *flags).exit_code == 0
        assert invoke("check", "--catalog", catalog, "--registry", in_url).exit_code == 0
        next_version(catalog, "reading", reading(optional("b")))
        assert invoke("check", "--catalog", catalog, env=env).exit_code == 0
        assert invoke("diff", "reading", "--catalog", catalog, env=env).exit_code == 0
        assert invoke("rules", env=env).exit_code == 0
        assert invoke("lock", "--catalog", catalog, env=env).exit_code == 0

        # Failures: the registry refuses, fails, is slow, or is gone.
        registry.fail_next(500, 50001, f"echoing {SECRET}?", times=None)
        assert invoke("register", "--catalog", catalog, *flags, "--retries", "0").exit_code == 3
        registry.clear_faults()
        wrong = ["--registry", url, "--api-key", KEY, "--api-secret", SECRET + "x"]
        assert invoke("check", "--catalog", catalog, *wrong).exit_code == 3
        registry.slow_down(5.0, times=None)
        assert (
            invoke(
                "check", "--catalog", catalog, *flags, "--timeout", "0.2", "--retries", "0"
            ).exit_code
            == 3
        )
        registry.clear_faults()
    dead = in_url.replace(str(port), str(closed_port()))
    assert (
        invoke("register", "--catalog", catalog, "--registry", dead, "--retries", "0").exit_code
        == 3
    )
    bad = ["--registry", in_url, "--api-key", KEY, "--api-secret", SECRET]
    assert invoke("register", "--catalog", catalog, *bad).exit_code == 2  # given twice

    monkeypatch.setattr(register_cli, "_wait_for_interrupt", lambda registry: None)
    assert invoke("registry serve", "--port", "0", env=env).exit_code == 0
    for command in every_command_name() - covered:  # commands that never see the registry
        invoke(command, "--help", env=env)


def test_bearer_token_never_shows(tmp_path: Path, logs: pytest.LogCaptureFixture):
    """With a bearer token configured, no output, error or log carries it."""
    catalog = small_catalog(tmp_path / "c")
    with LocalRegistry(bearer_token=TOKEN) as registry:
        flags = ["--registry", registry.url, "--bearer-token", TOKEN, "--logical-cluster", "lsrc-1"]
        assert clean(run("register", "--catalog", catalog, *flags)).exit_code == 0
        env = {"SCHEMA_REGISTRY_URL": registry.url, "SCHEMA_REGISTRY_BEARER_TOKEN": TOKEN}
        assert (
            clean(
                run("check", "--catalog", catalog, "--registry", "--format", "json", env=env)
            ).exit_code
            == 0
        )
        wrong = {**env, "SCHEMA_REGISTRY_BEARER_TOKEN": TOKEN + "x"}
        assert clean(run("check", "--catalog", catalog, "--registry", env=wrong)).exit_code == 3
        registry.fail_next(503, 50003, f"token was {TOKEN}", times=None)
        result = clean(run("register", "--catalog", catalog, *flags, "--retries", "0"))
        assert result.exit_code == 3 and "token was ***" in result.stderr


def test_settings_keep_secrets_out_of_repr_and_redact_every_form():
    """The settings' repr has no secret, and `redact` masks each printable form of them."""
    settings = RegistrySettings(f"https://{KEY}:{quote(SECRET, safe='')}@sr.example.com")
    assert settings.api_secret == SECRET and "@" not in settings.url
    assert_clean("repr", repr(settings))
    for form in leaked_forms()[:-1]:
        assert settings.redact(f"before {form} after") == "before *** after"
    token = RegistrySettings("https://sr.example.com", bearer_token=TOKEN)
    assert_clean("repr", repr(token))
    assert token.redact(f"Bearer {TOKEN}") == "Bearer ***"
