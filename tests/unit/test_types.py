"""mypy over src/: the adapters keep to the ports they implement (UnitOfWork, repositories, payment
gateway), and the domain's signatures hold."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_type_errors_in_src():
    exe = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    assert exe, "mypy is not installed: pip install -e '.[test]'"
    result = subprocess.run([exe, "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
