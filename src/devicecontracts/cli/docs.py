"""``contracts docs``: the catalog as a static, self-contained HTML site."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from devicecontracts.cli._shared import EXIT_CODES_HELP, ExitCode, catalog_option, user_errors
from devicecontracts.errors import CatalogError

if TYPE_CHECKING:
    from devicecontracts.catalog import Catalog
    from devicecontracts.catalog.census import CensusReport
    from devicecontracts.docs.examples import Examples

__all__ = ["PROGRESS_EVERY", "docs"]

PROGRESS_EVERY = 50
"""A progress line on stderr every this many contracts, on catalogs larger than it."""


@click.command(epilog=EXIT_CODES_HELP)
@catalog_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder the site is written into: new, empty, or written by an earlier build "
    "(only files it wrote are replaced or removed).",
)
@user_errors
def docs(catalog_dir: Path, out: Path) -> None:
    """Build a browsable site of the catalog: a page per contract with its fields, versions,
    an example message per version, diffs and compatibility matrix, and a searchable index. It
    works from file:// and any static host; a rebuild is byte-identical. Examples are drawn
    when the testing extra (hypothesis) is installed.
    """
    from devicecontracts.catalog import load_catalog
    from devicecontracts.docs.site import MANIFEST, build_site

    catalog = load_catalog(catalog_dir)  # a catalog that cannot be loaded: exit 2
    # Problems loading leaves a catalog that can still be shown (a stray file, a version gap):
    # said, not fatal; the pages show invalid versions as such.
    for problem in catalog.problems:
        where = problem.location.file or problem.location.subject or ""
        click.echo(
            f"contracts docs: warning: {where}{': ' if where else ''}{problem.message} "
            f"[{problem.rule}]",
            err=True,
        )
    if out.exists() and not out.is_dir():
        click.echo(f"contracts: the out path {out} is a file, not a folder", err=True)
        sys.exit(ExitCode.USAGE)

    def progress(done: int, total: int) -> None:
        if total > PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == total):
            click.echo(f"contracts docs: {done}/{total} contracts", err=True)

    examples = _examples(catalog)
    written = build_site(
        catalog, out, progress=progress, examples=examples, census=_census(catalog)
    )
    pages = sum(1 for p in written if p.suffix == ".html")
    click.echo(
        f"contracts docs: wrote {len(written)} files ({pages} pages) into {out} "
        f"(its own files are listed in {out / MANIFEST})"
    )
    click.echo(f"open {out / 'index.html'}")


def _census(catalog: Catalog) -> tuple[CensusReport, ...]:
    """The catalog's census reports (``census/<env>/<topic>.json``); none, said on stderr,
    when one cannot be read: the site is still built, without the "On the wire" tables."""
    from devicecontracts.catalog.census import read_census

    try:
        return read_census(catalog.root)
    except CatalogError as exc:
        click.echo(f"contracts docs: warning: census not shown: {exc}", err=True)
        return ()


def _examples(catalog: Catalog) -> Examples | None:
    """Each parsed version's example message, drawn by the testing extra; None without it
    (said once on stderr: the pages say no examples were generated)."""
    try:
        from devicecontracts.testing._doc_examples import doc_examples
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] != "hypothesis":
            raise
        click.echo(
            "contracts docs: no examples: drawing them needs devicecontracts[testing] "
            "(hypothesis is not installed)",
            err=True,
        )
        return None

    def progress(done: int, total: int) -> None:
        if total > PROGRESS_EVERY and (done % PROGRESS_EVERY == 0 or done == total):
            click.echo(f"contracts docs: examples of {done}/{total} contracts", err=True)

    drawn = doc_examples(catalog, progress=progress)
    for problem in drawn.problems:
        click.echo(f"contracts docs: warning: {problem}", err=True)
    return drawn.examples
