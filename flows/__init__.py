"""bilingual: English news articles with embedded Spanish tweets → bilingual Parquet, offline."""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
