"""fediverse-node: a federated ActivityPub node for an association and its member organisations."""

# The one place of the version: the package metadata (pyproject.toml) and FEDINODE_VERSION read it.
__version__ = "0.2.0"
