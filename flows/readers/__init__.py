"""Reading inputs: every input file, row or page as an Article or a Reject."""
