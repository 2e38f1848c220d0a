//! The license fields of a manifest that describes its own package (`package.json`,
//! `Cargo.toml`, `pom.xml`, `PKG-INFO`, a `.gemspec`...): each value with its lines, the
//! file-level evidence ScanCode reports for such a file. Lockfiles and package databases
//! name other packages' licenses and are not read here; the ecosystems read them.
//!
//! Each format is read the cheap way that is exact for it: JSON and TOML parsed (serde's
//! and toml's depth limits bound them), the key/value metadata formats line by line, the
//! XML ones and the Ruby and Python sources by pattern over their license elements or
//! assignments only (ospo never runs a `setup.py` or a gemspec).

use once_cell::sync::Lazy;
use regex::Regex;

/// One license value as the manifest writes it, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name as the format spells it (`license`, `License-Expression`, ...).
    pub name: &'static str,
    pub value: String,
    /// 1-based, inclusive: the lines the value stands on.
    pub start_line: u32,
    pub end_line: u32,
}

impl Field {
    /// A PyPI trove classifier (`License :: OSI Approved :: MIT License`).
    pub fn is_classifier(&self) -> bool {
        self.value.trim_start().starts_with("License ::")
    }
}

/// The formats whose license fields speak for the file's own package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    CargoToml,
    Pyproject,
    CoreMetadata,
    SetupCfg,
    SetupPy,
    Pom,
    Gemspec,
    Nuspec,
}

fn format_of(name: &str) -> Option<Format> {
    Some(match name {
        "package.json" | "composer.json" | "bower.json" => Format::Json,
        "Cargo.toml" => Format::CargoToml,
        "pyproject.toml" => Format::Pyproject,
        "PKG-INFO" | "METADATA" => Format::CoreMetadata,
        "setup.cfg" => Format::SetupCfg,
        "setup.py" => Format::SetupPy,
        "pom.xml" => Format::Pom,
        _ if name.ends_with(".pom") => Format::Pom,
        _ if name.ends_with(".gemspec") => Format::Gemspec,
        _ if name.ends_with(".nuspec") => Format::Nuspec,
        _ => return None,
    })
}

/// Whether a file of this name (no directory) is a manifest read here.
pub fn describes_itself(name: &str) -> bool {
    format_of(name).is_some()
}

/// Whether the manifest is a document or program with comments of its own (a pom's
/// license header, a setup.py's docstring), where a notice may stand beside the fields.
pub fn has_comments(name: &str) -> bool {
    matches!(
        format_of(name),
        Some(Format::Pom | Format::Nuspec | Format::SetupPy | Format::Gemspec)
    )
}

/// The license fields of manifest `name` (its file name) holding `text`; empty when the
/// name is no such manifest or the text does not parse.
pub fn license_fields(name: &str, text: &str) -> Vec<Field> {
    let Some(format) = format_of(name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match format {
        Format::Json => json(text, &mut out),
        Format::CargoToml | Format::Pyproject => toml_fields(format, text, &mut out),
        Format::CoreMetadata => core_metadata(text, &mut out),
        Format::SetupCfg => setup_cfg(text, &mut out),
        Format::SetupPy => setup_py(text, &mut out),
        Format::Pom => pom(text, &mut out),
        Format::Gemspec => gemspec(text, &mut out),
        Format::Nuspec => nuspec(text, &mut out),
    }
    out.retain(|f| !f.value.trim().is_empty());
    out
}

fn line_at(text: &str, at: usize) -> u32 {
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..at.min(text.len())]).count() as u32
}

fn push(out: &mut Vec<Field>, name: &'static str, text: &str, at: usize, value: &str) {
    let start_line = line_at(text, at);
    let end_line = start_line + value.matches('\n').count() as u32;
    out.push(Field {
        name,
        value: value.to_string(),
        start_line,
        end_line,
    });
}

/// Where `value` is written at or after byte `from` (quoted, as JSON and TOML write a
/// string), else `from`: the line a reviewer is sent to.
fn find_quoted(text: &str, from: usize, value: &str) -> usize {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    text.get(from..)
        .and_then(|rest| rest.find(&quoted).or_else(|| rest.find(value)))
        .map_or(from, |i| from + i)
}

