//! Builders for images in memory and on disk: layers with the `tar` crate
//! (an independent writer for bosun's own tar reader), gzip/zstd blobs, OCI
//! layouts, docker-archives.
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

pub fn sha256(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

/// An entry of a test layer.
#[derive(Clone)]
pub enum E {
    File(&'static str, Vec<u8>),
    FileMode(&'static str, Vec<u8>, u32),
    Dir(&'static str),
    Symlink(&'static str, &'static str),
    Hardlink(&'static str, &'static str),
    Char(&'static str),
    Fifo(&'static str),
    /// A regular file whose header says `size` but which is followed by
    /// `data` (for bombs: the caller makes both match).
    Big(&'static str, u64),
}

fn header(name: &str, kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    // Raw name bytes: the tar crate refuses `..` and absolute names, which
    // hostile-input tests need.
    {
        let gnu = h.as_gnu_mut().expect("gnu header");
        let bytes = name.as_bytes();
        assert!(bytes.len() < 100, "test names are short");
        gnu.name[..bytes.len()].copy_from_slice(bytes);
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(1_700_000_000);
    h
}

fn link_header(name: &str, kind: tar::EntryType, target: &str) -> tar::Header {
    let mut h = header(name, kind, 0, 0o777);
    let gnu = h.as_gnu_mut().expect("gnu header");
    let t = target.as_bytes();
    gnu.linkname[..t.len()].copy_from_slice(t);
    h
}

/// An uncompressed layer tar.
pub fn tar_of(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        match e {
            E::File(p, data) => append(
                &mut b,
                header(p, tar::EntryType::Regular, data.len() as u64, 0o644),
                data,
            ),
            E::FileMode(p, data, mode) => append(
                &mut b,
                header(p, tar::EntryType::Regular, data.len() as u64, *mode),
                data,
            ),
            E::Dir(p) => append(&mut b, header(p, tar::EntryType::Directory, 0, 0o755), &[]),
            E::Symlink(p, t) => append(&mut b, link_header(p, tar::EntryType::Symlink, t), &[]),
            E::Hardlink(p, t) => append(&mut b, link_header(p, tar::EntryType::Link, t), &[]),
            E::Char(p) => append(&mut b, header(p, tar::EntryType::Char, 0, 0o666), &[]),
            E::Fifo(p) => append(&mut b, header(p, tar::EntryType::Fifo, 0, 0o644), &[]),
            E::Big(p, size) => {
                let mut h = header(p, tar::EntryType::Regular, *size, 0o644);
                h.set_cksum();
                b.append(&h, std::io::Read::take(std::io::repeat(0), *size))
                    .expect("append");
            }
        }
    }
    b.into_inner().expect("finish tar")
}

fn append(b: &mut tar::Builder<Vec<u8>>, mut h: tar::Header, data: &[u8]) {
    h.set_cksum();
    b.append(&h, data).expect("append");
}

pub fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).expect("gzip");
    e.finish().expect("gzip")
}

pub fn zstd(b: &[u8]) -> Vec<u8> {
    zstd::encode_all(b, 3).expect("zstd")
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Comp {
    None,
    Gzip,
    Zstd,
}

/// A test image: layers (uncompressed tars) and how each is stored.
#[derive(Clone)]
pub struct Img {
    pub layers: Vec<(Vec<u8>, Comp)>,
    pub history: Vec<Value>,
    pub arch: &'static str,
    pub user: &'static str,
}

impl Img {
    pub fn new(layers: Vec<Vec<u8>>, comp: Comp) -> Img {
        let history = layers
            .iter()
            .enumerate()
            .map(|(i, _)| json!({"created_by": format!("layer {i}")}))
            .collect();
        Img {
            layers: layers.into_iter().map(|l| (l, comp)).collect(),
            history,
            arch: "amd64",
            user: "",
        }
    }

    pub fn blob(&self, i: usize) -> Vec<u8> {
        let (l, c) = &self.layers[i];
        match c {
            Comp::None => l.clone(),
            Comp::Gzip => gzip(l),
            Comp::Zstd => zstd(l),
        }
    }

    pub fn diff_ids(&self) -> Vec<String> {
        self.layers.iter().map(|(l, _)| sha256(l)).collect()
    }

    pub fn config(&self) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "created": "2024-05-01T10:00:00Z",
            "architecture": self.arch,
            "os": "linux",
            "config": {"User": self.user, "Env": ["PATH=/usr/bin"], "Cmd": ["sh"],
                       "Labels": {"org.example": "yes"}},
            "rootfs": {"type": "layers", "diff_ids": self.diff_ids()},
            "history": self.history,
        }))
        .expect("config json")
    }

    fn media_type(c: Comp) -> &'static str {
        match c {
            Comp::None => "application/vnd.oci.image.layer.v1.tar",
            Comp::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Comp::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    /// The manifest JSON and the blobs it needs (config first).
    pub fn manifest(&self, with_media_type: bool) -> (Vec<u8>, Vec<Vec<u8>>) {
        let config = self.config();
        let mut blobs = vec![config.clone()];
        let mut layers = Vec::new();
        for (i, (_, c)) in self.layers.iter().enumerate() {
            let b = self.blob(i);
            layers.push(
                json!({"mediaType": Self::media_type(*c), "digest": sha256(&b), "size": b.len()}),
            );
            blobs.push(b);
        }
        let mut m = json!({
            "schemaVersion": 2,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
            "layers": layers,
        });
        if with_media_type {
            m["mediaType"] = json!("application/vnd.oci.image.manifest.v1+json");
        }
        (serde_json::to_vec(&m).expect("manifest"), blobs)
    }
}

/// Writes files into a directory (creating parents).
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, data) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, data).expect("write");
    }
}

