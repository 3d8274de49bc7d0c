"""``contracts register``, ``contracts check --registry`` and ``contracts registry serve``, with
the registry connection options they share.

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
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.catalog.lock import write_lock
from devicecontracts.check import CheckReport
from devicecontracts.cli._shared import (
    EXIT_CODES_HELP,
    ExitCode,
    catalog_option,
    check_with_models,
    emit_findings,
    format_option,
    plural,
    user_errors,
)
from devicecontracts.cli.report import findings_document
from devicecontracts.errors import RegistryConfigError, RegistryError
from devicecontracts.findings import Finding, Severity
from devicecontracts.registry import ENVIRONMENT_VARIABLES, RegistrySettings, SchemaRegistry
from devicecontracts.registry._apply import (
    Outcome,
    gather,
    preflight,
    register,
    restore_levels,
    set_levels_for_preflight,
)
from devicecontracts.registry.release import (
    Preflight,
    ReleasePlan,
    SubjectPlan,
    VersionAction,
    drift_findings,
    plan_release,
    preflight_findings,
    release_findings,
)
from devicecontracts.schema.compatibility import CompatibilityLevel

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
@format_option()
@registry_options
@user_errors
def register_command(
    catalog_dir: Path, dry_run: bool, output_format: str, registry: RegistryOptions
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
       versions), setting each subject's level where it differs from the catalog;
    4. record the returned ids in the lock under --env.

    Refuses while `contracts check` has errors. Running it again registers nothing and says so.
    """
    sys.exit(run_register(catalog_dir, registry, dry_run=dry_run, output_format=output_format))


@dataclass
class RegisterRun:
    """What one ``contracts register`` has learnt so far: the report is printed from it at
    whichever point the run ends (done, refused, dry run or a registry error)."""

    settings: RegistrySettings
    env: str
    dry_run: bool
    output_format: str
    findings: list[Finding]
    plan: ReleasePlan | None = None
    results: list[Preflight] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)
    error: str | None = None  # a registry error that ended the run

    def finish(self, summary: str) -> None:
        """Print the findings and ``summary`` (JSON: the whole run) in the run's format."""
        emit_findings(
            self.findings,
            self.output_format,
            summary=summary,
            document=self._document(summary),
            command="contracts register",
            redact=self.settings.redact,
        )

    def _document(self, summary: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "dry_run": self.dry_run,
            "registry": self.settings.display,
            "env": self.env,
        }
        if self.error is not None:
            doc["error"] = self.error
        doc.update(
            ok=not _has_errors(self.findings) and self.error is None,
            summary=summary,
            subjects=[_subject_json(sp) for sp in self.plan.subjects] if self.plan else [],
            preflight=[_preflight_json(p) for p in self.results],
            registered=[
                {
                    "subject": sp.subject,
                    "version": v.version,
                    "registry_version": r.version,
                    "id": r.schema_id,
                }
                for sp, v, r in self.outcome.registered
            ],
            levels_set=[
                {"subject": sp.subject, "level": sp.level.value} for sp in self.outcome.levels_set
            ],
            findings=[f.to_json() for f in self.findings],
        )
        return doc


def run_register(
    catalog_dir: Path, options: RegistryOptions, *, dry_run: bool, output_format: str
) -> int:
    """``contracts register``: plan, preflight, then register (unless ``dry_run``).

    Returns the exit code; registry errors propagate (after the lock is written with whatever
    was registered).
    """
    catalog = load_catalog(catalog_dir)
    settings = options.settings()
    report = check_with_models(catalog)
    text = output_format == "text"
    say = _echo if text else _quiet
    say(f"contracts register: registry {settings.display}, environment {options.env!r}")
    run = RegisterRun(settings, options.env, dry_run, output_format, list(report.errors))
    outcome = run.outcome
    try:
        with SchemaRegistry(settings) as registry:
            plan = run.plan = plan_release(catalog, gather(catalog, registry), options.env)
            run.findings += release_findings(plan, catalog.lock.ids(options.env))
            if text:
                _echo_plan(plan)
            blocked = _has_errors(run.findings)
            changed = (
                [] if dry_run or blocked else set_levels_for_preflight(plan, registry, outcome, say)
            )
            try:
                run.results = preflight(plan, registry, _preflight_level(changed))
            except RegistryError:
                restore_levels(changed, registry, say)
                raise
            run.findings += preflight_findings(run.results)
            if text:
                _echo_preflight(run.results)
            if _has_errors(run.findings):
                restore_levels(changed, registry, say)
                outcome.levels_set.clear()
                run.finish("nothing was registered: fix the errors above")
                return ExitCode.FINDINGS
            if dry_run:
                run.finish(_dry_run_summary(plan))
                return ExitCode.OK
            try:
                register(plan, catalog, registry, outcome, say)
            finally:
                if outcome.lock_changed:
                    write_lock(catalog.lock)
            if outcome.race is not None:
                run.findings.append(outcome.race)
                run.finish(_race_summary(outcome, catalog, options.env))
                return ExitCode.FINDINGS
    except RegistryError as exc:
        if not text:
            run.error = str(exc)
            run.finish(run.error)
        raise
    run.finish(_done_summary(plan, outcome, catalog, options.env))
    return ExitCode.OK


