"""`make bench`: a realistic corpus of any size, and timings of the pipeline on it."""
