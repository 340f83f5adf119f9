"""The benchmarks' own virtual environment: peers from the package index plus this project.

The peers are never dependencies of the package; they live only in benchmarks/.venv.
torch is pinned to the CPU build that lies on this kind of machine: an unpinned `torch`
would download a CUDA build of several GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benchmarks" / ".venv"
PEERS = ("micrograd==0.1.0", "torch==2.13.0")
"""Peer engines installed from the package index, pinned."""
PROJECT_EXTRAS = "[fast]"
"""numpy, for this engine's batched replay."""

_STAMP = VENV / "gradledger-benchmarks.json"


def venv_python() -> Path:
    """Path of the benchmark environment's interpreter."""
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def ensure_environment() -> Path:
    """Create benchmarks/.venv and install the peers and this project (once); return python."""
    python = venv_python()
    wanted = {"peers": list(PEERS), "project": str(ROOT) + PROJECT_EXTRAS}
    if python.exists() and _STAMP.exists() and json.loads(_STAMP.read_text()) == wanted:
        return python
    if not python.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print(f"installing {', '.join(PEERS)} and this project (pip install -e .{PROJECT_EXTRAS}) "
          "...", flush=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    for what in (list(PEERS), ["-e", str(ROOT) + PROJECT_EXTRAS]):
        if subprocess.run([*pip, *what]).returncode != 0:
            raise SystemExit(f"could not install {' '.join(what)} into {VENV} (see pip's "
                             "message above); use --python to run with an existing interpreter")
    _STAMP.write_text(json.dumps(wanted))
    return python
