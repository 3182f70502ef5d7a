"""The output store: the Parquet datasets, the writer's lock, and the check for damaged files."""
