"""``python -m devicecontracts`` and the ``contracts`` console script.

The CLI needs click (the ``cli`` extra); without it, say how to get it instead of a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the ``contracts`` command line."""
    try:
        from devicecontracts.cli import main as cli_main
    except ModuleNotFoundError as exc:
        if exc.name != "click":
            raise
        sys.stderr.write(
            "contracts: the command line needs click: pip install 'devicecontracts[cli]'\n"
        )
        sys.exit(2)
    cli_main()


if __name__ == "__main__":
    main()
