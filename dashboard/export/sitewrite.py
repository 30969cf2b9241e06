"""Putting a static site in place: never through a symlink, never half, never over others' files.

A new site is built in a sibling folder of the site. Files that did not change since the last
export are hard links of the old ones (so they are not rewritten); the user's own files in
the site are carried over the same way. The new folder is then exchanged with the old one in
a single step (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, with the old site
put back by the next export if a kill falls between them), and the old one is deleted. A kill
at any moment leaves either the old or the new site complete.

Nothing is ever opened through a symlink found inside the site: a file or folder of the old
site that is a symlink is neither linked, copied, followed nor written; the new site has its
own real files in their places.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from dashboard import __version__
from dashboard.export.base import ExportError, write_atomic
from dashboard.load import SUFFIXES, inside

MANIFEST = ".clinical-course-site.json"
NEW_MARK = ".clinical-course-new-"
OLD_MARK = ".clinical-course-old-"
_RENAME_EXCHANGE = 2


@dataclass
class Previous:
    """What the last export left: its files, and what it noted about each case."""

    files: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


def sibling(site: Path, mark: str) -> str:
    """The name prefix of a working folder beside the site."""
    return f".{site.name}{mark}"


def check_target(source: Path, site: Path) -> Previous:
    """Refuse a place the site must not go; what a previous export left there."""
    recover(site)
    here, cases = site.resolve(), source.resolve()
    if site.is_symlink():
        raise ExportError(
            f"{site} is a symbolic link; give the real folder, export does not write through links"
        )
    if here == cases:
        raise ExportError(
            f"refusing to write the site into the case folder {source} itself; "
            "give the site a folder of its own, such as site/"
        )
    if inside(cases, here):
        raise ExportError(
            f"refusing to write the site into {site}, which holds the case folder {source}; "
            "give the site a folder of its own, such as site/"
        )
    if not site.exists():
        return Previous()
    if not site.is_dir():
        raise ExportError(f"{site} is a file; give the site a folder of its own")
    entries = list(site.iterdir())
    if any(entry.suffix.lower() in SUFFIXES for entry in entries):
        raise ExportError(
            f"{site} holds case files (*.yaml); refusing to write a site into a case folder"
        )
    manifest = site / MANIFEST
    if manifest.is_symlink() or not manifest.is_file():
        if entries:
            raise ExportError(
                f"{site} is not empty and was not made by clinical-course export "
                f"(it has no {MANIFEST}); choose a new or empty folder"
            )
        return Previous()
    return read_manifest(manifest)


def read_manifest(manifest: Path) -> Previous:
    """The files and notes of a previous export, checked."""
    try:
        data = json.loads(manifest.read_text("utf-8"))
        files = data["files"]
        notes = data.get("notes", {})
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            raise TypeError(files)
        if not isinstance(notes, dict):
            raise TypeError(notes)
    except (OSError, ValueError, KeyError, TypeError):
        raise ExportError(
            f"{manifest} is damaged; delete the site folder {manifest.parent} and export again"
        ) from None
    return Previous([name for name in files if is_inside(name)], notes)


def is_inside(name: str) -> bool:
    """A manifest entry that names a file inside the site (never `..`, never absolute)."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and ":" not in name
        and name != MANIFEST
    )


