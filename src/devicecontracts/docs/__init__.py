"""Documentation of a catalog: the static site and its exports (AsyncAPI)."""

__all__: list[str] = []
