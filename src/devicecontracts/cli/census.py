"""``contracts census``: what a topic carries on the wire, and ``contracts census merge``.

The reading lives in `devicecontracts.census` (imported when a census runs); this module is
the command line around it: options, the table or JSON on stdout, a progress line on stderr,
the report written into the catalog, exit codes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from devicecontracts.cli._shared import (
    EXIT_CODES_HELP,
    ExitCode,
    catalog_option,
    format_option,
    user_errors,
)
from devicecontracts.cli.register import RegistryOptions, registry_options

if TYPE_CHECKING:
    from devicecontracts.census.reader import Progress

__all__ = ["PROGRESS_EVERY_S", "census", "merge_command", "read_command"]

PROGRESS_EVERY_S = 30.0
"""Seconds between progress lines on stderr when it is not a terminal (CI logs); on a
terminal one line is redrawn every second."""


class _CensusGroup(click.Group):
    """``contracts census TOPIC ...`` runs ``read``; ``contracts census merge ...`` merges."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["read", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_CensusGroup, epilog=EXIT_CODES_HELP)
def census() -> None:
    """What a topic carries on the wire: records per subject and version, first and last
    seen, unknown schema ids, records that are not framed, per partition.

    \b
      contracts census TOPIC --bootstrap-servers HOST:9092 [options]   (same as census read)
      contracts census merge A.json B.json [--out F]

    Scale out: run N processes with the same --group; Kafka's consumer-group protocol splits
    the partitions between them, and census merge combines their reports exactly.
    """


@census.command("read", epilog=EXIT_CODES_HELP)
@click.argument("topic")
@click.option(
    "--bootstrap-servers",
    "-b",
    envvar="KAFKA_BOOTSTRAP_SERVERS",
    show_envvar=True,
    required=True,
    metavar="HOST:PORT[,...]",
    help="The Kafka brokers to read from.",
)
@click.option(
    "--from",
    "start",
    default="earliest",
    show_default=True,
    metavar="earliest|latest:N|TIME",
    help="Where to start in each partition: the earliest record, the last N records, or the "
    "first record at or after an ISO 8601 time (2026-12-01T00:00:00Z).",
)
@click.option(
    "--max-messages",
    type=click.IntRange(min=1),
    help="Stop after this many records (over every partition read).",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop after this many seconds. Reading always stops at the end of every partition.",
)
@click.option(
    "--group",
    metavar="GROUP",
    help="Join this Kafka consumer group: N processes with one group split the partitions, "
    "offsets are committed, and each report names the partitions its process read. Use a new "
    "group for each census. Without it, this process reads every partition and commits nothing.",
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=15.0,
    show_default=True,
    metavar="SECONDS",
    help="How long the brokers have to answer before the census gives up (exit 3).",
)
@registry_options
@catalog_option
@click.option(
    "--kafka-config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A Kafka client properties file (key=value lines: security.protocol, sasl.*, ssl.*).",
)
@click.option(
    "-X",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="A Kafka client setting (librdkafka's names), repeatable; wins over --kafka-config. "
    "Secret values are never printed.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Decode a sample of framed bodies with their writer schemas and report those that do "
    "not decode, by partition and offset.",
)
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="With --verify: how many bodies to decode (a uniform sample of those read).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the JSON report [default: <catalog>/census/<env>/<topic>.json, "
    "or census/registry/ with --registry].",
)
@format_option(("text", "json"))
@user_errors
def read_command(  # noqa: PLR0917 - one parameter per option
    topic: str,
    bootstrap_servers: str,
    start: str,
    max_messages: int | None,
    duration: float | None,
    group: str | None,
    connect_timeout: float,
    registry: RegistryOptions,
    catalog_dir: Path,
    kafka_config: Path | None,
    settings: tuple[str, ...],
    verify: bool,
    sample: int,
    out: Path | None,
    output_format: str,
) -> None:
    """Count what TOPIC carries, reading only each record's 5-byte header (magic byte and
    schema id); ids map through the lock of --env, or through the registry with --registry.

    Prints a table (or the JSON report with --format json) and writes the report into the
    catalog, where contracts check and the docs site read it.
    """
    from devicecontracts.catalog.census import report_path
    from devicecontracts.census.ids import IdSource, LockIds, RegistryIds
    from devicecontracts.census.kafka import (
        KafkaUnreachable,
        parse_settings,
        read_kafka_config,
        secrets_of,
    )
    from devicecontracts.census.reader import CensusOptions, Start, run_census
    from devicecontracts.registry.settings import redact

    config = read_kafka_config(kafka_config) if kafka_config is not None else {}
    config.update(parse_settings(settings))
    options = CensusOptions(
        topic=topic,
        bootstrap_servers=bootstrap_servers,
        start=Start.parse(start),
        max_messages=max_messages,
        duration_s=duration,
        group=group,
        kafka_config=config,
        verify_sample=sample if verify else None,
        connect_timeout_s=connect_timeout,
    )
    ids: IdSource
    if registry.requested:
        ids = RegistryIds(registry.settings())
        environment = None
    else:
        ids = LockIds(catalog_dir, registry.env)
        environment = registry.env
    target = out or report_path(catalog_dir, topic, environment)
    secrets = secrets_of(config)
    try:
        report = run_census(
            options, ids, progress=_progress_printer(topic), progress_every_s=_progress_every()
        )
    except KafkaUnreachable as exc:
        click.echo(f"contracts: {redact(str(exc), secrets)}", err=True)
        sys.exit(ExitCode.REGISTRY)
    finally:
        ids.close()
    _write(target, report.to_json())
    if output_format == "json":
        click.echo(report.to_json(), nl=False)
    else:
        from devicecontracts.census.table import format_report

        click.echo(format_report(report))
        click.echo(f"\nreport written to {target}")
    if report.verification is not None and report.verification.failures:
        sys.exit(ExitCode.FINDINGS)


@census.command("merge", epilog=EXIT_CODES_HELP)
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the merged report (default: only print it).",
)
@format_option(("text", "json"))
@user_errors
def merge_command(reports: tuple[Path, ...], out: Path | None, output_format: str) -> None:
    """Combine the reports of census processes that shared a --group (or read different
    offsets) into one, exactly: counts summed, a partition read by two reports joined only
    when their offsets do not overlap."""
    from devicecontracts.catalog.census import merge, read_report

    merged = merge([read_report(path) for path in reports])
    if out is not None:
        _write(out, merged.to_json())
    if output_format == "json":
        click.echo(merged.to_json(), nl=False)
    else:
        from devicecontracts.census.table import format_report

        click.echo(format_report(merged))
        if out is not None:
            click.echo(f"\nreport written to {out}")


def _progress_every() -> float:
    return 1.0 if sys.stderr.isatty() else PROGRESS_EVERY_S


def _progress_printer(topic: str) -> Any:
    tty = sys.stderr.isatty()

    def show(p: Progress) -> None:
        rate = p.records / p.elapsed_s if p.elapsed_s > 0 else 0.0
        line = (
            f"contracts census {topic}: {p.records:,} records, {rate:,.0f}/s, "
            f"{p.partitions_done}/{p.partitions} partitions at their end"
        )
        if tty:
            click.echo(f"\r{line}\x1b[K", err=True, nl=False)
        else:
            click.echo(line, err=True)

    return show


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, creating its folder; exit 2 when it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".census-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        click.echo(f"contracts: cannot write the census report {path}: {exc.strerror}", err=True)
        sys.exit(ExitCode.USAGE)
