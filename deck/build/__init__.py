"""Turning a talk into rendered slides: the scenes rendered in parallel, the slide cache,
the up-to-date checks, one build per folder. Importing this package imports nothing."""