def _preflight_level(changed: list[SubjectPlan]) -> Callable[[SubjectPlan], Any]:
    names = {sp.subject for sp in changed}

    def level(sp: SubjectPlan) -> Any:
        # New subjects have no history to check; the level shown is the one they will get.
        return sp.level if sp.subject in names or not sp.facts.live else sp.effective_level

    return level


def _has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def _echo(line: str) -> None:
    click.echo(line)


def _quiet(line: str) -> None:
    pass


def _echo_plan(plan: ReleasePlan) -> None:
    click.echo("plan:")
    width = max((len(sp.subject) for sp in plan.subjects), default=0)
    for sp in plan.subjects:
        click.echo(f"  {sp.subject:<{width}}  {_describe_subject(sp)}")


def _describe_subject(sp: SubjectPlan) -> str:
    parts = [sp.status]
    pending = [f"v{vp.number}" for vp in sp.pending]
    if pending:
        parts.append("register " + ", ".join(pending))
    registered = [vp.number for vp in sp.versions if vp.action is VersionAction.REGISTERED]
    if registered:
        parts[0] += f" ({_span(registered)} registered)" if pending else f" ({_span(registered)})"
    noted = (VersionAction.IDENTICAL_TO_OLDER, VersionAction.OUT_OF_ORDER, VersionAction.REGISTER)
    for vp in sp.versions:
        if vp.action in noted and vp.note and not vp.released:
            parts.append(f"v{vp.number} {vp.note}")
    if sp.extra:
        parts.append("registry also holds version " + ", ".join(str(r) for r in sp.extra))
    if sp.sets_level:
        now = sp.facts.level.value if sp.facts.level else f"unset, global {sp.global_level.value}"
        parts.append(f"set level {sp.level.value} (now {now})")
    return "; ".join(parts)


def _span(numbers: list[int]) -> str:
    return f"v{numbers[0]}" if len(numbers) == 1 else f"v{numbers[0]}..v{numbers[-1]}"


def _echo_preflight(results: list[Preflight]) -> None:
    if not results:
        return
    ok = sum(1 for p in results if p.ok)
    click.echo(f"preflight: the registry accepts {ok} of {plural(len(results), 'pending version')}")
    for p in results:
        click.echo("  " + _verdict_line(p))


def _verdict_line(p: Preflight) -> str:
    theirs = "compatible" if p.compatible else "INCOMPATIBLE"
    ours = "n/a" if p.ours is None else ("compatible" if p.ours.compatible else "INCOMPATIBLE")
    flag = "" if p.agrees else "  <- DISAGREEMENT"
    inlined = " (references inlined: not registered yet)" if p.inlined else ""
    return (
        f"{p.subject} v{p.version.version} at {p.level.value}: registry {theirs}, "
        f"devicecontracts {ours}{inlined}{flag}"
    )


def _dry_run_summary(plan: ReleasePlan) -> str:
    pending = len(plan.pending)
    levels = len(plan.level_changes)
    if not pending and not levels:
        return "contracts register --dry-run: nothing to register, every level is set"
    return (
        f"contracts register --dry-run: would register {plural(pending, 'version')} "
        f"and set {plural(levels, 'level')}; nothing changed"
    )