static JSON_KEY: Lazy<Regex> = Lazy::new(|| Regex::new(r#""licenses?"\s*:"#).unwrap());

/// `license`: a string or `{"type": ...}`; `licenses`: an array of either (npm's old form,
/// bower's, composer's array of ids).
fn json(text: &str, out: &mut Vec<Field>) {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let key_at = JSON_KEY.find(text).map_or(0, |m| m.start());
    let one = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(o) => o
                .get("type")
                .or_else(|| o.get("name"))
                .and_then(|t| t.as_str())
                .map(String::from),
            _ => None,
        }
    };
    for (key, name) in [("license", "license"), ("licenses", "licenses")] {
        let values: Vec<String> = match top.get(key) {
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(one).collect(),
            Some(v) => one(v).into_iter().collect(),
            None => continue,
        };
        for v in values {
            let at = find_quoted(text, key_at, &v);
            push(out, name, text, at, &v);
        }
    }
}

fn toml_fields(format: Format, text: &str, out: &mut Vec<Field>) {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return;
    };
    let get = |path: &[&str]| -> Option<&toml::Value> {
        let mut v = doc.get(path[0])?;
        for p in &path[1..] {
            v = v.get(p)?;
        }
        Some(v)
    };
    let mut strings: Vec<(&'static str, String)> = Vec::new();
    let mut take = |name: &'static str, v: Option<&toml::Value>| match v {
        Some(toml::Value::String(s)) => strings.push((name, s.clone())),
        // PEP 621's `license = { text = "..." }` (`{ file = ... }` names a file, read as one).
        Some(toml::Value::Table(t)) => {
            if let Some(s) = t.get("text").and_then(|s| s.as_str()) {
                strings.push((name, s.to_string()));
            }
        }
        Some(toml::Value::Array(a)) => {
            for s in a.iter().filter_map(|s| s.as_str()) {
                if s.trim_start().starts_with("License ::") {
                    strings.push((name, s.to_string()));
                }
            }
        }
        _ => {}
    };
    if format == Format::CargoToml {
        take("license", get(&["package", "license"]));
    } else {
        take("license", get(&["project", "license"]));
        take("license", get(&["tool", "poetry", "license"]));
        take("classifiers", get(&["project", "classifiers"]));
        take("classifiers", get(&["tool", "poetry", "classifiers"]));
    }
    let key_at = text.find("license").unwrap_or(0);
    for (name, v) in strings {
        let from = if name == "license" { key_at } else { 0 };
        let at = find_quoted(text, from, &v);
        push(out, name, text, at, &v);
    }
}

/// Python's core metadata (PKG-INFO, a wheel's METADATA): RFC 822 headers up to the
/// first blank line; `License:` may go on over indented continuation lines.
fn core_metadata(text: &str, out: &mut Vec<Field>) {
    let mut at = 0;
    let mut current: Option<(&'static str, usize, String)> = None;
    let flush = |c: &mut Option<(&'static str, usize, String)>, out: &mut Vec<Field>| {
        if let Some((name, at, v)) = c.take() {
            push(out, name, text, at, v.trim_end());
        }
    };
    for line in text.split_inclusive('\n') {
        let l = line.trim_end_matches(['\n', '\r']);
        if l.is_empty() {
            break;
        }
        if l.starts_with([' ', '\t']) {
            if let Some((_, _, v)) = &mut current {
                v.push('\n');
                v.push_str(l.trim());
            }
        } else {
            flush(&mut current, out);
            let (key, value) = l.split_once(':').unwrap_or((l, ""));
            let value = value.trim();
            let name = match key.trim() {
                k if k.eq_ignore_ascii_case("License-Expression") => Some("License-Expression"),
                k if k.eq_ignore_ascii_case("License") => Some("License"),
                k if k.eq_ignore_ascii_case("Classifier") && value.starts_with("License ::") => {
                    Some("Classifier")
                }
                _ => None,
            };
            if let Some(name) = name {
                let col = l.len() - l[l.find(':').map_or(0, |i| i + 1)..].trim_start().len();
                current = Some((name, at + col, value.to_string()));
            }
        }
        at += line.len();
    }
    flush(&mut current, out);
}

/// setup.cfg: `license = ...` and the `License ::` lines of `classifiers =`, in
/// `[metadata]`.
fn setup_cfg(text: &str, out: &mut Vec<Field>) {
    let mut at = 0;
    let mut in_metadata = false;
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        if l.starts_with('[') {
            in_metadata = l.eq_ignore_ascii_case("[metadata]");
        } else if in_metadata {
            if let Some((k, v)) = l.split_once(['=', ':']) {
                if k.trim().eq_ignore_ascii_case("license") && !v.trim().is_empty() {
                    let col = line.find(v.trim()).unwrap_or(0);
                    push(out, "license", text, at + col, v.trim());
                }
            } else if l.starts_with("License ::") {
                let col = line.find(l).unwrap_or(0);
                push(out, "classifiers", text, at + col, l);
            }
        }
        at += line.len();
    }
}