def recover(site: Path) -> None:
    """Finish what a killed export left: put an old site back if the new one never arrived,
    and delete working folders beside the site."""
    parent = site.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(sibling(site, OLD_MARK) + "*"))
    if not site.exists() and not site.is_symlink() and olds:
        os.rename(olds[-1], site)  # the kill fell between the two renames of the fallback
        olds = olds[:-1]
    for leftover in [*olds, *parent.glob(sibling(site, NEW_MARK) + "*")]:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def own_files(site: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every regular file of the site reached without passing through a symlink, by name."""
    folders = [("", os.fspath(site))]
    while folders:
        prefix, folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # a folder that cannot be listed holds nothing of ours
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append((name + "/", entry.path))
                continue
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                yield name, info


class Staging:
    """A new site being built beside the old one."""

    def __init__(self, site: Path, previous: Previous) -> None:
        self.site = site
        self.previous = previous
        self.root = Path(tempfile.mkdtemp(prefix=sibling(site, NEW_MARK), dir=site.parent))
        os.chmod(self.root, 0o755 & ~_umask())
        self.old: dict[str, os.stat_result] = dict(own_files(site)) if site.is_dir() else {}
        self.exported = set(previous.files)  # what the last export wrote
        self.written: list[str] = []
        self.linked: list[str] = []
        self._folders: set[str] = set()  # folders of the new site made so far

    def write(self, name: str, data: str | bytes) -> None:
        """A file of the new site; linked from the old site when its content is the same."""
        if not self.keep_if_same(name, data):
            write_atomic(self.root / name, data)
            self.written.append(name)

    def keep_if_same(self, name: str, data: str | bytes) -> bool:
        """Link the old file in place of `data` when they are byte for byte the same."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        info = self.old.get(name)
        if info is None or info.st_size != len(payload) or name not in self.exported:
            return False
        try:
            same = (self.site / name).read_bytes() == payload
        except OSError:
            return False
        return same and self.keep(name)

    def can_keep(self, name: str) -> bool:
        """Whether the previous export left a file of that name, to be carried over."""
        return name in self.old and name in self.exported

    def keep(self, name: str) -> bool:
        """Carry an unchanged file of the previous export over; False when it cannot be."""
        if not self.can_keep(name) or not self._link(name):
            return False
        self.linked.append(name)
        return True

    def _link(self, name: str) -> bool:
        target = os.path.join(self.root, name)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        try:
            os.link(os.path.join(self.site, name), target, follow_symlinks=False)
        except OSError:
            return False
        return True

    def carry_foreign(self, ours: set[str]) -> None:
        """Bring the user's own files (never a previous export's) into the new site."""
        for name in self.old:
            if name in self.exported or name == MANIFEST or name in ours:
                continue
            if (self.root / name).exists():
                continue
            if not self._link(name):
                target = self.root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.site / name, target, follow_symlinks=False)

    def check_collisions(self, ours: list[str]) -> None:
        """Refuse to replace a file of the site that no export wrote."""
        for name in ours:
            if name in self.exported:
                continue
            path = self.site / name
            if path.exists() or path.is_symlink():
                raise ExportError(
                    f"{path} was not written by clinical-course export; "
                    "move it away, or export into a new folder"
                )

    def finish(self, files: list[str], notes: dict[str, Any]) -> None:
        """Write the manifest and put the new site in place of the old one."""
        data: dict[str, Any] = {
            "generator": f"clinical-course {__version__}",
            "complete": True,
            "files": sorted(files),
            "notes": notes,
        }
        write_atomic(self.root / MANIFEST, json.dumps(data, ensure_ascii=False) + "\n")
        if self.site.exists():
            exchange(self.root, self.site)
            shutil.rmtree(self.root, ignore_errors=True)  # now the old site
        else:
            os.rename(self.root, self.site)

    def discard(self) -> None:
        """Forget the new site (after a failure); the old one is untouched."""
        shutil.rmtree(self.root, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def exchange(new: Path, site: Path) -> None:
    """Swap two folders in one step where the system can; else in two renames."""
    if _renameat2(new, site):
        return
    old = Path(tempfile.mkdtemp(prefix=sibling(site, OLD_MARK), dir=site.parent))
    os.rmdir(old)
    os.rename(site, old)
    os.rename(new, site)
    with contextlib.suppress(OSError):
        os.rename(old, new)  # where the caller deletes the old site


def _renameat2(new: Path, site: Path) -> bool:
    """Linux's atomic exchange of two paths; False where it is not available."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_cwd = -100
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes.append(ctypes.c_uint)
    result = function(at_cwd, os.fsencode(new), at_cwd, os.fsencode(site), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(site))
