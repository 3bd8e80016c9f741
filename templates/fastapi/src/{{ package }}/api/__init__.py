"""The HTTP endpoints, one module per group; :mod:`..app` puts them together."""
