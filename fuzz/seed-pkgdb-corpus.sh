#!/usr/bin/env bash
# Seeds fuzz/corpus/{pkgdb_*,os_release} with real package databases from
# bosun-catalog's OS fixtures: dpkg and apk stanza files, Berkeley DB files,
# a few real rpm header blobs (taken from the CBL-Mariner rpmdb.sqlite), an
# NDB file and small sqlite rpm databases (with and without a WAL) built
# from those headers. Needs python3.
set -euo pipefail
cd "$(dirname "$0")"
F=../crates/bosun-catalog/tests/fixtures/os
C=corpus
mkdir -p $C/pkgdb_dpkg $C/pkgdb_apk $C/pkgdb_rpm_header $C/pkgdb_rpm_bdb $C/pkgdb_rpm_ndb \
    $C/pkgdb_rpm_sqlite $C/os_release

for f in "$F"/dpkg/scalibr/* "$F"/dpkg/syft-status.d/* "$F"/dpkg/copyright/{trilicense,dev-kit,libaudit-common}; do
    cp "$f" "$C/pkgdb_dpkg/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
done
head -c 6000 "$F/dpkg/bookworm/status" > $C/pkgdb_dpkg/seed-bookworm-head
cp "$F/dpkg/distroless/var/lib/dpkg/status.d/libsqlite3-0.md5sums" $C/pkgdb_dpkg/seed-md5sums
for f in "$F"/apk/*; do cp "$f" "$C/pkgdb_apk/seed-$(basename "$f")"; done
for f in syft-dive-Packages scalibr-epoch-Packages; do cp "$F/rpm/$f" "$C/pkgdb_rpm_bdb/seed-$f"; done
cp "$F/dpkg/bookworm/os-release" $C/os_release/seed-os-release
printf 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n' > $C/os_release/seed-lsb
printf 'CentOS Linux release 7.9.2009 (Core)\n' > $C/os_release/seed-redhat
printf 'trixie/sid\n' > $C/os_release/seed-debian-version
chmod -R u+w $C

python3 - "$F" "$C" <<'EOF'
import gzip, os, sqlite3, struct, sys, tempfile, zlib

fix, corpus = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
db = os.path.join(tmp, "m.sqlite")
with open(db, "wb") as f:
    f.write(gzip.open(f"{fix}/rpm/mariner2-rpmdb.sqlite.gz").read())
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
rows = sorted(c.execute("select hnum, blob from Packages").fetchall(), key=lambda r: len(r[1]))[:4]
c.close()
for h, b in rows:
    open(f"{corpus}/pkgdb_rpm_header/seed-h{h}", "wb").write(b)

def ndb(blobs):
    f = bytearray(4096)
    f[0:4] = b"RpmP"
    struct.pack_into("<I", f, 12, 1)
    struct.pack_into("<I", f, 16, len(blobs) + 1)
    for i, b in enumerate(blobs):
        area = bytearray(b"BlbS" + struct.pack("<III", i + 1, 1, len(b)) + b)
        while (len(area) + 12) % 16:
            area.append(0)
        area += struct.pack("<II", zlib.adler32(bytes(area)), len(b)) + b"BlbE"
        struct.pack_into("<4sIII", f, 32 + 16 * i, b"Slot", i + 1, len(f) // 16, len(area) // 16)
        f += area
    for s in range(32 + 16 * len(blobs), 4096, 16):
        f[s:s + 4] = b"Slot"
    return bytes(f)

open(f"{corpus}/pkgdb_rpm_ndb/seed-two", "wb").write(ndb([rows[0][1], rows[1][1]]))

# pkgdb_rpm_sqlite inputs: one byte saying where the WAL starts (0: none), the
# database, then the WAL.
for name, extra in [("one", False), ("two", True)]:
    p = os.path.join(tmp, f"{name}.sqlite")
    w = sqlite3.connect(p, isolation_level=None)
    w.execute("PRAGMA page_size=512")
    w.execute("PRAGMA journal_mode=WAL")
    w.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    w.execute("INSERT INTO Packages VALUES (?,?)", rows[0])
    w.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    w.execute("PRAGMA wal_autocheckpoint=0")
    if extra:
        w.execute("INSERT INTO Packages VALUES (?,?)", rows[1])
    main = open(p, "rb").read()
    wal = open(p + "-wal", "rb").read() if os.path.exists(p + "-wal") else b""
    open(f"{corpus}/pkgdb_rpm_sqlite/seed-{name}-nowal", "wb").write(b"\0" + main)
    if wal:
        split = min(255, len(main) * 256 // (len(main) + len(wal)) + 1)
        open(f"{corpus}/pkgdb_rpm_sqlite/seed-{name}-wal", "wb").write(bytes([split]) + main + wal)
    w.close()
EOF
for t in pkgdb_dpkg pkgdb_apk pkgdb_rpm_header pkgdb_rpm_bdb pkgdb_rpm_ndb pkgdb_rpm_sqlite os_release; do
    echo "$t: $(ls $C/$t | wc -l) files"
done
