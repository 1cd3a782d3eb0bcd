#!/usr/bin/env python3
"""Vendor front-end libraries from the npm registry into static/vendor/, reproducibly.

The pin file static/vendor/vendor.json lists, per package, the npm name, the exact
version, the tarball's Subresource-Integrity string (the registry's ``dist.integrity``,
sha512) and the files to copy (path inside the tarball's ``package/`` folder ->
destination path under static/vendor/), plus where the package's LICENSE goes.

Usage (from the project root or anywhere):

    python scripts/vendor_static.py            # download, verify sha512, write the files
    python scripts/vendor_static.py --check    # no network: are all listed files present?
    python scripts/vendor_static.py --pin bootstrap@5.3   # re-resolve a version, update pins
    python scripts/vendor_static.py --pin bootstrap       # re-resolve within its stored range

Exit codes: 0 success; 1 missing files (--check) or an integrity mismatch; 2 usage,
pin-file or network error.

A ``//# sourceMappingURL=`` (JS) or ``/*# sourceMappingURL= */`` (CSS) comment is kept
only when the map it names is vendored too; otherwise it is stripped, because
whitenoise's CompressedManifestStaticFilesStorage fails collectstatic on a reference
to a file that does not exist.

Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import posixpath
import re
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "static" / "vendor"
PIN_FILE = VENDOR_DIR / "vendor.json"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
TIMEOUT_SECONDS = 60
USER_AGENT = "sanmanyi-vendor-static/1 (python urllib)"
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "LICENCE.txt")

# Same shapes that Django's ManifestStaticFilesStorage looks for.
JS_MAP_RE = re.compile(rb"(?m)^//[#@] sourceMappingURL=(\S*)[ \t]*(?:\r?\n|\Z)")
CSS_MAP_RE = re.compile(rb"(?m)^/\*[#@][ \t]sourceMappingURL=(\S*)[ \t]*\*/[ \t]*(?:\r?\n|\Z)")
VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


class VendorError(Exception):
    """A failure that ends the run with a clear message (exit code in ``code``)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------- pin file


