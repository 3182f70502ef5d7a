"""What a user reads from an output root: the terminal summary, show, export and the HTML report."""
