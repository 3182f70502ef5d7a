"""Detect stage: the language of every text by one fitted, calibrated model with langdetect
at its core."""
