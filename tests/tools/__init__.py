"""Tools beside the test-suite, not tests: the hostile-input generators and the soak run."""
