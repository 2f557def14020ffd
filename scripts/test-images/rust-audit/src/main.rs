// Tiny program whose only purpose is to link the pinned dependencies so that
// cargo-auditable records them in the binary's `.dep-v0` section.
use smallvec::SmallVec;

fn main() {
    let mut v: SmallVec<[u32; 4]> = SmallVec::new();
    for i in 0..6 {
        v.push(i);
    }
    let now = time::now_utc();
    println!("bosun-audit-fixture: {} items, year {}", v.len(), now.tm_year + 1900);
}
