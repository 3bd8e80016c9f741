"""Awkward answers for the render tests.

Answers end up inside generated code: a 50-character name in an import line, a description
with quotes, backslashes and braces in a docstring, TOML and YAML, a non-default Python.
"""

LONG_NAME = "a-very-long-service-name-for-checking-line-lengths"  # 50 characters, the maximum
TRICKY_DESCRIPTION = (
    'Prices "quoted" and \\back\\slashed, {{ not jinja }}, émigré café, and '
    "'single' quotes; long enough to wrap any line it lands in" + "." * 40
)
AUTHOR = 'Ada "The Countess" Lovelace'
#: Not the default, so that a test can tell it reached the files that name it.
PYTHON = "3.13"
