"""Prompts in a real terminal: svcgen runs on a pseudo-terminal and is answered by keystrokes."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ENTER, DOWN, CTRL_C = b"\r", b"\x1b[B", b"\x03"


class Terminal:
    """svcgen on a pty; ``expect`` waits for text on the screen, ``send`` types."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scaffold", *args],
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.screen = b""

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):
                self.screen += os.read(self.master, 65536)

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.screen:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} never appeared:\n{self.screen.decode(errors='replace')}"
                )
            self._read(0.1)
        self.screen = self.screen[self.screen.index(text.encode()) + len(text) :]

    def send(self, keys: bytes) -> None:
        time.sleep(0.2)  # let prompt_toolkit draw before typing
        os.write(self.master, keys)

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        code = self.process.wait(timeout=1)
        os.close(self.master)
        return code


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_prompts_ask_every_question_with_defaults(tmp_path: Path) -> None:
    term = Terminal(["new", "shop", "--no-git"], tmp_path)
    term.expect("One-line description")
    term.send(ENTER)  # default description
    term.expect("Author or owning team")
    term.send(b"Team Shop" + ENTER)
    term.expect("Contact e-mail")
    term.send(b"not-an-address")
    term.expect("not valid")  # the validator from copier.yml, as you type
    term.send(b"\x7f" * 14 + b"shop@example.org" + ENTER)
    term.expect("Web framework")
    term.send(DOWN + ENTER)  # the second choice: flask
    term.expect("Database")
    term.send(DOWN + ENTER)  # postgres
    term.expect("Prometheus")
    term.send(b"n")
    term.expect("OpenTelemetry")
    term.send(b"n")
    term.expect("Python version")
    term.send(ENTER)
    assert term.wait() == 0, term.screen.decode(errors="replace")
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert answers["db"] == "postgres"
    assert answers["metrics"] is False
    assert answers["tracing"] is False
    assert answers["author_name"] == "Team Shop"
    assert answers["author_email"] == "shop@example.org"
    assert answers["description"] == "The shop service"


def test_defaults_flag_asks_only_what_has_no_default(tmp_path: Path) -> None:
    term = Terminal(["new", "shop", "--defaults", "--no-git"], tmp_path)
    term.expect("Web framework")
    term.send(ENTER)
    assert term.wait() == 0, term.screen.decode(errors="replace")
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "fastapi"
    assert answers["db"] == "none"


def test_ctrl_c_at_a_prompt_writes_nothing(tmp_path: Path) -> None:
    term = Terminal(["new", "shop"], tmp_path)
    term.expect("One-line description")
    term.send(CTRL_C)
    assert term.wait() == 130
    assert b"nothing was written" in term.screen
    assert list(tmp_path.iterdir()) == []