def _done_summary(plan: ReleasePlan, outcome: Outcome, catalog: Catalog, env: str) -> str:
    registered = len(outcome.registered)
    levels = len(outcome.levels_set)
    subjects = len({sp.subject for sp, _, _ in outcome.registered})
    if not registered and not levels:
        head = (
            f"contracts register: nothing to register: every version of the "
            f"{len(plan.subjects)} subjects is already registered and every level is set"
        )
    else:
        head = (
            f"contracts register: registered {plural(registered, 'version')} "
            f"of {plural(subjects, 'subject')}, set {plural(levels, 'level')}"
        )
    if outcome.lock_changed:
        head += f"; ids recorded in {catalog.lock.path} for environment {env!r}"
    return head


def _race_summary(outcome: Outcome, catalog: Catalog, env: str) -> str:
    assert outcome.race is not None
    race = outcome.race
    done = len(outcome.registered)
    before = f"registered {plural(done, 'version')} before that" if done else "nothing registered"
    head = (
        f"contracts register: stopped at v{race.version} of {race.subject}: another release "
        f"registered a version of it first; {before}"
    )
    if outcome.lock_changed:
        head += f" (ids recorded in {catalog.lock.path} for environment {env!r})"
    return head


def _subject_json(sp: SubjectPlan) -> dict[str, Any]:
    return {
        "subject": sp.subject,
        "status": sp.status,
        "level": {
            "declared": sp.level.value,
            "registry": sp.facts.level.value if sp.facts.level else None,
            "global": sp.global_level.value,
            "set": sp.sets_level,
        },
        "versions": [
            {
                "version": vp.number,
                "action": vp.action.value,
                "registry_version": vp.match.version if vp.match else None,
                "id": vp.match.schema_id if vp.match else None,
                "note": vp.note or None,
            }
            for vp in sp.versions
        ],
        "registry_only_versions": list(sp.extra),
    }


def _preflight_json(p: Preflight) -> dict[str, Any]:
    return {
        "subject": p.subject,
        "version": p.version.version,
        "level": p.level.value,
        "registry": {"compatible": p.compatible, "messages": list(p.messages)},
        "devicecontracts": None
        if p.ours is None
        else {
            "compatible": p.ours.compatible,
            "issues": [i.message for i in p.ours.issues],
        },
        "agree": p.agrees,
        "references_inlined": p.inlined,
    }


# ---------------------------------------------------------------------------------------------
# contracts check --registry


def run_check(
    catalog: Catalog,
    report: CheckReport,
    options: RegistryOptions,
    *,
    output_format: str,
    strict: bool,
) -> int:
    """``contracts check --registry``: the offline check plus drift and the registry's verdicts."""
    settings = options.settings()
    with SchemaRegistry(settings) as registry:
        plan = plan_release(catalog, gather(catalog, registry), options.env)
        results = preflight(
            plan, registry, lambda sp: sp.effective_level if sp.facts.live else sp.level
        )
    drift = drift_findings(plan, catalog.lock.ids(options.env)) + preflight_findings(results)
    findings = report.findings + drift
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    summary = (
        f"contracts check: {report.subjects} subjects, {report.versions} versions: "
        f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        + (f", {len(report.waived)} waived" if report.waived else "")
        + f"; registry {settings.display} (environment {options.env!r}): "
        f"{plural(len(drift), 'finding')}, "
        f"{plural(len(results), 'version')} not registered there yet"
    )
    document = findings_document(
        findings,
        {
            "subjects": report.subjects,
            "versions": report.versions,
            "errors": errors,
            "warnings": warnings,
            "waived": len(report.waived),
            "unreleased": [{"subject": s, "version": v} for s, v in report.pending],
            "registry": {
                "url": settings.display,
                "env": options.env,
                "subjects": [_subject_json(sp) for sp in plan.subjects],
                "verdicts": [_preflight_json(p) for p in results],
            },
        },
        report.waived,
    )
    if output_format == "text" and results:
        click.echo("registry verdicts on versions not registered there yet:")
        for p in results:
            click.echo("  " + settings.redact(_verdict_line(p)))
    emit_findings(
        findings,
        output_format,
        summary=summary,
        document=document,
        command="contracts check",
        redact=settings.redact,
        waived=report.waived,
    )
    failing = errors or (strict and findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK


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
    per-subject levels, references and verbose compatibility messages. Its verdicts come from
    the avro package, not from devicecontracts. Needs the testing extra.
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
