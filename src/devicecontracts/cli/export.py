"""``contracts export``: the catalog for other tools, without building the site.

``contracts export asyncapi`` writes the AsyncAPI 3.0 document (JSON or YAML, with the lock's
schema ids of one environment when asked); ``contracts export backstage`` writes Backstage
``API`` entities as a ``catalog-info.yaml`` stream. Both write to a file or, with ``--out -``
(the default), to stdout, and need no YAML library.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from devicecontracts.cli._shared import EXIT_CODES_HELP, ExitCode, catalog_option, user_errors

if TYPE_CHECKING:
    from devicecontracts.catalog import Catalog

__all__ = ["asyncapi", "backstage", "export"]

_STDOUT = "-"


@click.group(name="export")
def export() -> None:
    """Export the catalog for other tools: an AsyncAPI 3.0 document, Backstage API entities."""


@export.command(name="asyncapi", epilog=EXIT_CODES_HELP)
@catalog_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default=_STDOUT,
    show_default=True,
    help="File to write (e.g. asyncapi.json or asyncapi.yaml); - writes to stdout.",
)
@click.option(
    "--env",
    "--environment",
    "environment",
    metavar="NAME",
    default=None,
    help="Add each released version's schema id in this lock environment (x-schema-id in the "
    "Kafka message binding); the lock must hold ids for it. Without it, no ids.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "yaml"]),
    default=None,
    help="json or yaml. Default: yaml when --out ends in .yaml or .yml, else json.",
)
@user_errors
def asyncapi(
    catalog_dir: Path, out: str, environment: str | None, output_format: str | None
) -> None:
    """Write the catalog's AsyncAPI 3.0 document: a channel per topic, a message per version
    with its Avro schema, Kafka bindings (schema id in the payload, the record key), the
    producers. It is the asyncapi.json `contracts docs` puts into the site.
    """
    from devicecontracts.docs.asyncapi import asyncapi_document, asyncapi_text

    catalog = _load(catalog_dir)
    if environment is not None:
        _require_environment(catalog, environment)
    if output_format is None:
        output_format = "yaml" if out.lower().endswith((".yaml", ".yml")) else "json"
    document = asyncapi_document(catalog, environment=environment)
    text = asyncapi_text(document, output_format)
    messages = sum(len(channel["messages"]) for channel in document["channels"].values())
    _emit(
        text,
        out,
        "the AsyncAPI document",
        f"AsyncAPI {document['asyncapi']}, {len(document['channels'])} channels, "
        f"{messages} messages"
        + (f", schema ids of {environment!r}" if environment is not None else ""),
    )


@export.command(name="backstage", epilog=EXIT_CODES_HELP)
@catalog_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default=_STDOUT,
    show_default=True,
    help="File to write (e.g. catalog-info.yaml); - writes to stdout.",
)
@click.option(
    "--definition",
    default="./asyncapi.json",
    show_default=True,
    help="Where Backstage reads the AsyncAPI document from: a URL, or a path relative to the "
    "catalog-info.yaml (each entity's spec.definition.$text).",
)
@click.option(
    "--owner",
    metavar="ENTITY",
    default=None,
    help="Owner of the contracts whose contract.toml declares none (a Backstage group or "
    "user); without it, such a contract is an error.",
)
@click.option("--system", metavar="ENTITY", default=None, help="Backstage system of the APIs.")
@user_errors
def backstage(
    catalog_dir: Path, out: str, definition: str, owner: str | None, system: str | None
) -> None:
    """Write Backstage API entities (apiVersion backstage.io/v1alpha1, kind API, spec.type
    asyncapi), one per message contract, as a catalog-info.yaml stream. Each names its owner,
    its lifecycle (production once released, else experimental) and the AsyncAPI document
    that defines it (`contracts export asyncapi` writes it).
    """
    from devicecontracts.docs.asyncapi import backstage_entities, backstage_yaml

    catalog = _load(catalog_dir)
    entities = backstage_entities(catalog, definition=definition, system=system, owner=owner)
    _emit(backstage_yaml(entities), out, "catalog-info.yaml", f"{len(entities)} API entities")


def _load(catalog_dir: Path) -> Catalog:
    """The catalog (exit 2 when it cannot be loaded), its load problems said on stderr."""
    from devicecontracts.catalog import load_catalog

    catalog = load_catalog(catalog_dir)
    for problem in catalog.problems:
        where = problem.location.file or problem.location.subject or ""
        click.echo(
            f"contracts export: warning: {where}{': ' if where else ''}{problem.message} "
            f"[{problem.rule}]",
            err=True,
        )
    return catalog


def _require_environment(catalog: Catalog, environment: str) -> None:
    """Exit 2 when the lock holds no schema id for ``environment``: a misspelt name would
    otherwise export a document without ids, silently."""
    known = sorted(
        {
            env
            for versions in catalog.lock.subjects.values()
            for e in versions.values()
            for env in e.ids
        }
    )
    if environment in known:
        return
    lock = catalog.lock.path
    have = (
        f"environments with ids: {', '.join(known)}"
        if known
        else "it holds no ids yet (contracts register --env NAME records them)"
    )
    click.echo(
        f"contracts: no schema ids for environment {environment!r} in {lock}; {have}", err=True
    )
    sys.exit(ExitCode.USAGE)


def _emit(text: str, out: str, what: str, summary: str) -> None:
    if out == _STDOUT:
        click.echo(text, nl=False)
        return
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"contracts: cannot write {what} to {out}: {exc.strerror or exc}", err=True)
        sys.exit(ExitCode.USAGE)
    click.echo(f"contracts export: wrote {out} ({summary})")
