"""afasgov is publishable: ``python -m build`` gives a wheel and an sdist that ``twine check`` accepts,
with the version from one place (``afasgov/__init__.py``) and everything the package reads at run time."""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import afasgov

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _tracked_copy(dest: Path) -> Path:
    """The repository's tracked files (what a clone has), so the build never sees local leftovers."""
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listing.returncode != 0:
        pytest.skip("not a git checkout: cannot tell tracked files from local ones")
    for name in listing.stdout.decode().split("\0"):
        if not name or not name.startswith(("afasgov/", "pyproject.toml", "README.md")):
            continue
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = _tracked_copy(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def test_build_gives_one_wheel_and_one_sdist_named_after_the_version(dist: Path) -> None:
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"afasgov-{afasgov.__version__}-py3-none-any.whl", f"afasgov-{afasgov.__version__}.tar.gz"]


def test_twine_check_accepts_both(dist: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_wheel_metadata_and_contents(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"afasgov-{afasgov.__version__}.dist-info"
        meta = email.message_from_bytes(zf.read(f"{info}/METADATA"))
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    assert meta["Version"] == afasgov.__version__
    assert meta["Requires-Python"] == ">=3.11"
    assert "afasgov = afasgov.__main__:main" in entry_points
    # files the package reads at run time ship in the wheel
    for expected in ("afasgov/py.typed", "afasgov/catalogue/connectors.json"):
        assert expected in names, f"{expected} missing from the wheel"
    data_suffixes = {Path(n).suffix for n in names if n.startswith("afasgov/")}
    repo_suffixes = {p.suffix for p in (ROOT / "afasgov").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert repo_suffixes - {".pyc"} <= data_suffixes, "some kind of package file is left out of the wheel"
    assert not any(n.startswith(("tests/", "definitions/", "reports/")) for n in names)


def test_sdist_builds_the_same_version(dist: Path) -> None:
    sdist = next(dist.glob("*.tar.gz"))
    with tarfile.open(sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
        pkg_info = tf.extractfile(f"afasgov-{afasgov.__version__}/PKG-INFO")
        assert pkg_info is not None
        meta = email.message_from_bytes(pkg_info.read())
    assert meta["Version"] == afasgov.__version__
    assert {"pyproject.toml", "README.md", "afasgov/__init__.py", "afasgov/cli.py"} <= members


def test_the_version_is_written_in_one_place() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text
    assert "\nversion =" not in text.split("[tool.setuptools.dynamic]")[0], "a literal version in [project]"
    assert 'version = { attr = "afasgov.__version__" }' in text
