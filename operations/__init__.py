"""Operating the node: the `fediverse-node` command line, its management commands, demo data, backup and restore,
and the doctor. Stands on top of everything (docs/architecture.md, import direction); nothing imports it."""
