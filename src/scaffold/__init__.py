"""svcgen: generate production-ready Python microservices from one copier template."""

__version__ = "0.2.0"
