"""``contracts register``, ``contracts check --registry`` and ``contracts registry serve``, with
the registry connection options they share.

The commands and options are defined here, light; the work of the two commands that talk to a
registry lives in `devicecontracts.cli._release`, imported only when one of them runs, so an
offline command loads no registry adapter, release planner or HTTP client.

Every message printed goes through the settings' redaction (`emit_findings` takes it), and the
settings object keeps secrets out of ``repr``; registry errors propagate to `user_errors`, which
prints them (already redacted) and exits 3 (1 for an incompatibility).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from devicecontracts.cli._shared import (
    EXIT_CODES_HELP,
    ExitCode,
    catalog_option,
    format_option,
    user_errors,
)
from devicecontracts.errors import RegistryConfigError
from devicecontracts.registry.settings import ENVIRONMENT_VARIABLES, RegistrySettings
from devicecontracts.schema.compatibility import CompatibilityLevel

if TYPE_CHECKING:
    from devicecontracts.cli._release import RegisterRun, run_check, run_register

__all__ = [
    "DEFAULT_ENV",
    "RegisterRun",
    "RegistryOptions",
    "register_command",
    "registry_group",
    "registry_options",
    "registry_serve",
    "run_check",
    "run_register",
    "run_serve",
]

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_ENV = "default"


@dataclass(frozen=True)
class RegistryOptions:
    """The registry flags of one command (secrets kept out of ``repr``)."""

    url: str | None
    requested: bool = False  # --registry was on the command line (not only in the environment)
    env: str = DEFAULT_ENV
    # The remaining flags, named as RegistrySettings names them; secrets among them.
    connection: dict[str, Any] = field(default_factory=dict, repr=False)

    def settings(self) -> RegistrySettings:
        """Validated connection settings; `RegistryConfigError` (exit 2) when unusable."""
        if not self.url:
            raise RegistryConfigError(
                "no schema registry given: pass --registry URL or set SCHEMA_REGISTRY_URL"
            )
        return RegistrySettings(self.url, **self.connection)


_SECRET_HINT = " Prefer the environment variable: a flag shows in process lists and shell history."


_URL_FROM_ENVIRONMENT = "\0from-environment"
_CONNECTION_FLAGS = (
    "api_key",
    "api_secret",
    "bearer_token",
    "logical_cluster",
    "identity_pool",
    "ca_bundle",
    "client_cert",
    "client_key",
    "timeout",
    "retries",
)


def registry_options(func: F) -> F:
    """Add the registry flags (each with its environment variable) as one ``registry`` argument."""
    env = ENVIRONMENT_VARIABLES
    file_path = click.Path(exists=True, dir_okay=False, path_type=Path)
    options = [
        click.option(
            "--registry",
            "registry_url",
            envvar=env["url"],
            show_envvar=True,
            metavar="[URL]",
            is_flag=False,
            flag_value=_URL_FROM_ENVIRONMENT,
            help="Schema Registry URL, such as https://psrc-xxxx.eu-west-1.aws.confluent.cloud "
            f"(comma-separate several to fail over); without a value, ${env['url']}.",
        ),
        click.option(
            "--api-key",
            envvar=env["api_key"],
            show_envvar=True,
            metavar="KEY",
            help="Basic-auth user: a Confluent Cloud API key.",
        ),
        click.option(
            "--api-secret",
            envvar=env["api_secret"],
            show_envvar=True,
            metavar="SECRET",
            help="The API key's secret." + _SECRET_HINT,
        ),
        click.option(
            "--bearer-token",
            envvar=env["bearer_token"],
            show_envvar=True,
            metavar="TOKEN",
            help="A static OAuth bearer token, instead of a key and secret." + _SECRET_HINT,
        ),
        click.option(
            "--logical-cluster",
            envvar=env["logical_cluster"],
            show_envvar=True,
            metavar="ID",
            help="Confluent Cloud logical cluster (lsrc-...), sent with a bearer token.",
        ),
        click.option(
            "--identity-pool",
            envvar=env["identity_pool"],
            show_envvar=True,
            metavar="ID",
            help="Confluent Cloud identity pool, sent with a bearer token.",
        ),
        click.option(
            "--ca-bundle",
            envvar=env["ca_bundle"],
            show_envvar=True,
            type=click.Path(exists=True, path_type=Path),
            help="CA certificates (PEM file or folder) that verify the registry's certificate.",
        ),
        click.option(
            "--client-cert",
            envvar=env["client_cert"],
            show_envvar=True,
            type=file_path,
            help="Client certificate (PEM) for mutual TLS.",
        ),
        click.option(
            "--client-key",
            envvar=env["client_key"],
            show_envvar=True,
            type=file_path,
            help="Private key (PEM) of the client certificate, unless inside it.",
        ),
        click.option(
            "--timeout",
            envvar=env["timeout"],
            show_envvar=True,
            type=click.FloatRange(min=0.1),
            default=10.0,
            show_default=True,
            help="Seconds to wait for each answer.",
        ),
        click.option(
            "--retries",
            envvar=env["retries"],
            show_envvar=True,
            type=click.IntRange(0, 10),
            default=3,
            show_default=True,
            help="Retries, with exponential backoff, on 5xx, 408, 429 and connection errors.",
        ),
        click.option(
            "--env",
            "environment",
            envvar="CONTRACTS_ENV",
            show_envvar=True,
            metavar="NAME",
            default=DEFAULT_ENV,
            show_default=True,
            help="Lock environment this registry is (dev, staging, prod...): the schema ids "
            "it returns are recorded in the lock under this name.",
        ),
    ]

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        url = kwargs.pop("registry_url")
        source = click.get_current_context().get_parameter_source("registry_url")
        if url == _URL_FROM_ENVIRONMENT:
            url = os.environ.get(env["url"]) or None
            if url is None:
                raise click.UsageError(f"--registry without a URL needs ${env['url']}")
        kwargs["registry"] = RegistryOptions(
            url=url,
            requested=source is ParameterSource.COMMANDLINE,
            env=kwargs.pop("environment"),
            connection={name: kwargs.pop(name) for name in _CONNECTION_FLAGS},
        )
        return func(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# contracts register


@click.command(name="register", epilog=EXIT_CODES_HELP)
@catalog_option
@click.option("--dry-run", is_flag=True, help="Plan and preflight only: change nothing.")
@click.option(
    "--normalize",
    is_flag=True,
    help="Ask the registry to normalize each schema (normalize=true on every request); "
    "catalog.toml's normalize = true does the same.",
)
@format_option()
@registry_options
@user_errors
def register_command(
    catalog_dir: Path,
    dry_run: bool,
    normalize: bool,
    output_format: str,
    registry: RegistryOptions,
) -> None:
    """Register every new version in the schema registry, safely, and record the ids.

    \b
    1. plan: per subject, new subject / new versions / already registered / identical to an
       older version (a rollback that would not take effect: warning) / drift (the registry
       holds versions the catalog lacks: error);
    2. preflight: the registry's own check of every pending version
       (POST /compatibility/subjects/{s}/versions?verbose=true, every version at transitive
       levels), beside ours; anything refused, or a disagreement, stops here with nothing
       registered;
    3. register in dependency order (shared types first, references pinned to explicit
       versions), each version with the metadata and rule set its contract.toml declares
       (an empty one sent as {}, so nothing is inherited from the previous version), setting
       each subject's level and declared config (compatibilityGroup, default and override
       metadata and rule sets) where they differ from the catalog;
    4. record the returned ids in the lock under --env.

    Refuses while `contracts check` has errors. Running it again registers nothing and says so.
    """
    from devicecontracts.cli._release import run_register

    sys.exit(
        run_register(
            catalog_dir,
            registry,
            dry_run=dry_run,
            output_format=output_format,
            normalize=normalize,
        )
    )


# ---------------------------------------------------------------------------------------------
# contracts registry serve


@click.group(name="registry")
def registry_group() -> None:
    """A local schema registry for development and tests."""


@registry_group.command(name="serve", epilog=EXIT_CODES_HELP)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (it has no authentication: keep it local).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8081,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--level",
    type=click.Choice([lv.value for lv in CompatibilityLevel]),
    default="BACKWARD",
    show_default=True,
    help="The global compatibility level.",
)
@click.option(
    "--incompatible-code",
    type=click.Choice(["40901", "409"]),
    default="40901",
    show_default=True,
    help="Error code for incompatible schemas (409 on Confluent before 8.0.4).",
)
def registry_serve(host: str, port: int, level: str, incompatible_code: str) -> None:
    """Run a Confluent-API-faithful schema registry in memory until Ctrl-C.

    The same registry as the local_registry pytest fixture (devicecontracts.testing.registry):
    Confluent's endpoints, status and error codes, idempotent registration, soft delete,
    per-subject levels, references, verbose compatibility messages, and data contracts (metadata
    and rule sets stored, inherited and merged; compatibility groups; 42210 for a malformed
    rule). Its verdicts come from the avro package, not from devicecontracts. Needs the testing
    extra.
    """
    sys.exit(run_serve(host, port, level, int(incompatible_code)))


def run_serve(host: str, port: int, level: str, incompatible_code: int) -> int:
    """``contracts registry serve``: a local registry until Ctrl-C."""
    try:
        from devicecontracts.testing.registry import LocalRegistry
    except ModuleNotFoundError as exc:
        if exc.name not in ("avro", "devicecontracts.testing"):
            raise
        click.echo(
            "contracts registry serve: needs the avro package: "
            "pip install 'devicecontracts[testing]'",
            err=True,
        )
        return ExitCode.USAGE
    registry = LocalRegistry(
        host=host, port=port, default_level=level, incompatible_error_code=incompatible_code
    )
    try:
        registry.start()
    except OSError as exc:
        click.echo(f"contracts registry serve: cannot listen on {host}:{port}: {exc}", err=True)
        return ExitCode.USAGE
    try:
        click.echo(
            f"local schema registry on {registry.url} (in memory; Ctrl-C stops it)\n"
            f"use it with: contracts register --registry {registry.url}   "
            f"(or SCHEMA_REGISTRY_URL={registry.url})"
        )
        sys.stdout.flush()
        _wait_for_interrupt(registry)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        registry.stop()
    return ExitCode.OK


def _wait_for_interrupt(registry: Any) -> None:
    """Block until Ctrl-C (tests replace this to drive the running registry)."""
    registry.serve_until(lambda: False)


_RELEASE_NAMES = frozenset({"RegisterRun", "run_check", "run_register"})


def __getattr__(name: str) -> Any:
    # The registry work, by its old names here, loaded only when asked for.
    if name in _RELEASE_NAMES:
        from devicecontracts.cli import _release

        return getattr(_release, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
