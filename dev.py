"""Set-up and tasks: `python3 dev.py demo` runs the demo, `python3 dev.py test` every test.

Each task creates .venv (if missing), installs this project with the extras it needs
(again whenever pyproject.toml changes), then runs inside that environment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

EXTRAS = {
    "demo": "viz,progress,plot,fast,check",
    "test": "viz,progress,plot,fast,test",
}


def run(*command: str | Path) -> None:
    """Run a command from the project root, stopping the task if it fails."""
    print("+", " ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(result.returncode)


def _has_pip() -> bool:
    """True if .venv exists and its pip works (a half-made .venv has no pip)."""
    if not PYTHON.exists():
        return False
    check = subprocess.run([str(PYTHON), "-m", "pip", "--version"], capture_output=True)
    return check.returncode == 0


def create_environment() -> None:
    """Create .venv with pip; on failure remove what was made and say what to install."""
    print(f"creating {VENV}", flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(VENV, ignore_errors=True)
        sys.exit(
            f"could not create {VENV} ({error}). On Debian or Ubuntu install the venv module "
            "first: sudo apt-get install python3-venv"
        )


def ensure_environment(extras: str) -> None:
    """Create .venv and install the project with the given extras, unless already done."""
    if not _has_pip():
        create_environment()
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
