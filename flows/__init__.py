"""bilingual: English news articles with embedded Spanish tweets → bilingual Parquet, offline."""

from importlib.metadata import version

# One source: the package metadata (pyproject.toml's `version`). Bumped, with an entry in
# CHANGELOG.md, whenever a change alters the rows a run writes.
__version__ = version("bilingual")
PIPELINE_VERSION = __version__
