"""Which wasmtime releases newer than ours the registry can lock whole: wasmtime, wasmtime-wasi and
wasmtime-wasi-http at one version, with the features this repository and the template use.

Used by `tools/upgrade --check-wasmtime` (the report) and by `tools/upgrade` itself (it moves wasmtime only to a
version that locks whole). The registry is asked through cargo alone: the probes are throwaway cargo projects in a
temporary folder, resolved with `cargo generate-lockfile`. wasmtime's crates are released together, but the
registry can serve `wasmtime` at a version whose own internal crates, or whose `wasmtime-wasi`, it does not serve
yet; a lock of the core crate alone says nothing about that.
"""

import os
import re
import subprocess
import tempfile
import tomllib
from pathlib import Path

from pin_places import ROOT, TOOLCHAINS, WASMTIME, WASMTIME_CRATES, manifests

# Ask about every release whatever the Rust it needs: the probe reports what the registry has, and a newer
# rust-version is tools/upgrade's business (it moves the toolchain first).
RESOLVE = ["--config", 'resolver.incompatible-rust-versions="allow"']
# The probes live outside the repository, where rustup would pick its default toolchain: they use ours, read before
# tools/upgrade rewrites rust-toolchain.toml to a toolchain that may not be installed yet.
CHANNEL = tomllib.loads((ROOT / TOOLCHAINS[0]).read_text())["toolchain"]["channel"]


def version_key(version):
    return tuple(int(part) for part in version.split("."))


def current_version():
    """Our wasmtime: its requirement in the pin's home (the root Cargo.toml), `=` stripped."""
    found = re.search(r'^wasmtime = \{ version = "[=~^]?([^"]+)"', (ROOT / WASMTIME[0]).read_text(), re.M)
    return found.group(1)


def features_in_use():
    """{crate: sorted features} over every manifest and template manifest that names the crate."""
    used = {crate: set() for crate in WASMTIME_CRATES}
    for path in manifests():
        text = (ROOT / path).read_text()
        if path.endswith(".toml"):
            dependencies = {}
            for table, value in tomllib.loads(text).items():
                if table.endswith("dependencies"):
                    dependencies.update(value)
                elif table == "target":
                    for target in value.values():
                        for key, deps in target.items():
                            if key.endswith("dependencies"):
                                dependencies.update(deps)
            for crate in WASMTIME_CRATES:
                spec = dependencies.get(crate)
                if isinstance(spec, dict):
                    used[crate].update(spec.get("features", []))
        else:
            # A Liquid template is not TOML until rendered; each of its wasmtime requirements is one line.
            for crate, features in re.findall(r'^(wasmtime(?:-wasi(?:-http)?)?) = \{[^\n]*features = \[([^\]]*)\]',
                                               text, re.M):
                used[crate].update(re.findall(r'"([^"]+)"', features))
    return {crate: sorted(features) for crate, features in used.items()}


def lock(dependencies):
    """Resolves a throwaway project with `dependencies` (TOML lines); (True, Cargo.lock) or (False, cargo's error)."""
    with tempfile.TemporaryDirectory(prefix="wasmtime-check-") as folder:
        folder = Path(folder)
        (folder / "src").mkdir()
        (folder / "src/lib.rs").write_text("")
        (folder / "Cargo.toml").write_text(
            '[package]\nname = "wasmtime-lock-probe"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n'
            + "".join(f"{line}\n" for line in dependencies))
        done = subprocess.run(["cargo", "generate-lockfile", "--quiet", *RESOLVE], cwd=folder, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "RUSTUP_TOOLCHAIN": CHANNEL})
        if done.returncode == 0:
            return True, (folder / "Cargo.lock").read_text()
        return False, done.stderr


def requirement(crate, version, features):
    listed = ", ".join(f'"{feature}"' for feature in features)
    return f'{crate} = {{ version = "{version}", default-features = false, features = [{listed}] }}'


def newer_versions(ours):
    """The wasmtime releases newer than `ours`, newest first, as cargo reports them.

    A requirement that nothing meets makes cargo name the three newest releases; below those, each lock of the
    core crate alone, no features, bounded above by the last version found, names the next. A release that does
    not lock even alone and is not among the three newest is not seen: it could not be locked whole either.
    """
    found = set()
    _, error = lock(['wasmtime = { version = "=99999.0.0", default-features = false }'])
    listed = re.search(r"candidate versions found which didn't match: (.*)", error)
    if not listed:
        raise SystemExit(f"upgrade: cargo named no wasmtime releases: {error.strip().splitlines()[0]}")
    for version in re.findall(r"\d+\.\d+\.\d+(?![-\w])", listed.group(1)):
        if version_key(version) > version_key(ours):
            found.add(version)
    upper = min(found, key=version_key) if found else None
    while upper:
        bound = f">{ours}, <{upper}"
        locked, text = lock([f'wasmtime = {{ version = "{bound}", default-features = false }}'])
        version = locked and re.search(r'name = "wasmtime"\nversion = "([^"]+)"', text)
        if not version:
            break
        found.add(version.group(1))
        upper = version.group(1)
    return sorted(found, key=version_key, reverse=True)


def why_not(error):
    """cargo's reason in one line: which requirement found nothing, what needed it, and what the registry has."""
    missing = re.search(r"failed to select a version for the requirement `([^`]+)`", error)
    if not missing:
        lines = [line for line in error.splitlines() if line.strip()]
        return lines[0].removeprefix("error: ") if lines else "cargo failed and said nothing"
    reason = f"no {missing.group(1)} on the registry"
    needed = re.search(r"required by package `([^`(]+?)\s*(?:\(|`)", error)
    if needed and not needed.group(1).startswith("wasmtime-lock-probe"):
        reason += f" (needed by {needed.group(1)})"
    has = re.search(r"candidate versions found which didn't match: (.*)", error)
    if has:
        reason += f"; it has {has.group(1)}"
    return reason


def check(version, features):
    """(True, "locks") or (False, the reason: the whole set's, and each crate's own when it differs)."""
    locked, error = lock([requirement(crate, f"={version}", features[crate]) for crate in WASMTIME_CRATES])
    if locked:
        return True, "locks"
    reasons = []
    for crate in WASMTIME_CRATES:
        alone, crate_error = lock([requirement(crate, f"={version}", features[crate])])
        if not alone:
            reasons.append(f"{crate}: {why_not(crate_error)}")
    return False, "; ".join(reasons) or why_not(error)


def newest_whole(verbose=False):
    """The newest wasmtime newer than ours that locks whole, or None; with `verbose`, prints a line per release."""
    ours = current_version()
    features = features_in_use()
    candidates = newer_versions(ours)
    if verbose:
        print(f"wasmtime {ours} is ours; newer on the registry: {', '.join(candidates) or 'none'}")
        for crate in WASMTIME_CRATES:
            print(f"  {crate} with features {', '.join(features[crate]) or '(none)'}")
    best = None
    for version in candidates:
        locked, reason = check(version, features)
        if verbose:
            print(f"{version}: {'locks' if locked else 'does not lock: ' + reason}")
        if locked and best is None:
            best = version
            if not verbose:
                break
    if verbose:
        print(f"newest that locks whole: {best}" if best else
              f"no wasmtime newer than {ours} can be locked whole today")
    return best
