"""Segment stage: an article's text as typed segments, embedded tweets found from their
attributions."""
