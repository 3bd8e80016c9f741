"""The service every render test reads: one per framework x db x metrics x tracing, rendered once.

The render tests share the awkward answers of :mod:`tests.render.answers` and the session's
:func:`~tests.conftest.rendered_service` cache, so each combination is rendered once however
many modules check it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Render
from tests.render.answers import AUTHOR, LONG_NAME, PYTHON, TRICKY_DESCRIPTION


@pytest.fixture(scope="session")
def awkward(rendered_service: Render) -> Callable[..., Path]:
    """The service for (framework, db, metrics, tracing) with the awkward answers above."""

    def render(framework: str, db: str, metrics: bool = True, tracing: bool = True) -> Path:
        return rendered_service(
            LONG_NAME,
            framework=framework,
            db=db,
            metrics=metrics,
            tracing=tracing,
            description=TRICKY_DESCRIPTION,
            author_name=AUTHOR,
            author_email="ada@example.org",
            python_version=PYTHON,
        )

    return render
