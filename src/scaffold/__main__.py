"""``python -m scaffold`` runs the svcgen command line."""

from scaffold.cli import entrypoint

entrypoint()