static PY_LICENSE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r#"\blicense\s*=\s*(?:"([^"\n]{1,200})"|'([^'\n]{1,200})')"#).unwrap());
static PY_CLASSIFIER: Lazy<Regex> =
    Lazy::new(|| Regex::new(r#"["'](License :: [^"'\n]{1,200})["']"#).unwrap());

/// setup.py: a `license="..."` keyword and classifier strings, read as text (never run).
fn setup_py(text: &str, out: &mut Vec<Field>) {
    for c in PY_LICENSE.captures_iter(text) {
        if let Some(m) = c.get(1).or_else(|| c.get(2)) {
            push(out, "license", text, m.start(), m.as_str());
        }
    }
    for c in PY_CLASSIFIER.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        push(out, "classifiers", text, m.start(), m.as_str());
    }
}

static POM_LICENSES: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?s)<licenses>(.*?)</licenses>").unwrap());
static POM_LICENSE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?s)<license>(.*?)</license>").unwrap());
static XML_NAME: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?s)<name>\s*(.*?)\s*</name>").unwrap());
static XML_URL: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?s)<url>\s*(.*?)\s*</url>").unwrap());

fn xml_text(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("]]>");
    // The five predefined entities and character references; anything else stays as written.
    quick_xml::escape::unescape(s).map_or_else(|_| s.to_string(), |c| c.into_owned())
}

/// pom.xml: each `<license>` of `<licenses>`, its `<name>` (its `<url>` when it has no name).
fn pom(text: &str, out: &mut Vec<Field>) {
    let Some(block) = POM_LICENSES.captures(text).and_then(|c| c.get(1)) else {
        return;
    };
    for lic in POM_LICENSE.captures_iter(block.as_str()) {
        let body = lic.get(1).expect("group 1");
        let base = block.start() + body.start();
        let pick = XML_NAME
            .captures(body.as_str())
            .or_else(|| XML_URL.captures(body.as_str()))
            .and_then(|c| c.get(1));
        if let Some(m) = pick {
            push(
                out,
                "license",
                text,
                base + m.start(),
                &xml_text(m.as_str()),
            );
            // The field is the whole `<license>` element: its `<url>` says the same.
            if let Some(f) = out.last_mut() {
                f.end_line = f.end_line.max(line_at(text, base + body.len()));
            }
        }
    }
}

static GEM_LICENSE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\.licenses?\s*=\s*([^\n]{1,300})").unwrap());
static RUBY_STRING: Lazy<Regex> =
    Lazy::new(|| Regex::new(r#""([^"\n]{1,100})"|'([^'\n]{1,100})'"#).unwrap());
static RUBY_WORDS: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"%w[\[(]([^\])\n]{1,300})[\])]").unwrap());

/// A gemspec: `s.license = "MIT"`, `s.licenses = ["MIT", "GPL-2.0"]` or `%w[...]`.
fn gemspec(text: &str, out: &mut Vec<Field>) {
    for c in GEM_LICENSE.captures_iter(text) {
        let rhs = c.get(1).expect("group 1");
        let mut any = false;
        for s in RUBY_STRING.captures_iter(rhs.as_str()) {
            if let Some(m) = s.get(1).or_else(|| s.get(2)) {
                push(out, "licenses", text, rhs.start() + m.start(), m.as_str());
                any = true;
            }
        }
        if !any {
            if let Some(w) = RUBY_WORDS.captures(rhs.as_str()).and_then(|w| w.get(1)) {
                for word in w.as_str().split_whitespace() {
                    push(out, "licenses", text, rhs.start() + w.start(), word);
                }
            }
        }
    }
}

