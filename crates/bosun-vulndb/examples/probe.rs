//! `probe DB NAMESPACE PACKAGE [VERSION]`: the stored rows for a package and, with a version,
//! how each evaluates.

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (Some(db), Some(ns), Some(pkg)) = (a.first(), a.get(1), a.get(2)) else {
        eprintln!("usage: probe DB NAMESPACE PACKAGE [VERSION]");
        std::process::exit(2);
    };
    let db = match bosun_vulndb::Db::open(db) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let hits = match db.affected(ns, &bosun_vulndb::namespace::normalize_name(ns, pkg)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let scheme = bosun_vulndb::model::scheme_of(ns);
    for h in hits {
        let adv = db.advisory(h.adv).ok().flatten();
        let id = adv.as_ref().map(|a| a.id.clone()).unwrap_or_default();
        print!("{id} {:?} {:?}", h.state, h.rule);
        if let (Some(v), Some(s)) = (a.get(3), scheme) {
            match s.parse(v) {
                Ok(v) => {
                    let e = bosun_vulndb::eval::evaluate(&h.rule, &v, &[]);
                    print!(" => {:?} {:?} {}", e.outcome, e.fixed, e.reason);
                }
                Err(e) => print!(" => {e}"),
            }
        }
        println!();
    }
}
