"""The compatibility engine's historical import path.

The engine lives in :mod:`devicecontracts.schema.compatibility`, beside the parsed form it
works on; this module re-exports its public names so ``from devicecontracts.compatibility
import check_compatibility`` keeps working.
"""

from devicecontracts.schema.compatibility import *  # noqa: F403
from devicecontracts.schema.compatibility import __all__  # noqa: F401