/// Packs files into a tar (for archives).
pub fn tar_files(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).expect("path");
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, data.as_slice()).expect("append");
    }
    b.into_inner().expect("tar")
}

/// The files of an OCI layout holding `images` under their tags; a tag
/// `None` leaves out the ref.name annotation.
pub fn oci_files(images: &[(Option<&str>, &Img)], with_media_type: bool) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![(
        "oci-layout".to_owned(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    )];
    let mut index = Vec::new();
    for (tag, img) in images {
        let (m, blobs) = img.manifest(with_media_type);
        for b in blobs.iter().chain(std::iter::once(&m)) {
            files.push((blob_path(b), b.clone()));
        }
        let mut d = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&m), "size": m.len()});
        if let Some(t) = tag {
            d["annotations"] = json!({"org.opencontainers.image.ref.name": t});
        }
        index.push(d);
    }
    files.push((
        "index.json".to_owned(),
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": index})).expect("index"),
    ));
    files
}

pub fn blob_path(b: &[u8]) -> String {
    format!("blobs/sha256/{}", &sha256(b)[7..])
}

/// The files of a legacy `docker save` archive.
pub fn docker_files(images: &[(&[&str], &Img)]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut manifest = Vec::new();
    for (tags, img) in images {
        let config = img.config();
        let config_name = format!("{}.json", &sha256(&config)[7..]);
        files.push((config_name.clone(), config));
        let mut layers = Vec::new();
        for i in 0..img.layers.len() {
            let b = img.blob(i);
            let name = format!("{}/layer.tar", &sha256(&b)[7..]);
            if !files.iter().any(|(n, _)| *n == name) {
                files.push((name.clone(), b));
            }
            layers.push(name);
        }
        manifest.push(json!({"Config": config_name, "RepoTags": tags, "Layers": layers}));
    }
    files.push((
        "manifest.json".to_owned(),
        serde_json::to_vec(&manifest).expect("manifest"),
    ));
    files
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Writes an OCI layout directory and returns its path.
pub fn oci_dir(dir: &Path, name: &str, images: &[(Option<&str>, &Img)]) -> PathBuf {
    let p = dir.join(name);
    write_files(&p, &oci_files(images, true));
    p
}

/// A sink that keeps files whose path ends in `keep`.
pub struct KeepSuffix(pub &'static str);

impl bosun_tree::EntrySink for KeepSuffix {
    fn want(&self, path: &str, _meta: &bosun_tree::FileMeta) -> bosun_tree::Want {
        if path.ends_with(self.0) {
            bosun_tree::Want::KEEP
        } else {
            bosun_tree::Want::SKIP
        }
    }
}

/// Opens a reference with default options (no ambient credentials).
pub fn open(reference: &str) -> Result<bosun_image::OpenedImage, bosun_image::ImageError> {
    let spec = bosun_image::parse_reference(reference)?;
    bosun_image::open(&spec, &opts())
}

pub fn opts() -> bosun_image::OpenOptions {
    bosun_image::OpenOptions {
        no_ambient_credentials: true,
        ..Default::default()
    }
}

/// Opens and reads every layer, squashing them.
pub fn read_all(
    img: &bosun_image::OpenedImage,
    sink: &dyn bosun_tree::EntrySink,
) -> Result<bosun_tree::FileTree, bosun_image::ImageError> {
    let which: Vec<usize> = (0..img.layers().len()).collect();
    let layers = img.read_layers(&which, sink)?;
    Ok(bosun_tree::FileTree::squash(
        layers.into_iter().map(|(_, l)| l).collect(),
    ))
}
