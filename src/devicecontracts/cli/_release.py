"""The work of ``contracts register`` and ``contracts check --registry``: planning, preflight,
registering, and their reports.

Imported by `devicecontracts.cli.register` and `devicecontracts.cli.check` only when a command
talks to a registry: it loads the registry adapter, the release planner and, on the first
request, confluent-kafka's client, which no offline command needs.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from devicecontracts.catalog import Catalog, load_catalog
from devicecontracts.catalog.lock import write_lock
from devicecontracts.check import CheckReport
from devicecontracts.cli._shared import (
    ExitCode,
    check_summary,
    check_with_models,
    emit_findings,
    plural,
)
from devicecontracts.cli.register import RegistryOptions
from devicecontracts.cli.report import findings_document
from devicecontracts.errors import RegistryError
from devicecontracts.findings import Finding, Severity
from devicecontracts.registry import RegistrySettings, SchemaRegistry
from devicecontracts.registry._apply import (
    Outcome,
    config_words,
    gather,
    preflight,
    register,
    restore_config,
    restore_levels,
    set_config_for_preflight,
    set_levels_for_preflight,
)
from devicecontracts.registry.release import (
    CONFIG_FIELDS,
    Preflight,
    ReleasePlan,
    SubjectPlan,
    VersionAction,
    declared_config,
    drift_findings,
    plan_release,
    preflight_findings,
    release_findings,
)

__all__ = ["RegisterRun", "catalog_normalize", "run_check", "run_register"]


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
            configs_set=[
                {"subject": sp.subject, "fields": sorted(sp.config_changes)}
                for sp in self.outcome.configs_set
            ],
            findings=[f.to_json() for f in self.findings],
        )
        return doc


def catalog_normalize(catalog: Catalog) -> bool:
    """The ``normalize`` switch of the catalog's ``catalog.toml`` (a Confluent 7 line's
    ``normalize=true``, which loading validated): register asks the registry to normalize."""
    try:
        config = tomllib.loads((catalog.root / "catalog.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return config.get("normalize") is True


def run_register(
    catalog_dir: Path,
    options: RegistryOptions,
    *,
    dry_run: bool,
    output_format: str,
    normalize: bool = False,
) -> int:
    """``contracts register``: plan, preflight, then register (unless ``dry_run``).

    Every version goes with the metadata and rule set the catalog declares for it, and each
    subject gets the config it declares. ``normalize`` (or the catalog's ``normalize`` switch)
    asks the registry to normalize each schema. Returns the exit code; registry errors
    propagate (after the lock is written with whatever was registered).
    """
    catalog = load_catalog(catalog_dir)
    normalize = normalize or catalog_normalize(catalog)
    settings = options.settings()
    report = check_with_models(catalog)
    text = output_format == "text"
    say = _echo if text else _quiet
    say(f"contracts register: registry {settings.display}, environment {options.env!r}")
    run = RegisterRun(settings, options.env, dry_run, output_format, list(report.errors))
    outcome = run.outcome
    try:
        with SchemaRegistry(settings) as registry:
            facts = gather(catalog, registry, normalize=normalize)
            plan = run.plan = plan_release(catalog, facts, options.env)
            run.findings += release_findings(plan, catalog.lock.ids(options.env))
            if text:
                _echo_plan(plan)
            blocked = _has_errors(run.findings)
            changed = (
                [] if dry_run or blocked else set_levels_for_preflight(plan, registry, outcome, say)
            )
            configured = (
                [] if dry_run or blocked else set_config_for_preflight(plan, registry, outcome, say)
            )
            try:
                run.results = preflight(
                    plan, registry, _preflight_level(changed), normalize=normalize
                )
            except RegistryError:
                restore_config(configured, registry, say)
                restore_levels(changed, registry, say)
                raise
            run.findings += preflight_findings(run.results)
            if text:
                _echo_preflight(run.results)
            if _has_errors(run.findings):
                restore_config(configured, registry, say)
                restore_levels(changed, registry, say)
                outcome.levels_set.clear()
                outcome.configs_set.clear()
                run.finish("nothing was registered: fix the errors above")
                return ExitCode.FINDINGS
            if dry_run:
                run.finish(_dry_run_summary(plan))
                return ExitCode.OK
            try:
                register(plan, catalog, registry, outcome, say, normalize=normalize)
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
    if sp.sets_config:
        parts.append("set config " + config_words(sp))
    drifted = sp.contract_drifted
    if drifted:
        shown = ", ".join(f"v{n}" for n in drifted)
        parts.append(
            f"{shown} registered with other metadata or rules than contract.toml declares "
            "(contracts check --registry shows how)"
        )
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
    configs = len(plan.config_changes)
    if not pending and not levels and not configs:
        return "contracts register --dry-run: nothing to register, every level and config is set"
    if configs:
        sets = f", set {plural(levels, 'level')} and {plural(configs, 'subject config')}"
    else:
        sets = f" and set {plural(levels, 'level')}"
    return (
        f"contracts register --dry-run: would register {plural(pending, 'version')}{sets}; "
        "nothing changed"
    )


def _done_summary(plan: ReleasePlan, outcome: Outcome, catalog: Catalog, env: str) -> str:
    registered = len(outcome.registered)
    levels = len(outcome.levels_set)
    configs = len(outcome.configs_set)
    subjects = len({sp.subject for sp, _, _ in outcome.registered})
    if not registered and not levels and not configs:
        head = (
            f"contracts register: nothing to register: every version of the "
            f"{len(plan.subjects)} subjects is already registered and every level and config "
            "is set"
        )
    else:
        head = (
            f"contracts register: registered {plural(registered, 'version')} "
            f"of {plural(subjects, 'subject')}, set {plural(levels, 'level')}"
        )
        if configs:
            head += f" and {plural(configs, 'subject config')}"
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
        "contract_drift": sp.contract_drifted,
        "config": _config_json(sp),
    }


def _config_json(sp: SubjectPlan) -> dict[str, Any]:
    """The subject config by field name (values of metadata and rule sets left out: they may
    hold sensitive properties), the group by value."""
    declared = declared_config(sp.contract)
    held = sp.facts.config or {}
    return {
        "compatibility_group": {
            "declared": declared["compatibilityGroup"],
            "registry": sp.facts.in_force.get("compatibilityGroup"),
        },
        "declared": sorted(k for k, v in declared.items() if v is not None),
        "registry": sorted(k for k in CONFIG_FIELDS if held.get(k) is not None),
        "in_force": sorted(k for k in CONFIG_FIELDS if sp.facts.in_force.get(k) is not None),
        "set": sorted(sp.config_changes),
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
    normalize = catalog_normalize(catalog)
    with SchemaRegistry(settings) as registry:
        plan = plan_release(catalog, gather(catalog, registry, normalize=normalize), options.env)
        results = preflight(
            plan,
            registry,
            lambda sp: sp.effective_level if sp.facts.live else sp.level,
            normalize=normalize,
        )
    drift = drift_findings(plan, catalog.lock.ids(options.env)) + preflight_findings(results)
    findings = report.findings + drift
    counts, fields = check_summary(report, findings)
    summary = (
        counts + f"; registry {settings.display} (environment {options.env!r}): "
        f"{plural(len(drift), 'finding')}, "
        f"{plural(len(results), 'version')} not registered there yet"
    )
    document = findings_document(
        findings,
        {
            **fields,
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
    failing = fields["errors"] or (strict and findings)
    return ExitCode.FINDINGS if failing else ExitCode.OK
