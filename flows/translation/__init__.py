"""Translate and align stages: each distinct pending sentence sent once to an engine,
entities kept, and every source sentence paired with its translation."""
