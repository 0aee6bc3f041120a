"""Build each Cloud Function's source zip reproducibly, named by its content hash.

Each function deploys as its own folder in Google's "package local dependencies" layout:

    main.py             functions/<name>/main.py
    requirements.txt    functions/<name>/requirements.txt
    licence_manager/    a copy of src/licence_manager (never licence_manager_local)

The zip is the same bytes for the same inputs on any machine: entries sorted, one fixed timestamp,
mode 0644 for every file, no directory entries, no __pycache__, and stored rather than deflated (so
the bytes do not depend on the zlib build that compressed them). Its name carries the first 16 hex
digits of its SHA-256, so Terraform uploads a new object, and redeploys a function, only when that
function's bytes changed. A manifest (manifest.json) lists every bundle with its entry point and
signature type, read from main.py; infra/terraform reads it with jsondecode(file(...)).

    python tools/package_functions.py [--out build/functions]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import stat
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path("build") / "functions"
SHARED_PACKAGE = "licence_manager"
# Operator tooling inside the shared package that no function imports: left out of the zips so
# that a change to the CLI redeploys nothing.
EXCLUDED_FROM_BUNDLES = frozenset({"cli.py", "ops"})
FUNCTION_FILES = ("main.py", "requirements.txt")
# Beside them but not deployed: the direct dependencies requirements.txt is locked from
# (tools/lock_functions.py).
SOURCE_ONLY = ("requirements.in",)
IGNORED_NAMES = frozenset({"__pycache__", ".DS_Store"})
IGNORED_SUFFIXES = (".pyc", ".pyo")
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can record
FILE_MODE = stat.S_IFREG | 0o644
HASH_CHARS = 16
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
RUNTIME = "python311"  # Cloud Functions runtime id for the Python that pyproject.toml requires
SIGNATURES = {"http": "http", "cloud_event": "cloudevent"}  # functions_framework decorator → type


class PackagingError(Exception):
    """A function folder is not in the shape Cloud Functions and this tool expect."""


@dataclass(frozen=True)
class Bundle:
    name: str
    archive: Path
    sha256: str
    entry_point: str
    signature_type: str
    files: tuple[str, ...]

    def manifest_entry(self) -> dict[str, object]:
        return {
            "archive": self.archive.name,
            "sha256": self.sha256,
            "entry_point": self.entry_point,
            "signature_type": self.signature_type,
            "files": len(self.files),
        }


def function_names(root: Path = ROOT) -> list[str]:
    """Every folder under functions/ with a main.py, in name order."""
    return sorted(p.parent.name for p in (root / "functions").glob("*/main.py"))


def entry_point(main_py: Path, name: str) -> tuple[str, str]:
    """The function main.py defines under the folder's name, and its signature type, from the
    functions_framework decorator on it (`@functions_framework.http` or `.cloud_event`)."""
    tree = ast.parse(main_py.read_text(encoding="utf-8"), filename=str(main_py))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "functions_framework"
                    and target.attr in SIGNATURES
                ):
                    return node.name, SIGNATURES[target.attr]
            raise PackagingError(
                f"{main_py}: {name}() has no @functions_framework.http or .cloud_event decorator"
            )
    raise PackagingError(f"{main_py}: defines no top-level function named {name!r}")


def _ignored(path: Path) -> bool:
    return bool(IGNORED_NAMES.intersection(path.parts)) or path.name.endswith(IGNORED_SUFFIXES)


def bundle_files(name: str, root: Path = ROOT) -> list[tuple[str, Path]]:
    """(name in the zip, file on disk) for one function, sorted by name in the zip."""
    folder = root / "functions" / name
    unexpected = sorted(
        relative.as_posix()
        for relative in (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
        if not _ignored(relative)
        and relative.as_posix() not in FUNCTION_FILES
        and relative.as_posix() not in SOURCE_ONLY
    )
    if unexpected:
        # functions-framework loads every main.py as module `main`; anything beside it belongs in
        # the shared package, where every function gets the same copy.
        raise PackagingError(
            f"functions/{name}/ may hold only {', '.join(FUNCTION_FILES)}; found {unexpected}"
        )
    entries = []
    for file_name in FUNCTION_FILES:
        path = folder / file_name
        if not path.is_file():
            raise PackagingError(f"functions/{name}/{file_name} is missing")
        entries.append((file_name, path))
    shared = root / "src" / SHARED_PACKAGE
    for path in shared.rglob("*"):
        relative = path.relative_to(shared)
        if not path.is_file() or _ignored(relative) or relative.parts[0] in EXCLUDED_FROM_BUNDLES:
            continue
        entries.append((f"{SHARED_PACKAGE}/{relative.as_posix()}", path))
    return sorted(entries)


def write_zip(entries: Iterable[tuple[str, Path]], target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for arcname, path in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=FIXED_DATE_TIME)
            info.create_system = 3  # Unix, so that external_attr carries the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, path.read_bytes())


def build_bundle(name: str, out: Path, root: Path = ROOT) -> Bundle:
    entry, signature = entry_point(root / "functions" / name / "main.py", name)
    entries = bundle_files(name, root)
    staging = out / f".{name}.zip.tmp"
    write_zip(entries, staging)
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()
    archive = out / f"{name}-{digest[:HASH_CHARS]}.zip"
    staging.replace(archive)
    return Bundle(name, archive, digest, entry, signature, tuple(a for a, _ in entries))


def build(out: Path, root: Path = ROOT) -> list[Bundle]:
    """Build every function's zip and the manifest into `out`, replacing an earlier build."""
    names = function_names(root)
    if not names:
        raise PackagingError(f"no functions/*/main.py under {root}")
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.zip"), *out.glob(".*.zip.tmp"), out / MANIFEST]:
        stale.unlink(missing_ok=True)
    bundles = [build_bundle(name, out, root) for name in names]
    manifest = {
        "version": MANIFEST_VERSION,
        "runtime": RUNTIME,
        "functions": {b.name: b.manifest_entry() for b in bundles},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return bundles


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    try:
        bundles = build(args.out)
    except PackagingError as error:
        print(f"package_functions: {error}", file=sys.stderr)
        return 1
    for bundle in bundles:
        print(f"{bundle.name:<20} {bundle.signature_type:<10} {bundle.archive}")
    print(f"manifest: {args.out / MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
