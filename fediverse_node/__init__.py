"""fediverse-node: a federated ActivityPub node for an association and its member organisations."""