def load_pins(path: Path | None = None) -> dict:
    path = path or PIN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise VendorError(f"pin file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise VendorError(f"pin file {path} is not valid JSON: {exc}") from exc
    packages = data.get("packages")
    if not isinstance(packages, list):
        raise VendorError(f"{path}: expected a 'packages' list")
    for pkg in packages:
        for key in ("name", "version", "integrity", "files"):
            if key not in pkg:
                raise VendorError(f"{path}: package {pkg.get('name', '?')!r} lacks {key!r}")
        for dest in [*pkg["files"].values(), *([pkg["license"]] if pkg.get("license") else [])]:
            safe_dest(dest)
    return data


def save_pins(data: dict, path: Path | None = None) -> None:
    path = path or PIN_FILE
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_if_changed(path, text.encode("utf-8"))


def safe_dest(dest: str) -> Path:
    """Destination path under static/vendor/, refusing anything that escapes it."""
    norm = posixpath.normpath(dest)
    if dest.startswith("/") or norm.startswith("..") or norm == "." or "\\" in dest:
        raise VendorError(f"unsafe destination path in pin file: {dest!r}")
    return VENDOR_DIR.joinpath(*norm.split("/"))


def destinations(pkg: dict) -> list[str]:
    dests = list(pkg["files"].values())
    if pkg.get("license"):
        dests.append(pkg["license"])
    return dests


# --------------------------------------------------------------------------- network


def registry_url(data: dict) -> str:
    url = data.get("registry", DEFAULT_REGISTRY).rstrip("/")
    if not url.startswith("https://"):
        raise VendorError(f"registry must be an https:// URL, got {url!r}")
    return url


def fetch(url: str, what: str) -> bytes:
    if not url.startswith("https://"):
        raise VendorError(f"refusing non-https URL for {what}: {url}")
    # S310: the URL is always https:// (checked just above) on the fixed npm registry,
    # so no file: or custom scheme can reach urllib here.
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as exc:
        raise VendorError(f"{what}: HTTP {exc.code} {exc.reason} from {url}") from exc
    except urllib.error.URLError as exc:
        raise VendorError(f"{what}: network error fetching {url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise VendorError(f"{what}: timed out after {TIMEOUT_SECONDS}s fetching {url}") from exc
    except OSError as exc:
        raise VendorError(f"{what}: network error fetching {url}: {exc}") from exc


def tarball_url(registry: str, name: str, version: str) -> str:
    basename = name.rsplit("/", 1)[-1]  # "@scope/pkg" -> "pkg"
    return f"{registry}/{name}/-/{basename}-{version}.tgz"


def verify_integrity(blob: bytes, integrity: str, name: str) -> None:
    """Check ``blob`` against an SRI string; only sha512 entries are accepted."""
    expected = [
        entry.split("-", 1)[1] for entry in integrity.split() if entry.startswith("sha512-")
    ]
    if not expected:
        raise VendorError(f"{name}: pinned integrity has no sha512 entry: {integrity!r}")
    actual = base64.b64encode(hashlib.sha512(blob).digest()).decode("ascii")
    if actual not in expected:
        raise VendorError(
            f"{name}: INTEGRITY MISMATCH — refusing to vendor.\n"
            f"  pinned:     {integrity}\n"
            f"  downloaded: sha512-{actual}",
            code=1,
        )


# --------------------------------------------------------------------------- tarballs


def read_tarball(blob: bytes, pkg: dict) -> dict[str, bytes]:
    """Return {destination: content} for every listed file (and the LICENSE)."""
    name = pkg["name"]
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        # npm strips the single top-level folder; it is "package/" for nearly every package.
        tops = {n.split("/", 1)[0] for n in members}
        top = "package" if "package" in tops or len(tops) != 1 else tops.pop()

        def read(inner: str) -> bytes:
            member = members.get(f"{top}/{inner}")
            if member is None:
                raise VendorError(f"{name}@{pkg['version']}: {inner!r} is not in the tarball")
            if not member.isfile():
                raise VendorError(f"{name}: {inner!r} in the tarball is not a regular file")
            handle = tar.extractfile(member)
            if handle is None:
                raise VendorError(f"{name}: cannot read {inner!r} from the tarball")
            return handle.read()

        out = {dest: read(src) for src, dest in pkg["files"].items()}
        if pkg.get("license"):
            # Root-level files by upper-cased name, so "License.md" is found too.
            root = {
                n.split("/", 1)[1].upper(): n.split("/", 1)[1]
                for n in members
                if n.startswith(f"{top}/") and n.count("/") == 1
            }
            found = next((root[n.upper()] for n in LICENSE_NAMES if n.upper() in root), None)
            if found is None:
                raise VendorError(f"{name}: no LICENSE / LICENSE.md / LICENSE.txt in the tarball")
            out[pkg["license"]] = read(found)
    return out


def fix_source_maps(files: dict[str, bytes], all_dests: set[str]) -> list[str]:
    """Strip sourceMappingURL comments whose map is not vendored. Returns notes."""
    notes = []
    for dest, content in files.items():
        if dest.endswith(".js"):
            pattern = JS_MAP_RE
        elif dest.endswith(".css"):
            pattern = CSS_MAP_RE
        else:
            continue

        def replace(match: re.Match[bytes], dest: str = dest) -> bytes:
            ref = match.group(1).decode("utf-8", "replace")
            if ref.startswith("data:"):
                return match.group(0)  # inline map: nothing to resolve
            path = urllib.parse.urlsplit(ref).path
            target = posixpath.normpath(posixpath.join(posixpath.dirname(dest), path))
            if target in all_dests:
                return match.group(0)
            notes.append(f"stripped sourceMappingURL={ref} from {dest} (map not vendored)")
            return b""

        files[dest] = pattern.sub(replace, content)
    return notes


# --------------------------------------------------------------------------- files


def write_if_changed(path: Path, content: bytes) -> bool:
    """Atomically write ``content`` unless the file already holds it. True if written."""
    if path.is_file() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def human(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.2f} MiB"


# --------------------------------------------------------------------------- modes


def cmd_install(data: dict) -> int:
    registry = registry_url(data)
    all_dests = {d for pkg in data["packages"] for d in destinations(pkg)}
    staged: dict[str, bytes] = {}
    errors: list[VendorError] = []
    # Download and verify everything first; write nothing unless every package checks out.
    for pkg in data["packages"]:
        name, version = pkg["name"], pkg["version"]
        url = tarball_url(registry, name, version)
        print(f"fetching {name}@{version} ...", flush=True)
        try:
            blob = fetch(url, f"{name}@{version}")
            verify_integrity(blob, pkg["integrity"], f"{name}@{version}")
            files = read_tarball(blob, pkg)
        except VendorError as exc:
            errors.append(exc)
            continue
        for note in fix_source_maps(files, all_dests):
            print(f"  {note}")
        staged.update(files)
    if errors:
        for exc in errors:
            print(f"error: {exc}", file=sys.stderr)
        print("nothing was written.", file=sys.stderr)
        return max(exc.code for exc in errors)

    written = 0
    for dest, content in sorted(staged.items()):
        changed = write_if_changed(safe_dest(dest), content)
        written += changed
        print(f"  {'wrote    ' if changed else 'unchanged'} {dest} ({human(len(content))})")
    print(f"done: {len(staged)} files, {written} written, {len(staged) - written} unchanged.")
    return 0


def cmd_check(data: dict) -> int:
    missing = []
    expected = set()
    for pkg in data["packages"]:
        for dest in destinations(pkg):
            expected.add(safe_dest(dest))
            if not safe_dest(dest).is_file():
                missing.append(f"{pkg['name']}@{pkg['version']}: {dest}")
    # Files under the packages' folders that the pin file no longer lists (informational).
    tops = {VENDOR_DIR / p.relative_to(VENDOR_DIR).parts[0] for p in expected}
    extra = sorted(
        str(p.relative_to(VENDOR_DIR))
        for top in tops
        if top.is_dir()
        for p in top.rglob("*")
        if p.is_file() and p not in expected
    )
    for rel in extra:
        print(f"note: not listed in vendor.json: {rel}")
    if missing:
        print(f"missing {len(missing)} vendored file(s):", file=sys.stderr)
        for line in missing:
            print(f"  {line}", file=sys.stderr)
        print("run: python scripts/vendor_static.py", file=sys.stderr)
        return 1
    print(f"ok: all {len(expected)} vendored files present.")
    return 0


def parse_version(text: str) -> tuple[int, int, int, str] | None:
    match = VERSION_RE.match(text)
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    return int(major), int(minor), int(patch), pre or ""


def satisfies(version: tuple[int, int, int, str], spec: str) -> bool:
    """A small subset of npm ranges: X, X.Y, X.x, X.Y.x, X.Y.Z, ^X.Y.Z, ~X.Y.Z."""
    if version[3]:
        return False  # never pick a prerelease
    spec = spec.strip()
    op = spec[0] if spec[:1] in ("^", "~") else ""
    parts = spec.lstrip("^~=v").split(".")
    nums = []
    for part in parts:
        if part in ("x", "X", "*"):
            break
        if not part.isdigit():
            raise VendorError(f"unsupported version range {spec!r} (use X, X.Y, X.Y.Z, ^ or ~)")
        nums.append(int(part))
    if not nums or len(nums) > 3:
        raise VendorError(f"unsupported version range {spec!r}")
    lower = tuple(nums + [0] * (3 - len(nums)))
    have = version[:3]
    if op == "^":
        # ^1.2.3 := >=1.2.3 <2; ^0.2.3 := >=0.2.3 <0.3; ^0.0.3 := =0.0.3
        fixed = next((i + 1 for i, n in enumerate(lower) if n), len(nums))
        return have >= lower and have[:fixed] == lower[:fixed]
    if op == "~":
        fixed = 2 if len(nums) >= 2 else 1
        return have >= lower and have[:fixed] == lower[:fixed]
    return have[: len(nums)] == tuple(nums)


def resolve(registry: str, name: str, spec: str) -> tuple[str, str]:
    """Return (version, integrity) of the highest published version matching ``spec``."""
    quoted = urllib.parse.quote(name, safe="@")
    meta = json.loads(fetch(f"{registry}/{quoted}", f"metadata of {name}"))
    versions = meta.get("versions", {})
    if spec in ("", "latest") or spec in meta.get("dist-tags", {}):
        chosen = meta["dist-tags"][spec or "latest"]
    else:
        candidates = [
            (parsed, v)
            for v in versions
            if (parsed := parse_version(v)) is not None and satisfies(parsed, spec)
        ]
        if not candidates:
            raise VendorError(f"{name}: no published version matches {spec!r}")
        chosen = max(candidates)[1]
    integrity = versions[chosen].get("dist", {}).get("integrity", "")
    if not integrity.startswith("sha512-"):
        raise VendorError(f"{name}@{chosen}: registry gives no sha512 integrity ({integrity!r})")
    return chosen, integrity


def cmd_pin(data: dict, specs: list[str]) -> int:
    registry = registry_url(data)
    by_name = {pkg["name"]: pkg for pkg in data["packages"]}
    for spec in specs:
        at = spec.find("@", 1)  # skip the leading "@" of a scoped name
        name, rng = (spec, None) if at == -1 else (spec[:at], spec[at + 1 :])
        pkg = by_name.get(name)
        if pkg is None:
            raise VendorError(
                f"{name} is not in {PIN_FILE.name}; add an entry with its 'files' first"
            )
        rng = rng if rng is not None else pkg.get("range", "latest")
        version, integrity = resolve(registry, name, rng)
        old = pkg["version"]
        pkg.update(range=rng, version=version, integrity=integrity)
        print(f"{name}@{rng}: {old} -> {version}" if old != version else f"{name}@{rng}: {old}")
    save_pins(data)
    print(f"updated {PIN_FILE.relative_to(ROOT)}; now run: python scripts/vendor_static.py")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="verify the listed files exist (no network)"
    )
    mode.add_argument(
        "--pin",
        action="append",
        metavar="PACKAGE[@RANGE]",
        help="resolve a version from the registry and update vendor.json (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        data = load_pins()
        if args.check:
            return cmd_check(data)
        if args.pin:
            return cmd_pin(data, args.pin)
        return cmd_install(data)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
