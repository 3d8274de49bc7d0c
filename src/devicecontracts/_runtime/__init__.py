"""The machinery behind the runtime faces (``serde``, ``lambda_events``, ``bridge``).

``wire`` frames and unframes Confluent's wire format, ``plans`` turns a writer schema and a
reader model into a read plan (bounded: linear in the input, decimals included),
``diagnose`` turns a failed read into a typed `DecodeError`, ``lookup`` finds the writer schema
for an id (process cache, then the lock packaged with the models, then the registry), and
``registry_source`` asks Schema Registry, importing confluent-kafka only then, and ``rules``
runs a version's data-contract rules and migrations, imported only when rules are enabled.

May import: ``errors``, ``types``, ``record``, ``catalog.lock`` (reading only),
``registry.settings`` and ``registry._errors`` (the registry settings and error map the CLI
uses too; standard library only) and, lazily, ``schema`` and ``datacontracts`` (rules on).
Never the rest of governance (``check``, the registry adapter, releases), the CLI or
``testing``: a Lambda imports this.
"""
