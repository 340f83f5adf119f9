"""Set-up and tasks: `python3 dev.py demo` runs the demo, `python3 dev.py test` every test.

Each task creates .venv (if missing), installs this project with the extras it needs
(again whenever pyproject.toml changes), then runs inside that environment.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

EXTRAS = {
    "demo": "viz,progress,plot",
    "test": "viz,progress,plot,fast,test",
}


def run(*command: str | Path) -> None:
    """Run a command from the project root, stopping the task if it fails."""
    print("+", " ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment(extras: str) -> None:
    """Create .venv and install the project with the given extras, unless already done."""
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(fingerprint)


def demo() -> None:
    ensure_environment(EXTRAS["demo"])
    run(PYTHON, "-m", "examples.demo")


def test() -> None:
    ensure_environment(EXTRAS["test"])
    run(PYTHON, "-m", "ruff", "check", ".")
    run(PYTHON, "-m", "pytest", *sys.argv[2:])


TASKS = {"demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(TASKS)}}} [pytest arguments]")
    TASKS[sys.argv[1]]()
