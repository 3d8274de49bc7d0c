"""devicecontracts: schema governance and contract testing for device messages on Kafka.

The package is split by audience, so each path imports only what it needs:

* runtime (Lambda consumers, bridges): ``devicecontracts.models`` and the serde; never imports
  click, hypothesis or the schema-registry client;
* governance: the ``contracts`` CLI (extra ``cli``) over the pure core: `schema` (parsing and
  validation), `compatibility`, `catalog`, `check`, `diff`, `lock`;
* testing (extra ``testing``): ``devicecontracts.testing``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
