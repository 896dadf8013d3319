"""Issue 13 item 18 (UX-1): the README's tour works as written, on any day. The test starts the real
`covernote serve --demo` on a free port with a temporary data directory, takes the README's ```sh blocks and
runs them in order with bash (`set -euo pipefail`): the curl tour against that server and the command-line
tour against the same database (COVERNOTE_DATABASE_URL and COVERNOTE_DATA_DIR). Any command that exits
non-zero fails it, and so does any HTTP answer of 400 or more unless the README's line says
`# expect NNN` and the answer is NNN. Placeholders are not allowed: the README captures every id it needs
from an earlier answer. The set-up blocks (those that `pip install`) are not run but checked against
`.ci/run`, so the README's set-up and test commands are the ones CI uses."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import free_port, wait_for_health

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
_EXPECT = re.compile(r"^(?P<command>.*?)#\s*expect (?P<status>[1-5][0-9][0-9])\b.*$", re.M)
# A placeholder for the reader to fill in (QUOTE_ID, FROM_THE_PLAN): capitals with an underscore, neither a
# shell variable's use ($QUOTE_ID) nor its assignment (QUOTE_ID=...).
_PLACEHOLDER = re.compile(r"(?<![$\w{])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w=])")
_FIXED_DATE = re.compile(r"\b(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}\b")

# A curl that fails on an HTTP error answer (the status it was told to expect, if any, is allowed) and
# prints the body as curl would.
CURL_GUARD = r'''
curl() {
  local status body
  body=$(command curl -sS -w '\n%{http_code}' "$@") || { echo "README: curl failed: curl $*" >&2; return 1; }
  status=${body##*$'\n'}
  body=${body%$'\n'*}
  [ -n "$body" ] && printf '%s\n' "$body"
  if [ -n "${CN_EXPECT:-}" ]; then
    [ "$status" = "$CN_EXPECT" ] || { echo "README: expected $CN_EXPECT, got $status: curl $*" >&2; return 1; }
  elif [ "$status" -ge 400 ]; then
    echo "README: HTTP $status not expected: curl $*" >&2; return 1
  fi
}
'''


def sh_blocks(text: str) -> list[str]:
    return _BLOCK.findall(text)


def setup_and_tour(text: str) -> tuple[list[str], list[str]]:
    """The set-up blocks (they install) and the tour's blocks, in order."""
    blocks = sh_blocks(text)
    return [b for b in blocks if "pip install" in b], [b for b in blocks if "pip install" not in b]


def as_script(tour: list[str]) -> str:
    """The tour as one bash script: each `# expect NNN` line runs its curl expecting that status."""
    body = "\n".join(_EXPECT.sub(lambda m: f"CN_EXPECT={m['status']} {m['command'].rstrip()}", b) for b in tour)
    return "set -euo pipefail\n" + CURL_GUARD + body


def _commands(line: str) -> list[str]:
    return [c.strip() for c in line.split("&&") if c.strip()]


def test_issue13_item18_readme_set_up_commands_are_the_ones_ci_runs():
    """Issue 13 item 18: the README's set-up blocks are not run here (they install), but each of their
    commands is CI's: the virtualenv, the editable install (of the test extra, as CI installs it, or the
    package alone) and the test command, as `.ci/run` runs them from a clean clone."""
    setup, tour = setup_and_tour(README.read_text(encoding="utf-8"))
    assert len(setup) == 2 and tour
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_lines = [ln.strip() for ln in ci.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    serve, tests = (_commands(b.strip()) for b in setup)
    assert serve[0] == tests[0] == "python3 -m venv .venv" and "python3 -m venv .venv" in ci_lines
    ci_install = next(shlex.split(ln) for ln in ci_lines if ".venv/bin/pip install" in ln)
    for install in (serve[1], tests[1]):
        words = shlex.split(install)
        assert words[:2] == [".venv/bin/pip", "install"] and words[-2:-1] == ["-e"]
        assert words[-1] in (".", ci_install[-1])
    assert shlex.split(tests[1])[-1] == ci_install[-1] == ".[test]"
    assert tests[2] == ".venv/bin/pytest" and ".venv/bin/pytest" in ci_lines
    assert serve[2] == ".venv/bin/covernote serve --demo"


def test_issue13_item18_readme_has_no_placeholders_left():
    """Issue 13 item 18: every id the tour uses comes from an earlier answer (a shell variable), not a
    placeholder for the reader to fill in; and no fixed date that stops working some day."""
    _, tour = setup_and_tour(README.read_text(encoding="utf-8"))
    code = "\n".join(ln.split("  #", 1)[0] for b in tour for ln in b.splitlines() if not ln.lstrip().startswith("#"))
    assert _PLACEHOLDER.findall(code) == []
    # Dates the tour sends are worked out from today; only the drivers' birth and licence dates are fixed.
    assert set(_FIXED_DATE.findall(code)) == {"1984-03-04", "2003-06-01"}


@pytest.mark.slow
def test_issue13_item18_readme_tour_runs_against_a_demo_server(tmp_path: Path):
    """Issue 13 item 18 (UX-1): the curl tour and the command-line tour run as written against a fresh
    `covernote serve --demo`, today, with no error answer the README does not expect."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERNOTE_")} | {
        "COVERNOTE_DATA_DIR": str(tmp_path / "var"),
        "COVERNOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}",
        "COVERNOTE_PRODUCTS_DIR": str(ROOT / "products"),
        "CN": f"127.0.0.1:{port}",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    # The README calls .venv/bin/covernote from where it runs: this interpreter's.
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(bin_dir)
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([str(bin_dir / "covernote"), "serve", "--demo", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            cwd=tmp_path, start_new_session=True)
    try:
        wait_for_health(proc, port, tmp_path / "serve.log", seconds=120, every=0.2)
        _, tour = setup_and_tour(README.read_text(encoding="utf-8"))
        script = tmp_path / "tour.sh"
        script.write_text(as_script(tour), encoding="utf-8")
        run = subprocess.run(["bash", str(script)], env=env, cwd=tmp_path, capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 0, f"exit {run.returncode}\n--- stderr\n{run.stderr[-6000:]}\n--- stdout\n" \
                                    f"{run.stdout[-3000:]}"
        assert "README:" not in run.stderr, run.stderr[-6000:]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
        log.close()
    for made in ("letter.html", "my-data.html", "co2.html", "ncd.html", "package.html"):
        assert (tmp_path / made).stat().st_size > 0, made
