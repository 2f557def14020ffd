#!/usr/bin/env python3
"""Helper for scripts/build-test-images.sh (Python 3.11 standard library only).

It records facts while the test images are built (what was installed, which
secrets were planted in which layer), edits OCI layouts where umoci cannot
(a Docker HEALTHCHECK in the config, a hand-made layer with an opaque
whiteout, a multi-platform index), and at the end writes
.test-images/manifest.json by reading back what was really produced: every
export's index/manifest/config, every layer tar (whiteouts, entry counts), the
final root filesystems (dpkg status, setuid files, world-writable dirs).

Paths written into the manifest are relative to the repository root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TI = Path(os.environ.get("BOSUN_TEST_IMAGES", REPO / ".test-images"))
FACTS = TI / "facts"
SCAN_CACHE = TI / "cache" / "layer-scan"

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"


def rel(p: Path | str) -> str:
    """Path relative to the repository root when it is inside it."""
    p = Path(p).resolve()
    try:
        return str(p.relative_to(REPO))
    except ValueError:
        return str(p)


def sha256_bytes(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def load_json(p: Path, default=None):
    try:
        with open(p) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def dump_json(p: Path, obj) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, p)


def append_fact(image: str, record: dict) -> None:
    FACTS.mkdir(parents=True, exist_ok=True)
    with open(FACTS / f"{image}.jsonl", "a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")


def read_facts(image: str) -> list[dict]:
    p = FACTS / f"{image}.jsonl"
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()]


def in_root(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


# ---------------------------------------------------------------- OCI layouts


class Layout:
    """A minimal reader/writer for an OCI image layout directory."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def blob_path(self, digest: str) -> Path:
        algo, _, hexd = digest.partition(":")
        return self.path / "blobs" / algo / hexd

    def read_blob(self, digest: str) -> bytes:
        return self.blob_path(digest).read_bytes()

    def read_json_blob(self, digest: str):
        return json.loads(self.read_blob(digest))

    def write_blob(self, data: bytes) -> str:
        d = sha256_bytes(data)
        p = self.blob_path(d)
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_name(p.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, p)
        return d

    def index(self) -> dict:
        return json.loads((self.path / "index.json").read_text())

    def write_index(self, idx: dict) -> None:
        data = json.dumps(idx, separators=(",", ":")).encode()
        tmp = self.path / "index.json.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, self.path / "index.json")

    def descriptor(self, tag: str) -> dict:
        matches = [
            m
            for m in self.index().get("manifests", [])
            if m.get("annotations", {}).get(REF_NAME) == tag
        ]
        if len(matches) != 1:
            raise SystemExit(f"{self.path}: expected one manifest tagged {tag!r}, found {len(matches)}")
        return matches[0]

    def tags(self) -> list[str]:
        return [
            m.get("annotations", {}).get(REF_NAME)
            for m in self.index().get("manifests", [])
            if m.get("annotations", {}).get(REF_NAME)
        ]

    def set_tag(self, tag: str, desc: dict) -> None:
        idx = self.index()
        manifests = [
            m for m in idx.get("manifests", []) if m.get("annotations", {}).get(REF_NAME) != tag
        ]
        d = dict(desc)
        d["annotations"] = dict(d.get("annotations", {}))
        d["annotations"][REF_NAME] = tag
        manifests.append(d)
        idx["manifests"] = manifests
        self.write_index(idx)

    def image(self, tag: str) -> tuple[dict, dict, dict]:
        """(descriptor, manifest, config) of a single-platform image."""
        desc = self.descriptor(tag)
        man = self.read_json_blob(desc["digest"])
        cfg = self.read_json_blob(man["config"]["digest"])
        return desc, man, cfg


def manifest_descriptor(man_bytes: bytes, media_type: str, platform: dict | None = None) -> dict:
    d = {"mediaType": media_type, "digest": sha256_bytes(man_bytes), "size": len(man_bytes)}
    if platform:
        d["platform"] = platform
    return d


def replace_config(layout: Layout, tag: str, cfg: dict, man: dict | None = None) -> str:
    """Write a new config (and manifest) for the image at tag; returns the manifest digest."""
    desc, old_man, _ = layout.image(tag)
    man = dict(man or old_man)
    cfg_bytes = json.dumps(cfg, separators=(",", ":")).encode()
    man["config"] = {
        "mediaType": man.get("config", {}).get("mediaType", MT_CONFIG),
        "digest": layout.write_blob(cfg_bytes),
        "size": len(cfg_bytes),
    }
    man_bytes = json.dumps(man, separators=(",", ":")).encode()
    layout.write_blob(man_bytes)
    new_desc = manifest_descriptor(man_bytes, desc.get("mediaType", MT_MANIFEST))
    if "annotations" in desc:
        new_desc["annotations"] = desc["annotations"]
    layout.set_tag(tag, new_desc)
    return new_desc["digest"]


# ------------------------------------------------------------- edit commands


