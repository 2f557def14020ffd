#!/usr/bin/env bash
# Seeds fuzz/corpus/{layer_*,image_*} for the bosun-image targets: small
# PAX and GNU tars (long names, whiteouts, an opaque marker, links, a
# device), a legacy docker-archive and an OCI archive of a one-layer image,
# and real manifests, indexes and configs from .test-images when it exists.
# Needs python3.
set -euo pipefail
cd "$(dirname "$0")"
C=corpus
mkdir -p $C/layer_tar $C/layer_gzip $C/layer_zstd $C/image_json $C/image_archive
python3 - <<'PY'
import gzip, hashlib, io, json, tarfile

def tarbytes(files, fmt=tarfile.GNU_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as tf:
        for n, d in files:
            ti = tarfile.TarInfo(n)
            ti.size = len(d)
            tf.addfile(ti, io.BytesIO(d))
    return b.getvalue()

def special_tar():
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in [("etc/os-release", b"ID=debian\n"), ("a/.wh.b", b""),
                           ("d/.wh..wh..opq", b""), ("x" * 150, b"long")]:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        for name, kind, link in [("lnk", tarfile.SYMTYPE, "../etc/os-release"),
                                 ("hl", tarfile.LNKTYPE, "etc/os-release"),
                                 ("dev/null", tarfile.CHRTYPE, "")]:
            ti = tarfile.TarInfo(name)
            ti.type = kind
            ti.linkname = link
            tf.addfile(ti)
    return b.getvalue()

for t in ["layer_tar", "layer_gzip", "layer_zstd"]:
    open(f"corpus/{t}/seed-pax.tar", "wb").write(special_tar())
    open(f"corpus/{t}/seed-gnu.tar", "wb").write(tarbytes([("g" * 300, b"abc")]))

sha = lambda b: hashlib.sha256(b).hexdigest()
layer = tarbytes([("etc/os-release", b"ID=alpine\n"), ("a/.wh.b", b"")])
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(layer)]},
                  "history": [{"created_by": "x"}]}).encode()
docker = tarbytes([(sha(cfg) + ".json", cfg), (sha(layer) + "/layer.tar", layer),
                   ("manifest.json", json.dumps([{"Config": sha(cfg) + ".json", "RepoTags": ["a:1"],
                                                  "Layers": [sha(layer) + "/layer.tar"]}]).encode())])
open("corpus/image_archive/seed-docker.tar", "wb").write(docker)
gz = gzip.compress(layer)
man = json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:" + sha(cfg), "size": len(cfg)},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                              "digest": "sha256:" + sha(gz), "size": len(gz)}]}).encode()
idx = json.dumps({"schemaVersion": 2, "manifests": [{"digest": "sha256:" + sha(man), "size": len(man),
                  "annotations": {"org.opencontainers.image.ref.name": "1"}}]}).encode()
oci = tarbytes([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", idx),
                ("blobs/sha256/" + sha(cfg), cfg), ("blobs/sha256/" + sha(man), man),
                ("blobs/sha256/" + sha(gz), gz)])
open("corpus/image_archive/seed-oci.tar", "wb").write(oci)
for name, doc in [("manifest", man), ("index", idx), ("config", cfg)]:
    open(f"corpus/image_json/seed-{name}.json", "wb").write(doc)
PY
# Real manifests, indexes and configs (small blobs) when the test images exist.
if [ -d ../.test-images/images ]; then
    find ../.test-images/images -path '*/oci*/blobs/*' -type f -size -32k 2>/dev/null | head -40 |
        while read -r f; do cp "$f" "$C/image_json/real-$(basename "$f" | cut -c1-16)"; done
fi
echo "seeded: $(ls $C/layer_tar $C/image_json $C/image_archive | wc -l) files"
