"""tools/package_functions.py: reproducible zips in Google's "package local dependencies" layout,
named by content hash, and a manifest that Terraform reads."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from tools import package_functions
from tools.package_functions import PackagingError, build

ROOT = package_functions.ROOT
FUNCTIONS = package_functions.function_names()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def archives(manifest_dir: Path) -> dict[str, str]:
    manifest = json.loads((manifest_dir / "manifest.json").read_text())
    return {name: entry["archive"] for name, entry in manifest["functions"].items()}


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    """The packager's inputs copied elsewhere, with other timestamps, modes and litter."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "functions", root / "functions", ignore=ignore)
    shutil.copytree(
        ROOT / "src" / "licence_manager", root / "src" / "licence_manager", ignore=ignore
    )
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (2_000_000_000, 2_000_000_000))
            path.chmod(0o755)
    litter = root / "src" / "licence_manager" / "__pycache__"
    litter.mkdir()
    (litter / "config.cpython-311.pyc").write_bytes(b"\x00compiled")
    (root / "functions" / "api" / "__pycache__").mkdir()
    (root / "functions" / "api" / "__pycache__" / "main.cpython-311.pyc").write_bytes(b"\x00")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundles")
    build(out)
    return out


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    build(tmp_path)
    assert snapshot(tmp_path) == snapshot(built)


def test_timestamps_modes_and_bytecode_do_not_change_the_bytes(
    built: Path, source_copy: Path, tmp_path: Path
) -> None:
    build(tmp_path / "out", root=source_copy)
    assert snapshot(tmp_path / "out") == snapshot(built)


def test_a_rebuild_replaces_the_previous_zips(
    built: Path, source_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(out, root=source_copy)
    (source_copy / "functions" / "api" / "main.py").write_text(
        (source_copy / "functions" / "api" / "main.py").read_text() + "# changed\n"
    )
    build(out, root=source_copy)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["manifest.json", *archives(out).values()]
    )


def test_each_zip_is_named_by_the_hash_of_its_bytes(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    assert sorted(manifest["functions"]) == FUNCTIONS
    assert manifest["runtime"] == "python311"
    for name, entry in manifest["functions"].items():
        digest = hashlib.sha256((built / entry["archive"]).read_bytes()).hexdigest()
        assert entry["sha256"] == digest
        assert entry["archive"] == f"{name}-{digest[:16]}.zip"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_zip_holds_main_requirements_and_the_shared_package(built: Path, name: str) -> None:
    with zipfile.ZipFile(built / archives(built)[name]) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
        assert archive.read("main.py") == (ROOT / "functions" / name / "main.py").read_bytes()
        assert (
            archive.read("requirements.txt")
            == (ROOT / "functions" / name / "requirements.txt").read_bytes()
        )
    shared = ROOT / "src" / "licence_manager"
    expected = {
        f"licence_manager/{p.relative_to(shared).as_posix()}"
        for p in shared.rglob("*.py")
        if "__pycache__" not in p.parts
        and p.relative_to(shared).parts[0] not in package_functions.EXCLUDED_FROM_BUNDLES
    }
    assert set(names) == {"main.py", "requirements.txt"} | expected
    assert not [n for n in names if "licence_manager_local" in n or "__pycache__" in n]
    # Operator tooling stays out: a CLI change redeploys nothing.
    assert "licence_manager/cli.py" not in names
    assert not [n for n in names if n.startswith("licence_manager/ops/")]


def test_the_manifest_records_entry_points_and_signatures_from_main(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text())["functions"]
    assert {n: (e["entry_point"], e["signature_type"]) for n, e in manifest.items()} == {
        "api": ("api", "http"),
        "apply_topup": ("apply_topup", "cloudevent"),
        "evaluate_thresholds": ("evaluate_thresholds", "cloudevent"),
        "send_alerts": ("send_alerts", "cloudevent"),
        "sync_usage": ("sync_usage", "cloudevent"),
        "sweep_requests": ("sweep_requests", "cloudevent"),
        "sync_holders": ("sync_holders", "cloudevent"),
        "react_to_reseller_events": ("react_to_reseller_events", "cloudevent"),
        "verify_audit": ("verify_audit", "cloudevent"),
    }


def test_only_the_changed_function_gets_a_new_name(
    built: Path, source_copy: Path, tmp_path: Path
) -> None:
    before = archives(built)

    main = source_copy / "functions" / "send_alerts" / "main.py"
    main.write_text(main.read_text() + "\n# a change to send_alerts only\n")
    build(tmp_path / "one", root=source_copy)
    after = archives(tmp_path / "one")
    assert {n for n in FUNCTIONS if after[n] != before[n]} == {"send_alerts"}

    (source_copy / "src" / "licence_manager" / "cli.py").write_text("# operator tooling\n")
    build(tmp_path / "cli", root=source_copy)
    assert archives(tmp_path / "cli") == after

    config = source_copy / "src" / "licence_manager" / "config.py"
    config.write_text(config.read_text() + "\n# shared by every function\n")
    build(tmp_path / "all", root=source_copy)
    changed = archives(tmp_path / "all")
    assert all(changed[n] != after[n] for n in FUNCTIONS)


def test_a_module_beside_main_is_refused(source_copy: Path, tmp_path: Path) -> None:
    (source_copy / "functions" / "api" / "helpers.py").write_text("X = 1\n")
    with pytest.raises(PackagingError, match=r"functions/api/ may hold only .*helpers\.py"):
        build(tmp_path, root=source_copy)


def test_a_main_without_its_decorated_function_is_refused(
    source_copy: Path, tmp_path: Path
) -> None:
    main = source_copy / "functions" / "api" / "main.py"
    main.write_text(main.read_text().replace("@functions_framework.http\n", ""))
    undecorated = re.escape("no @functions_framework.http or .cloud_event decorator")
    with pytest.raises(PackagingError, match=undecorated):
        build(tmp_path, root=source_copy)
    main.write_text("def other():\n    pass\n")
    with pytest.raises(PackagingError, match="no top-level function named 'api'"):
        build(tmp_path, root=source_copy)


def test_the_command_line_builds_into_the_folder_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert package_functions.main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for name, archive in archives(tmp_path).items():
        assert name in printed and archive in printed
