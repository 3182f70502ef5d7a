"""Text primitives the stages share: sentence splitting and Twitter entities, offsets kept."""
