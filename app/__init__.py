"""The command-line app and its views: the top layer, above the flows."""