def parse_duration_ns(s: str) -> int:
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", s)
    if not m:
        raise SystemExit(f"bad duration {s!r} (use e.g. 30s, 5m)")
    mult = {"ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}[m.group(2)]
    return int(m.group(1)) * mult


def cmd_healthcheck(a) -> None:
    """Add a Docker HEALTHCHECK to the image config (umoci 0.4.7 cannot set it)."""
    layout = Layout(a.layout)
    _, man, cfg = layout.image(a.tag)
    hc = {
        "Test": json.loads(a.test),
        "Interval": parse_duration_ns(a.interval),
        "Timeout": parse_duration_ns(a.timeout),
        "StartPeriod": parse_duration_ns(a.start_period),
        "Retries": a.retries,
    }
    cfg.setdefault("config", {})["Healthcheck"] = hc
    test = hc["Test"]
    shown = " ".join(test[1:]) if test and test[0] in ("CMD", "CMD-SHELL") else json.dumps(test)
    cfg.setdefault("history", []).append(
        {
            "created": cfg.get("created"),
            "created_by": f"HEALTHCHECK --interval={a.interval} --timeout={a.timeout} "
            f"--start-period={a.start_period} --retries={a.retries} CMD {shown}",
            "comment": "added by scripts/test-images/testimg.py healthcheck (umoci cannot set a healthcheck)",
            "empty_layer": True,
        }
    )
    print(replace_config(layout, a.tag, cfg, man))


def deterministic_tar(entries: list[tuple[str, bytes | None, int]], mtime: int) -> bytes:
    """entries: (name, data or None for a directory, mode)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = mtime
            ti.mode = mode
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            if data is None:
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def cmd_opaque_layer(a) -> None:
    """Append a hand-made layer that replaces directory a.dir with an opaque whiteout.

    umoci 0.4.7 never writes opaque whiteouts (it whites out each removed child), so
    this one layer is made by hand, exactly as the OCI image spec describes it.
    """
    layout = Layout(a.layout)
    _, man, cfg = layout.image(a.tag)
    d = a.dir.strip("/")
    created = cfg.get("created") or dt.datetime.now(dt.timezone.utc).isoformat()
    mtime = int(dt.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp())
    entries: list[tuple[str, bytes | None, int]] = [(d, None, 0o755), (f"{d}/.wh..wh..opq", b"", 0o644)]
    for spec in a.file:
        name, _, content = spec.partition("=")
        entries.append((f"{d}/{name}", (content + "\n").encode(), 0o644))
    raw = deterministic_tar(entries, mtime)
    gz = gzip.compress(raw, compresslevel=6, mtime=0)
    layer_digest = layout.write_blob(gz)
    man = dict(man)
    man["layers"] = list(man["layers"]) + [
        {"mediaType": MT_LAYER_GZIP, "digest": layer_digest, "size": len(gz)}
    ]
    cfg.setdefault("rootfs", {"type": "layers", "diff_ids": []})["diff_ids"].append(sha256_bytes(raw))
    cfg.setdefault("history", []).append(
        {
            "created": created,
            "created_by": a.created_by,
            "comment": a.comment,
        }
    )
    print(replace_config(layout, a.tag, cfg, man))


def cmd_multiplatform(a) -> None:
    """Make an OCI layout whose tag points at an image index with two platforms.

    The amd64 entry is the source image itself; the arm64 entry is a second
    manifest whose config says architecture arm64 but which reuses the same
    (amd64) layers: enough to test platform selection, not to run on arm64.
    """
    src = Layout(a.src)
    dst = new_layout(Path(a.dest))
    desc, man, cfg = src.image(a.src_tag)

    def copy_blob(digest: str) -> None:
        s, t = src.blob_path(digest), dst.blob_path(digest)
        if not t.exists():
            try:
                os.link(s, t)
            except OSError:
                shutil.copyfile(s, t)

    copy_blob(desc["digest"])
    copy_blob(man["config"]["digest"])
    for layer in man["layers"]:
        copy_blob(layer["digest"])
    amd64 = manifest_descriptor(
        src.read_blob(desc["digest"]),
        desc.get("mediaType", MT_MANIFEST),
        {"architecture": cfg.get("architecture", "amd64"), "os": cfg.get("os", "linux")},
    )
    arm_cfg = json.loads(json.dumps(cfg))
    arm_cfg["architecture"] = "arm64"
    arm_cfg["variant"] = "v8"
    arm_cfg_bytes = json.dumps(arm_cfg, separators=(",", ":")).encode()
    arm_man = dict(man)
    arm_man["mediaType"] = MT_MANIFEST
    arm_man["config"] = {"mediaType": MT_CONFIG, "digest": dst.write_blob(arm_cfg_bytes), "size": len(arm_cfg_bytes)}
    arm_man_bytes = json.dumps(arm_man, separators=(",", ":")).encode()
    dst.write_blob(arm_man_bytes)
    arm64 = manifest_descriptor(arm_man_bytes, MT_MANIFEST, {"architecture": "arm64", "os": "linux", "variant": "v8"})
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [amd64, arm64]}
    index_bytes = json.dumps(index, separators=(",", ":")).encode()
    dst.write_blob(index_bytes)
    dst.set_tag(a.dest_tag, manifest_descriptor(index_bytes, MT_INDEX))
    print(sha256_bytes(index_bytes))


def new_layout(path: Path) -> Layout:
    if path.exists():
        shutil.rmtree(path)
    (path / "blobs" / "sha256").mkdir(parents=True)
    (path / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    lay = Layout(path)
    lay.write_index({"schemaVersion": 2, "manifests": []})
    return lay


def cmd_decompress_layout(a) -> None:
    """Copy an image into a new layout with uncompressed layers (media type ...layer.v1.tar).

    skopeo 1.9 cannot do this: --dest-decompress only works for the dir: transport, and
    docker-archive -> oci with --dest-oci-accept-uncompressed-layers labels the
    uncompressed blobs as tar+gzip.
    """
    src = Layout(a.src)
    dst = new_layout(Path(a.dest))
    _, man, cfg = src.image(a.src_tag)
    diff_ids = cfg["rootfs"]["diff_ids"]
    layers = []
    for ldesc, diff_id in zip(man["layers"], diff_ids):
        tmp = dst.path / "blobs" / "sha256" / "layer.tmp"
        h = hashlib.sha256()
        size = 0
        with gzip.open(src.blob_path(ldesc["digest"]), "rb") as fin, open(tmp, "wb") as fout:
            for chunk in iter(lambda: fin.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
                fout.write(chunk)
        digest = "sha256:" + h.hexdigest()
        if digest != diff_id:
            raise SystemExit(f"layer {ldesc['digest']}: uncompressed digest {digest} != diff_id {diff_id}")
        os.replace(tmp, dst.blob_path(digest))
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": size})
    cfg_bytes = src.read_blob(man["config"]["digest"])
    dst.write_blob(cfg_bytes)
    new_man = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": man["config"], "layers": layers}
    if man.get("annotations"):
        new_man["annotations"] = man["annotations"]
    man_bytes = json.dumps(new_man, separators=(",", ":")).encode()
    dst.write_blob(man_bytes)
    dst.set_tag(a.dest_tag, manifest_descriptor(man_bytes, MT_MANIFEST))
    print(sha256_bytes(man_bytes))


# ------------------------------------------------------------- fact commands


def dist_name_version(meta_text: str) -> tuple[str | None, str | None]:
    name = version = None
    for line in meta_text.splitlines():
        if not line.strip():
            break
        if line.startswith("Name:") and name is None:
            name = line.split(":", 1)[1].strip()
        elif line.startswith("Version:") and version is None:
            version = line.split(":", 1)[1].strip()
    return name, version


def cmd_python(a) -> None:
    root = Path(a.root)
    base = in_root(root, a.dir)
    n = 0
    for meta in sorted(list(base.glob("*.dist-info/METADATA")) + list(base.glob("*.egg-info/PKG-INFO"))):
        name, version = dist_name_version(meta.read_text(errors="replace"))
        append_fact(
            a.image,
            {
                "type": "package",
                "ecosystem": "pypi",
                "name": name,
                "version": version,
                "path": "/" + str(meta.parent.relative_to(root)),
                "layer": a.layer,
                "how": a.how,
            },
        )
        n += 1
    if n == 0:
        raise SystemExit(f"no python distributions found under {base}")
    print(f"recorded {n} python distributions under {a.dir}")


def cmd_npm(a) -> None:
    root = Path(a.root)
    app = in_root(root, a.dir)
    nm = app / "node_modules"
    n = 0
    for pj in sorted(nm.rglob("package.json")):
        parts = pj.relative_to(nm).parts
        # a package root is node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json
        # (possibly below a nested node_modules)
        segs = list(parts[:-1])
        while "node_modules" in segs:
            segs = segs[segs.index("node_modules") + 1 :]
        if not (len(segs) == 1 and not segs[0].startswith("@")) and not (
            len(segs) == 2 and segs[0].startswith("@")
        ):
            continue
        data = json.loads(pj.read_text())
        append_fact(
            a.image,
            {
                "type": "package",
                "ecosystem": "npm",
                "name": data.get("name"),
                "version": data.get("version"),
                "path": "/" + str(pj.relative_to(root)),
                "layer": a.layer,
                "how": a.how,
            },
        )
        n += 1
    if n == 0:
        raise SystemExit(f"no npm packages found under {nm}")
    print(f"recorded {n} npm packages under {a.dir}")


def cmd_go(a) -> None:
    root = Path(a.root)
    binp = in_root(root, a.path)
    out = subprocess.run(["go", "version", "-m", str(binp)], check=True, capture_output=True, text=True).stdout
    lines = out.splitlines()
    go_version = lines[0].split(":", 1)[1].strip() if lines else None
    main = None
    deps = []
    settings = {}
    for line in lines[1:]:
        f = line.strip().split("\t")
        if f[0] == "path":
            continue
        if f[0] == "mod" and len(f) >= 3:
            main = {"path": f[1], "version": f[2]}
        elif f[0] == "dep" and len(f) >= 3:
            deps.append({"path": f[1], "version": f[2], "sum": f[3] if len(f) > 3 else None})
        elif f[0] == "=>" and deps:
            deps[-1]["replaced_by"] = {"path": f[1], "version": f[2] if len(f) > 2 else None}
        elif f[0] == "build" and len(f) >= 2:
            k, _, v = f[1].partition("=")
            settings[k] = v
    append_fact(
        a.image,
        {
            "type": "go-binary",
            "path": a.path,
            "layer": a.layer,
            "how": a.how,
            "go_version": go_version,
            "main_module": main,
            "deps": deps,
            "settings": settings,
        },
    )
    if main and main["path"]:
        append_fact(
            a.image,
            {
                "type": "package",
                "ecosystem": "golang",
                "name": main["path"],
                "version": main["version"],
                "main_module": True,
                "path": a.path,
                "layer": a.layer,
                "how": a.how,
            },
        )
    for dep in deps:
        append_fact(
            a.image,
            {
                "type": "package",
                "ecosystem": "golang",
                "name": dep["path"],
                "version": dep["version"],
                "path": a.path,
                "layer": a.layer,
                "how": a.how,
            },
        )
    print(f"recorded go binary {a.path}: {go_version}, main {main}, {len(deps)} deps")


def cmd_rust(a) -> None:
    root = Path(a.root)
    binp = in_root(root, a.path)
    with tempfile.TemporaryDirectory() as td:
        out = Path(td) / "dep-v0"
        subprocess.run(
            ["objcopy", "--dump-section", f".dep-v0={out}", str(binp), str(Path(td) / "discard")],
            check=True,
            capture_output=True,
        )
        info = json.loads(zlib.decompress(out.read_bytes()))
    pkgs = info.get("packages", [])
    append_fact(
        a.image,
        {"type": "rust-binary", "path": a.path, "layer": a.layer, "how": a.how, "dep_v0": info},
    )
    for p in pkgs:
        append_fact(
            a.image,
            {
                "type": "package",
                "ecosystem": "cargo",
                "name": p.get("name"),
                "version": p.get("version"),
                "source": p.get("source"),
                "root": bool(p.get("root", False)),
                "path": a.path,
                "layer": a.layer,
                "how": a.how,
            },
        )
    print(f"recorded rust binary {a.path}: {len(pkgs)} packages in .dep-v0")


def jar_poms(data: bytes, where: str, depth: int = 0) -> list[dict]:
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("META-INF/maven/") and name.endswith("/pom.properties"):
                props = {}
                for line in z.read(name).decode("utf-8", "replace").splitlines():
                    if "=" in line and not line.lstrip().startswith("#"):
                        k, _, v = line.partition("=")
                        props[k.strip()] = v.strip()
                out.append(
                    {
                        "group_id": props.get("groupId"),
                        "artifact_id": props.get("artifactId"),
                        "version": props.get("version"),
                        "archive": where,
                        "pom_properties": name,
                    }
                )
            elif depth < 3 and name.endswith((".jar", ".war", ".ear")):
                out.extend(jar_poms(z.read(name), f"{where}!/{name}", depth + 1))
    return out


def cmd_jar(a) -> None:
    root = Path(a.root)
    n = 0
    for path in a.path:
        for pom in jar_poms(in_root(root, path).read_bytes(), path):
            append_fact(
                a.image,
                {
                    "type": "package",
                    "ecosystem": "maven",
                    "name": f"{pom['group_id']}:{pom['artifact_id']}",
                    "version": pom["version"],
                    "path": pom["archive"],
                    "pom_properties": pom["pom_properties"],
                    "layer": a.layer,
                    "how": a.how,
                },
            )
            n += 1
    if n == 0:
        raise SystemExit(f"no pom.properties found in {a.path}")
    print(f"recorded {n} maven artifacts in {len(a.path)} archives")


def lockfile_entries(kind: str, text: str) -> list[dict]:
    if kind == "cargo":
        data = tomllib.loads(text)
        return [{"name": p["name"], "version": p["version"]} for p in data.get("package", [])]
    if kind == "npm":
        data = json.loads(text)
        out = []
        for key, p in data.get("packages", {}).items():
            if not key:
                continue
            name = p.get("name") or key.split("node_modules/")[-1]
            out.append({"name": name, "version": p.get("version")})
        return out
    if kind == "pip":
        out = []
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if "==" in line:
                n, _, v = line.partition("==")
                out.append({"name": n.strip(), "version": v.strip()})
        return out
    if kind == "gem":
        out = []
        in_specs = False
        for line in text.splitlines():
            if line.strip() == "specs:":
                in_specs = True
                continue
            if in_specs:
                if not line.startswith("    "):
                    in_specs = False
                    continue
                m = re.fullmatch(r"    ([^ ]+) \(([^)]+)\)", line)
                if m:
                    out.append({"name": m.group(1), "version": m.group(2)})
        return out
    if kind == "gomod":
        out = []
        for m in re.finditer(r"^\s*(?:require\s+)?([a-z0-9.\-]+\.[a-z]+/[^\s]+)\s+(v[^\s]+)", text, re.M):
            out.append({"name": m.group(1), "version": m.group(2)})
        return out
    raise SystemExit(f"unknown lockfile kind {kind}")


def cmd_lockfile(a) -> None:
    root = Path(a.root)
    text = in_root(root, a.path).read_text()
    entries = lockfile_entries(a.kind, text)
    append_fact(
        a.image,
        {"type": "lockfile", "kind": a.kind, "path": a.path, "layer": a.layer, "how": a.how, "entries": entries},
    )
    print(f"recorded lockfile {a.path}: {len(entries)} entries")


def cmd_secret(a) -> None:
    root = Path(a.root)
    p = in_root(root, a.path)
    text = p.read_text(errors="replace")
    line = None
    if a.match:
        for i, l in enumerate(text.splitlines(), 1):
            if a.match in l:
                line = i
                break
        if line is None:
            raise SystemExit(f"{a.path}: planted secret marker {a.match!r} not found")
    append_fact(
        a.image,
        {
            "type": "secret",
            "path": a.path,
            "kind": a.kind,
            "layer": a.layer,
            "line": line,
            "match": a.match,
            "sha256": sha256_file(p),
            "note": a.note,
        },
    )
    print(f"recorded planted secret {a.kind} in {a.path} (layer {a.layer})")


def cmd_deleted(a) -> None:
    for path in a.path:
        append_fact(a.image, {"type": "deleted", "path": path, "layer": a.layer, "why": a.why})
    print(f"recorded {len(a.path)} intended deletions in layer {a.layer}")


def cmd_meta(a) -> None:
    p = FACTS / f"{a.image}.meta.json"
    meta = load_json(p, {}) or {}
    meta.update({"name": a.image, "purpose": a.purpose, "base_image": a.base, "build_tag": a.tag})
    if a.rootfs:
        meta["rootfs"] = rel(a.rootfs)
    dump_json(p, meta)


def cmd_export(a) -> None:
    p = FACTS / f"{a.image}.exports.json"
    ex = load_json(p, {}) or {}
    entry = {"path": rel(a.path) if a.path else None, "ref": a.ref}
    if a.note:
        entry["note"] = a.note
    if a.digest:
        entry["manifest_digest"] = a.digest
    if a.digest_file:
        entry["manifest_digest"] = Path(a.digest_file).read_text().strip()
    if a.auth:
        entry["auth"] = a.auth
    ex[a.kind] = {k: v for k, v in entry.items() if v is not None}
    dump_json(p, ex)


# ------------------------------------------------------------ layer scanning


def scan_layer_tar(fileobj, compression: str) -> dict:
    """Walk a layer tar: whiteouts, opaque dirs, entry counts, special modes."""
    mode = {"gzip": "r|gz", "none": "r|", "zstd": "r|"}[compression]
    whiteouts, opaque, setuid, ww_dirs = [], [], [], []
    entries = files = dirs = links = 0
    size = 0
    with tarfile.open(fileobj=fileobj, mode=mode) as t:
        for ti in t:
            entries += 1
            name = ti.name.lstrip("./").lstrip("/") if ti.name not in (".", "./") else ""
            base = os.path.basename(name)
            parent = os.path.dirname(name)
            if base == ".wh..wh..opq":
                opaque.append("/" + parent)
                continue
            if base.startswith(".wh."):
                whiteouts.append("/" + os.path.join(parent, base[len(".wh.") :]))
                continue
            if ti.isdir():
                dirs += 1
                if ti.mode & 0o002 and not ti.mode & stat.S_ISVTX:
                    ww_dirs.append("/" + name)
            elif ti.isreg():
                files += 1
                size += ti.size
                if ti.mode & (stat.S_ISUID | stat.S_ISGID):
                    setuid.append({"path": "/" + name, "mode": oct(ti.mode & 0o7777)})
            elif ti.issym() or ti.islnk():
                links += 1
    return {
        "entries": entries,
        "regular_files": files,
        "directories": dirs,
        "links": links,
        "regular_file_bytes": size,
        "whiteouts": whiteouts,
        "opaque_dirs": opaque,
        "setuid_setgid_files": setuid,
        "world_writable_dirs_without_sticky": ww_dirs,
    }


def scan_layer_blob(layout: Layout, desc: dict) -> dict:
    digest = desc["digest"]
    cache = SCAN_CACHE / (digest.replace(":", "_") + ".json")
    hit = load_json(cache)
    if hit is not None:
        return hit
    mt = desc.get("mediaType", "")
    path = layout.blob_path(digest)
    if mt.endswith("+zstd"):
        proc = subprocess.Popen(["zstd", "-dc", str(path)], stdout=subprocess.PIPE)
        res = scan_layer_tar(proc.stdout, "zstd")
        proc.wait()
    else:
        with open(path, "rb") as f:
            res = scan_layer_tar(f, "gzip" if mt.endswith("gzip") or mt == "" else "none")
    dump_json(cache, res)
    return res


# ------------------------------------------------------------ root filesystems


def dpkg_status(root: Path) -> dict[str, dict]:
    status = in_root(root, "/var/lib/dpkg/status")
    pkgs: dict[str, dict] = {}
    if not status.exists():
        return pkgs
    for para in status.read_text(errors="replace").split("\n\n"):
        fields = {}
        for line in para.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            k, _, v = line.partition(":")
            fields[k] = v.strip()
        if fields.get("Package") and fields.get("Status", "").endswith(" installed"):
            arch = fields.get("Architecture", "")
            pkgs[fields["Package"]] = {
                "version": fields.get("Version"),
                "architecture": arch,
                "source": fields.get("Source"),
            }
    return dict(sorted(pkgs.items()))


def os_release(root: Path) -> dict:
    for p in ("/etc/os-release", "/usr/lib/os-release"):
        f = in_root(root, p)
        if f.exists() or f.is_symlink():
            try:
                text = f.read_text()
            except OSError:
                target = os.readlink(f)
                text = (f.parent / target if not target.startswith("/") else in_root(root, target)).read_text()
            out = {}
            for line in text.splitlines():
                if "=" in line:
                    k, _, v = line.partition("=")
                    out[k] = v.strip().strip('"')
            return {k: out[k] for k in ("ID", "VERSION_ID", "VERSION_CODENAME", "PRETTY_NAME") if k in out}
    return {}


def rootfs_specials(root: Path) -> dict:
    setuid, ww = [], []
    files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode) and st.st_mode & 0o002 and not st.st_mode & stat.S_ISVTX:
                ww.append("/" + os.path.relpath(p, root))
        for f in filenames:
            files += 1
            p = os.path.join(dirpath, f)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode) and st.st_mode & (stat.S_ISUID | stat.S_ISGID):
                setuid.append({"path": "/" + os.path.relpath(p, root), "mode": oct(st.st_mode & 0o7777)})
    return {
        "files": files,
        "setuid_setgid_files": sorted(setuid, key=lambda x: x["path"]),
        "world_writable_dirs_without_sticky": sorted(ww),
    }


# ------------------------------------------------------------ manifest writer


def read_docker_archive(path: Path) -> dict:
    with tarfile.open(path, "r:") as t:
        man = json.load(t.extractfile("manifest.json"))
        if len(man) != 1:
            raise SystemExit(f"{path}: expected one image in manifest.json, found {len(man)}")
        m = man[0]
        cfg_bytes = t.extractfile(m["Config"]).read()
        members = {ti.name: ti for ti in t.getmembers()}
    layers = []
    for lp in m["Layers"]:
        ti = members.get(lp)
        # skopeo names layer files after their (uncompressed) digest
        hexd = os.path.splitext(os.path.basename(lp))[0]
        layers.append(
            {
                "path_in_tar": lp,
                "digest": f"sha256:{hexd}" if re.fullmatch(r"[0-9a-f]{64}", hexd) else None,
                "size": ti.size if ti else None,
            }
        )
    return {
        "config_path_in_tar": m["Config"],
        "config_digest": sha256_bytes(cfg_bytes),
        "repo_tags": m.get("RepoTags"),
        "layers": layers,
    }


def read_oci_archive_index(path: Path) -> dict:
    with tarfile.open(path, "r:") as t:
        idx = json.load(t.extractfile("index.json"))
    return idx


def summarize_config(cfg: dict, cfg_digest: str) -> dict:
    c = cfg.get("config", {}) or {}
    return {
        "digest": cfg_digest,
        "created": cfg.get("created"),
        "author": cfg.get("author"),
        "architecture": cfg.get("architecture"),
        "os": cfg.get("os"),
        "user": c.get("User", ""),
        "env": c.get("Env", []),
        "entrypoint": c.get("Entrypoint"),
        "cmd": c.get("Cmd"),
        "working_dir": c.get("WorkingDir", ""),
        "labels": c.get("Labels", {}),
        "exposed_ports": sorted((c.get("ExposedPorts") or {}).keys()),
        "healthcheck": c.get("Healthcheck"),
        "stop_signal": c.get("StopSignal"),
    }


def image_entry(name: str) -> dict:
    meta = load_json(FACTS / f"{name}.meta.json", {}) or {}
    exports = load_json(FACTS / f"{name}.exports.json", {}) or {}
    facts = read_facts(name)
    oci = exports.get("oci")
    if not oci:
        raise SystemExit(f"image {name}: no oci export recorded")
    layout = Layout(REPO / oci["path"])
    desc, man, cfg = layout.image(oci["ref"])
    oci["manifest_digest"] = desc["digest"]
    oci["config_digest"] = man["config"]["digest"]
    oci["manifest_has_media_type"] = "mediaType" in man

    diff_ids = cfg.get("rootfs", {}).get("diff_ids", [])
    history = cfg.get("history", [])
    layer_hist = [h for h in history if not h.get("empty_layer")]
    if len(layer_hist) != len(man["layers"]) or len(diff_ids) != len(man["layers"]):
        raise SystemExit(
            f"image {name}: {len(man['layers'])} layers, {len(diff_ids)} diff_ids, "
            f"{len(layer_hist)} non-empty history entries"
        )

    # other layouts of the same image
    per_export_layers: dict[str, list[dict]] = {}
    for kind in ("oci-zstd", "oci-uncompressed"):
        if kind in exports:
            lay = Layout(REPO / exports[kind]["path"])
            d2, m2, _ = lay.image(exports[kind]["ref"])
            exports[kind]["manifest_digest"] = d2["digest"]
            exports[kind]["config_digest"] = m2["config"]["digest"]
            per_export_layers[kind] = [
                {"digest": l["digest"], "size": l["size"], "media_type": l.get("mediaType")} for l in m2["layers"]
            ]
    if "oci-archive" in exports:
        idx = read_oci_archive_index(REPO / exports["oci-archive"]["path"])
        ds = [m for m in idx["manifests"] if m.get("annotations", {}).get(REF_NAME) == exports["oci-archive"]["ref"]]
        if ds:
            exports["oci-archive"]["manifest_digest"] = ds[0]["digest"]
    if "docker-archive" in exports:
        da = read_docker_archive(REPO / exports["docker-archive"]["path"])
        exports["docker-archive"]["config_digest"] = da["config_digest"]
        exports["docker-archive"]["image_id"] = da["config_digest"]
        exports["docker-archive"]["repo_tags"] = da["repo_tags"]
        per_export_layers["docker-archive"] = da["layers"]

    deleted_intent = [f for f in facts if f["type"] == "deleted"]
    layers = []
    for i, (ldesc, diff_id, h) in enumerate(zip(man["layers"], diff_ids, layer_hist)):
        scan = scan_layer_blob(layout, ldesc)
        blobs = {"oci": {"digest": ldesc["digest"], "size": ldesc["size"], "media_type": ldesc.get("mediaType")}}
        if "oci-archive" in exports:
            blobs["oci-archive"] = blobs["oci"]
        for kind, ls in per_export_layers.items():
            if i < len(ls):
                blobs[kind] = ls[i]
        layers.append(
            {
                "index": i,
                "diff_id": diff_id,
                "created_by": h.get("created_by"),
                "comment": h.get("comment"),
                "created": h.get("created"),
                "blobs": blobs,
                **scan,
                "intended_deletions": [f["path"] for f in deleted_intent if f["layer"] == i],
            }
        )

    entry: dict = {
        "purpose": meta.get("purpose"),
        "base_image": meta.get("base_image"),
        "layer_count": len(layers),
        "config": summarize_config(cfg, man["config"]["digest"]),
        "manifest_annotations": man.get("annotations", {}),
        "history": history,
        "exports": exports,
        "layers": layers,
    }
    root = REPO / meta["rootfs"] if meta.get("rootfs") else None
    if root and root.exists():
        pkgs = dpkg_status(root)
        entry["rootfs"] = {
            "path": meta["rootfs"],
            "os_release": os_release(root),
            "note": "the final (squashed) filesystem of the image, as umoci unpacked and repacked it",
            **rootfs_specials(root),
        }
        has_status = in_root(root, "/var/lib/dpkg/status").exists()
        entry["dpkg"] = (
            {
                "admindir": meta["rootfs"] + "/var/lib/dpkg",
                "package_count": len(pkgs),
                "packages": {k: v["version"] for k, v in pkgs.items()},
            }
            if has_status
            else None
        )
    entry["language_packages"] = [
        {k: v for k, v in f.items() if k != "type"} for f in facts if f["type"] == "package"
    ]
    for pkg in entry["language_packages"]:
        # a package whose files were deleted in a later layer is absent from the final rootfs
        gone = [
            d["layer"]
            for d in deleted_intent
            if pkg["path"] == d["path"] or pkg["path"].startswith(d["path"].rstrip("/") + "/")
        ]
        pkg["deleted_in_layer"] = gone[0] if gone else None
        if root and root.exists():
            real = pkg["path"].split("!/")[0]
            pkg["present_in_final_rootfs"] = in_root(root, real).exists()
    entry["binaries"] = [
        {k: v for k, v in f.items() if k != "type"} | {"kind": f["type"]}
        for f in facts
        if f["type"] in ("go-binary", "rust-binary")
    ]
    entry["lockfiles"] = [{k: v for k, v in f.items() if k != "type"} for f in facts if f["type"] == "lockfile"]
    secrets = [{k: v for k, v in f.items() if k != "type"} for f in facts if f["type"] == "secret"]
    for s in secrets:
        gone = [
            d["layer"]
            for d in deleted_intent
            if s["path"] == d["path"] or s["path"].startswith(d["path"].rstrip("/") + "/")
        ]
        s["deleted_in_layer"] = gone[0] if gone else None
        if root and root.exists():
            s["present_in_final_rootfs"] = in_root(root, s["path"]).exists()
    entry["secrets"] = secrets
    entry["config_secrets"] = [
        e for e in entry["config"]["env"] if re.search(r"(PASSWORD|SECRET|TOKEN|KEY)=", e.split("=", 1)[0] + "=")
    ]
    return entry


def layout_entry(name: str) -> dict:
    meta = load_json(FACTS / f"layout-{name}.json")
    layout = Layout(REPO / meta["path"])
    idx = layout.index()
    out = dict(meta)
    exports = load_json(FACTS / f"{name}.exports.json")
    if exports:
        out["exports"] = exports
    out["index_manifests"] = []
    for d in idx["manifests"]:
        e = {
            "ref": d.get("annotations", {}).get(REF_NAME),
            "digest": d["digest"],
            "media_type": d.get("mediaType"),
        }
        if d.get("mediaType") == MT_INDEX:
            inner = layout.read_json_blob(d["digest"])
            e["platforms"] = [
                {"digest": m["digest"], "platform": m.get("platform")} for m in inner.get("manifests", [])
            ]
        out["index_manifests"].append(e)
    return out


def tool_versions() -> dict:
    def ver(cmd: list[str]) -> str | None:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return None

    return {
        "umoci": ver(["umoci", "--version"]),
        "skopeo": ver(["skopeo", "--version"]),
        "debootstrap": ver(["dpkg-query", "-W", "-f", "${Version}", "debootstrap"]),
        "docker-registry": ver(["docker-registry", "--version"]),
        "go": ver(["go", "version"]),
    }


def cmd_manifest(a) -> None:
    images = {}
    for name in a.image:
        images[name] = image_entry(name)
    for name, im in images.items():
        base = images.get(im.get("base_image") or "")
        if base and im.get("dpkg") and base.get("dpkg"):
            new, old = im["dpkg"]["packages"], base["dpkg"]["packages"]
            im["dpkg"]["changes_vs_base"] = {
                "added": sorted(set(new) - set(old)),
                "removed": sorted(set(old) - set(new)),
                "version_changed": sorted(k for k in set(new) & set(old) if new[k] != old[k]),
            }
    layouts = {}
    for name in a.layout:
        layouts[name] = layout_entry(name)
    manifest = {
        "schema_version": 1,
        "generated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "paths": "relative to the repository root (the directory holding .test-images/)",
        "tools": tool_versions(),
        "registries": load_json(FACTS / "registries.json", {}),
        "images": images,
        "layouts": layouts,
    }
    podman = load_json(TI / "podman.json")
    if podman:
        for im in podman.get("images", []):
            built = images.get(im.get("name"), {}).get("config", {}).get("digest")
            # podman holds what was loaded last; after a rebuild, podman-service.sh start reloads it
            im["matches_current_build"] = im.get("id") == built
        manifest["podman"] = podman
    dump_json(Path(a.out), manifest)
    print(f"wrote {rel(a.out)}: {len(images)} images, {len(layouts)} extra layouts")


def cmd_layout_meta(a) -> None:
    dump_json(FACTS / f"layout-{a.name}.json", {"path": rel(a.path), "purpose": a.purpose, **json.loads(a.extra)})


def cmd_registries(a) -> None:
    dump_json(FACTS / "registries.json", json.loads(a.json))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def fact_parser(name, fn, help_):
        p = sub.add_parser(name, help=help_)
        p.add_argument("--image", required=True)
        p.add_argument("--layer", type=int, required=True)
        p.add_argument("--root", required=False)
        p.add_argument("--how", default=None)
        p.set_defaults(fn=fn)
        return p

    p = fact_parser("python", cmd_python, "record python dists under a dir")
    p.add_argument("--dir", required=True)
    p = fact_parser("npm", cmd_npm, "record npm packages in DIR/node_modules")
    p.add_argument("--dir", required=True)
    p = fact_parser("go", cmd_go, "record a Go binary's build info")
    p.add_argument("--path", required=True)
    p = fact_parser("rust", cmd_rust, "record a cargo-auditable binary's .dep-v0")
    p.add_argument("--path", required=True)
    p = fact_parser("jar", cmd_jar, "record pom.properties found in jars/wars/ears")
    p.add_argument("--path", required=True, nargs="+")
    p = fact_parser("lockfile", cmd_lockfile, "record a lockfile's entries")
    p.add_argument("--path", required=True)
    p.add_argument("--kind", required=True, choices=["cargo", "npm", "pip", "gem", "gomod"])
    p = fact_parser("secret", cmd_secret, "record a planted fake secret")
    p.add_argument("--path", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--match", default=None)
    p.add_argument("--note", default=None)
    p = fact_parser("deleted", cmd_deleted, "record paths a layer deletes")
    p.add_argument("--path", required=True, nargs="+")
    p.add_argument("--why", default=None)

    p = sub.add_parser("meta")
    p.add_argument("--image", required=True)
    p.add_argument("--purpose", required=True)
    p.add_argument("--base", default=None)
    p.add_argument("--tag", default=None)
    p.add_argument("--rootfs", default=None)
    p.set_defaults(fn=cmd_meta)

    p = sub.add_parser("export")
    p.add_argument("--image", required=True)
    p.add_argument("--kind", required=True)
    p.add_argument("--path", default=None)
    p.add_argument("--ref", default=None)
    p.add_argument("--digest", default=None)
    p.add_argument("--digest-file", default=None)
    p.add_argument("--auth", default=None)
    p.add_argument("--note", default=None)
    p.set_defaults(fn=cmd_export)

    p = sub.add_parser("layout-meta")
    p.add_argument("--name", required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--purpose", required=True)
    p.add_argument("--extra", default="{}")
    p.set_defaults(fn=cmd_layout_meta)

    p = sub.add_parser("registries")
    p.add_argument("--json", required=True)
    p.set_defaults(fn=cmd_registries)

    p = sub.add_parser("healthcheck")
    p.add_argument("--layout", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--test", required=True, help='JSON array, e.g. ["CMD","/app/healthcheck.sh"]')
    p.add_argument("--interval", default="30s")
    p.add_argument("--timeout", default="5s")
    p.add_argument("--start-period", default="5s")
    p.add_argument("--retries", type=int, default=3)
    p.set_defaults(fn=cmd_healthcheck)

    p = sub.add_parser("opaque-layer")
    p.add_argument("--layout", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--file", action="append", default=[], help="NAME=CONTENT")
    p.add_argument("--created-by", required=True)
    p.add_argument("--comment", default=None)
    p.set_defaults(fn=cmd_opaque_layer)

    p = sub.add_parser("multiplatform")
    p.add_argument("--src", required=True)
    p.add_argument("--src-tag", required=True)
    p.add_argument("--dest", required=True)
    p.add_argument("--dest-tag", required=True)
    p.set_defaults(fn=cmd_multiplatform)

    p = sub.add_parser("decompress-layout")
    p.add_argument("--src", required=True)
    p.add_argument("--src-tag", required=True)
    p.add_argument("--dest", required=True)
    p.add_argument("--dest-tag", required=True)
    p.set_defaults(fn=cmd_decompress_layout)

    p = sub.add_parser("manifest")
    p.add_argument("--out", required=True)
    p.add_argument("--image", action="append", default=[])
    p.add_argument("--layout", action="append", default=[])
    p.set_defaults(fn=cmd_manifest)

    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
