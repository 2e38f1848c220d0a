//! `requirements*.txt` pins (`name==1.2.3`, `--hash`, `-r` includes).

use super::*;

#[derive(Clone)]
pub(super) struct Pin {
    pub(super) name: String,
    pub(super) version: String,
    pub(super) hashes: Vec<Hash>,
}

#[derive(Default)]
pub(super) struct ReqFile {
    pub(super) pins: Vec<Pin>,
    pub(super) includes: Vec<String>,
}

#[derive(Default)]
pub(super) struct Requirements {
    /// Each file parsed once (and its diagnostics given once), however often included.
    pub(super) parsed: HashMap<String, Option<ReqFile>>,
}

/// `requirements-dev.txt`, `requirements/test.txt`, `dev-requirements.txt`: not shipped.
pub(super) fn requirements_scope(rel: &str) -> Scope {
    static RE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?i)(^|[^a-z])(dev|develop|test|tests|testing|lint|docs?|ci)([^a-z]|$)")
            .unwrap()
    });
    if RE.is_match(file_name(rel)) {
        Scope::Dev
    } else {
        Scope::Required
    }
}

impl Requirements {
    pub(super) fn apply(&mut self, ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
        let scope = requirements_scope(rel);
        let mut seen = BTreeSet::new();
        let mut stack = vec![rel.to_string()];
        while let Some(f) = stack.pop() {
            if !seen.insert(f.clone()) {
                continue;
            }
            if !self.parsed.contains_key(&f) {
                let parsed = parse_requirements(ctx, &f, acc);
                self.parsed.insert(f.clone(), parsed);
            }
            let Some(rf) = self.parsed.get(&f).and_then(|p| p.as_ref()) else {
                continue;
            };
            for p in &rf.pins {
                let pkg = Pkg {
                    name: p.name.clone(),
                    version: Some(p.version.clone()),
                    hashes: p.hashes.clone(),
                    ..Default::default()
                };
                acc.add(pkg, RANK_REQUIREMENTS, Some(scope), dir_of(&f), &f);
            }
            stack.extend(rf.includes.iter().rev().cloned());
        }
    }
}

pub(super) fn parse_requirements(ctx: &Context<'_>, rel: &str, acc: &mut Acc) -> Option<ReqFile> {
    static PIN: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$")
            .unwrap()
    });
    static COMMENT: Lazy<Regex> = Lazy::new(|| Regex::new(r"(^|\s)#.*$").unwrap());
    let text = read_manifest(ctx, rel, &mut acc.diags)?;
    let dir = dir_of(rel);
    let mut out = ReqFile::default();
    let (mut unpinned, mut skipped) = (0usize, 0usize);
    // Backslash-newline continues a line (hash lists are written that way).
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for (i, raw) in joined.lines().enumerate() {
        let line = COMMENT.replace(raw, "");
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if first.starts_with('-') {
            let (opt, inline) = match first.split_once('=') {
                Some((o, v)) => (o, Some(v.to_string())),
                None => (first, None),
            };
            let arg = inline.or_else(|| words.next().map(str::to_string));
            match opt {
                "-r" | "--requirement" => match arg {
                    Some(a) => match relpath::join(dir, &a) {
                        Some(p) => out.includes.push(p),
                        None => acc.warn(
                            rel,
                            format!("line {}: -r {a}: outside the scan root; not read", i + 1),
                        ),
                    },
                    None => acc.warn(rel, format!("line {}: -r without a file", i + 1)),
                },
                "-e" | "--editable" => skipped += 1,
                // Index options, constraints files and global flags name no package.
                _ => {}
            }
            continue;
        }
        let (spec, opts) = match line.find(" --") {
            Some(k) => (&line[..k], &line[k..]),
            None => (line, ""),
        };
        let spec = spec.split(';').next().unwrap_or("").trim();
        if spec.contains("://")
            || spec.contains(" @ ")
            || spec.starts_with('.')
            || spec.starts_with('/')
        {
            skipped += 1;
            continue;
        }
        let Some(c) = PIN.captures(spec) else {
            acc.warn(
                rel,
                format!("line {}: unreadable requirement {:?}", i + 1, spec),
            );
            continue;
        };
        let name = c[1].to_string();
        let pinned = c[2]
            .split(',')
            .map(str::trim)
            .find_map(|s| s.strip_prefix("===").or_else(|| s.strip_prefix("==")))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains('*'));
        let rest_ok = c[2].trim().is_empty()
            || c[2]
                .trim_start()
                .starts_with(['=', '<', '>', '!', '~', '(']);
        if !rest_ok {
            acc.warn(
                rel,
                format!("line {}: unreadable requirement {:?}", i + 1, spec),
            );
            continue;
        }
        let Some(version) = pinned else {
            unpinned += 1;
            continue;
        };
        let mut hashes = Vec::new();
        for o in opts.split_whitespace() {
            if let Some(h) = o
                .strip_prefix("--hash=")
                .or_else(|| o.strip_prefix("--hash:"))
            {
                match parse_hash(h) {
                    Some(h) if !hashes.contains(&h) => hashes.push(h),
                    Some(_) => {}
                    None => acc.warn(rel, format!("line {}: unreadable hash {h:?}", i + 1)),
                }
            }
        }
        out.pins.push(Pin {
            name,
            version: version.to_string(),
            hashes,
        });
    }
    if unpinned > 0 {
        acc.info(rel, format!("{unpinned} requirement(s) without an exact `==` pin are not concrete packages; skipped"));
    }
    if skipped > 0 {
        acc.info(
            rel,
            format!("{skipped} editable, URL or path requirement(s) skipped"),
        );
    }
    Some(out)
}
