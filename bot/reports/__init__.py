"""Anonymous engagement and outcome reports for programme staff."""