static NUSPEC_LICENSE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r#"(?s)<license\s+type\s*=\s*["']expression["'][^>]*>(.*?)</license>"#).unwrap()
});
static NUSPEC_URL: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?s)<licenseUrl>(.*?)</licenseUrl>").unwrap());

/// A nuspec: `<license type="expression">`, else the older `<licenseUrl>`.
fn nuspec(text: &str, out: &mut Vec<Field>) {
    if let Some(m) = NUSPEC_LICENSE.captures(text).and_then(|c| c.get(1)) {
        push(out, "license", text, m.start(), &xml_text(m.as_str()));
    } else if let Some(m) = NUSPEC_URL.captures(text).and_then(|c| c.get(1)) {
        push(out, "licenseUrl", text, m.start(), &xml_text(m.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(name: &str, text: &str) -> Vec<(String, u32)> {
        license_fields(name, text)
            .into_iter()
            .map(|f| (f.value, f.start_line))
            .collect()
    }

    #[test]
    fn json_fields_and_their_lines() {
        let pkg =
            "{\n  \"name\": \"x\",\n  \"keywords\": [\"license\"],\n  \"license\": \"ISC\"\n}\n";
        assert_eq!(values("package.json", pkg), vec![("ISC".into(), 4)]);
        let old = "{\"licenses\": [{\"type\": \"MIT\"}, {\"type\": \"GPL-2.0\"}]}";
        assert_eq!(
            values("package.json", old),
            vec![("MIT".into(), 1), ("GPL-2.0".into(), 1)]
        );
        assert!(values("package-lock.json", pkg).is_empty());
        assert!(values("package.json", "{not json").is_empty());
    }

    #[test]
    fn toml_metadata_and_sources() {
        let cargo = "[package]\nname = \"a\"\nlicense = \"MIT OR Apache-2.0\"\n";
        assert_eq!(
            values("Cargo.toml", cargo),
            vec![("MIT OR Apache-2.0".into(), 3)]
        );
        let py = "[project]\nname = \"a\"\nlicense = {text = \"BSD\"}\nclassifiers = [\n  \"License :: OSI Approved :: MIT License\",\n]\n";
        let f = license_fields("pyproject.toml", py);
        assert_eq!(f.len(), 2);
        assert_eq!((f[1].start_line, f[1].is_classifier()), (5, true));
        let meta = "Metadata-Version: 2.1\nName: a\nLicense: GNU LGPL\nClassifier: License :: OSI Approved :: MIT License\n\nLicense: not a header\n";
        assert_eq!(
            values("PKG-INFO", meta),
            vec![
                ("GNU LGPL".into(), 3),
                ("License :: OSI Approved :: MIT License".into(), 4)
            ]
        );
        let cfg = "[metadata]\nname = a\nlicense = BSD-3-Clause\nclassifiers =\n    License :: OSI Approved :: BSD License\n[options]\nlicense = no\n";
        assert_eq!(values("setup.cfg", cfg).len(), 2);
        let setup = "setup(\n  name='a',\n  license='AGPL',\n  classifiers=[\"License :: OSI Approved :: MIT License\"],\n)\n";
        assert_eq!(values("setup.py", setup)[0], ("AGPL".into(), 3));
    }

    #[test]
    fn xml_and_ruby() {
        let pom = "<project>\n<licenses>\n<license>\n<name>Apache License, Version 2.0</name>\n<url>https://www.apache.org/licenses/LICENSE-2.0</url>\n</license>\n</licenses>\n</project>\n";
        assert_eq!(
            values("pom.xml", pom),
            vec![("Apache License, Version 2.0".into(), 4)]
        );
        let nuspec = "<package><metadata>\n<license type=\"expression\">MIT</license>\n</metadata></package>";
        assert_eq!(values("a.nuspec", nuspec), vec![("MIT".into(), 2)]);
        let gem = "Gem::Specification.new do |s|\n  s.licenses = ['MIT', \"Ruby\"]\nend\n";
        assert_eq!(
            values("a.gemspec", gem),
            vec![("MIT".into(), 2), ("Ruby".into(), 2)]
        );
        let words = "s.licenses = %w[MIT BSD-2-Clause]\n";
        assert_eq!(values("a.gemspec", words).len(), 2);
    }
}
