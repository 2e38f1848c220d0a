//! Reads ScanCode's license database (licensedcode/data: `licenses/*.LICENSE` and
//! `rules/*.RULE`, each a YAML front matter and a text), from the unpacked folder or
//! straight from the `scancode-toolkit` / `licensedcode-data` wheel, for the store build.
//!
//! The data is CC-BY-4.0, (c) nexB Inc. and others; the README and `ospo notice` credit it.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// One `*.LICENSE` file: a license known to ScanCode, with its text (which is also a rule).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct License {
    pub key: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub spdx_license_key: Option<String>,
    #[serde(default, deserialize_with = "yes")]
    pub is_exception: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_deprecated: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_unknown: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_generic: bool,
    #[serde(default, deserialize_with = "number")]
    pub minimum_coverage: Option<u8>,
    #[serde(skip)]
    pub text: String,
}

/// One `*.RULE` file: a text (notice, reference, tag, full text variant) that means a
/// license expression, or a known false positive.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Rule {
    #[serde(skip)]
    pub identifier: String,
    #[serde(default)]
    pub license_expression: Option<String>,
    #[serde(default, deserialize_with = "yes")]
    pub is_license_text: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_license_notice: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_license_reference: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_license_tag: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_license_intro: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_license_clue: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_false_positive: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_required_phrase: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_continuous: bool,
    #[serde(default, deserialize_with = "yes")]
    pub is_deprecated: bool,
    #[serde(default, deserialize_with = "number")]
    pub relevance: Option<u8>,
    #[serde(default, deserialize_with = "number")]
    pub minimum_coverage: Option<u8>,
    #[serde(skip)]
    pub text: String,
}

/// What a ScanCode data set holds.
#[derive(Debug, Default)]
pub struct Data {
    pub licenses: Vec<License>,
    pub rules: Vec<Rule>,
    /// SHA-256 of the wheel (or of every file read, for a folder), for provenance.
    pub digest: String,
    /// The wheel's file name or the folder, as given.
    pub source: String,
}

fn yes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = serde_yaml_ng::Value::deserialize(d)?;
    Ok(match v {
        serde_yaml_ng::Value::Bool(b) => b,
        serde_yaml_ng::Value::String(s) => matches!(s.as_str(), "yes" | "true" | "y"),
        _ => false,
    })
}

fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
    let v = serde_yaml_ng::Value::deserialize(d)?;
    Ok(match v {
        serde_yaml_ng::Value::Number(n) => n.as_f64().map(|f| f.clamp(0.0, 100.0) as u8),
        serde_yaml_ng::Value::String(s) => s.parse::<f64>().ok().map(|f| f.clamp(0.0, 100.0) as u8),
        _ => None,
    })
}

/// Splits `---\n<yaml>\n---\n<text>`; a file without front matter is all text.
fn split_front_matter(raw: &str) -> (&str, &str) {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    if let Some(rest) = raw.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---") {
            let yaml = &rest[..end];
            let text = &rest[end + 4..];
            let text = text.strip_prefix('\n').unwrap_or(text);
            return (yaml, text);
        }
    }
    ("", raw)
}

fn parse_license(name: &str, raw: &str) -> Result<License> {
    let (yaml, text) = split_front_matter(raw);
    let mut l: License =
        serde_yaml_ng::from_str(yaml).with_context(|| format!("{name}: front matter"))?;
    l.text = text.to_string();
    Ok(l)
}

fn parse_rule(name: &str, raw: &str) -> Result<Rule> {
    let (yaml, text) = split_front_matter(raw);
    let mut r: Rule = if yaml.trim().is_empty() {
        Rule::default()
    } else {
        serde_yaml_ng::from_str(yaml).with_context(|| format!("{name}: front matter"))?
    };
    r.identifier = name.to_string();
    r.text = text.to_string();
    Ok(r)
}

impl Data {
    /// Reads a wheel (`*.whl`, a zip) or a folder holding `licenses/` and `rules/`.
    pub fn read(path: &Path) -> Result<Data> {
        if path.is_dir() {
            Self::read_dir(path)
        } else {
            Self::read_wheel(path)
        }
    }

    fn add(&mut self, name: &str, raw: &str) -> Result<()> {
        if let Some(file) = name.strip_suffix(".LICENSE") {
            let file = file.rsplit('/').next().unwrap_or(file);
            let l = parse_license(file, raw)?;
            self.licenses.push(l);
        } else if name.ends_with(".RULE") {
            let file = name.rsplit('/').next().unwrap_or(name);
            self.rules.push(parse_rule(file, raw)?);
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if self.licenses.len() < 100 || self.rules.len() < 1000 {
            bail!(
                "{}: found {} licenses and {} rules; is this ScanCode's licensedcode data?",
                self.source,
                self.licenses.len(),
                self.rules.len()
            );
        }
        self.licenses.sort_by(|a, b| a.key.cmp(&b.key));
        self.rules.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        Ok(())
    }

    fn read_wheel(path: &Path) -> Result<Data> {
        use sha2::{Digest, Sha256};
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut data = Data {
            digest: hex::encode(Sha256::digest(&bytes)),
            source: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..Default::default()
        };
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .with_context(|| format!("{} is not a wheel (zip)", path.display()))?;
        for i in 0..zip.len() {
            let mut f = zip.by_index(i)?;
            let name = f.name().to_string();
            let wanted = name.contains("licensedcode/data/licenses/")
                || name.contains("licensedcode/data/rules/");
            if !wanted || !(name.ends_with(".LICENSE") || name.ends_with(".RULE")) {
                continue;
            }
            let mut raw = String::new();
            f.read_to_string(&mut raw)
                .with_context(|| format!("{name}: not UTF-8"))?;
            data.add(&name, &raw)?;
        }
        data.finish()?;
        Ok(data)
    }

    fn read_dir(dir: &Path) -> Result<Data> {
        use sha2::{Digest, Sha256};
        let mut data = Data {
            source: dir.display().to_string(),
            ..Default::default()
        };
        let mut files = Vec::new();
        for sub in ["licenses", "rules"] {
            let d = dir.join(sub);
            for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
                files.push(e?.path());
            }
        }
        files.sort();
        let mut h = Sha256::new();
        for p in files {
            let name = p.to_string_lossy().into_owned();
            if !(name.ends_with(".LICENSE") || name.ends_with(".RULE")) {
                continue;
            }
            let raw = std::fs::read_to_string(&p).with_context(|| format!("reading {name}"))?;
            h.update(p.file_name().unwrap_or_default().as_encoded_bytes());
            h.update(raw.as_bytes());
            data.add(&name, &raw)?;
        }
        data.digest = hex::encode(h.finalize());
        data.finish()?;
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_text() {
        let r = parse_rule(
            "gpl-2.0-plus_1.RULE",
            "---\nlicense_expression: gpl-2.0-plus\nis_license_notice: yes\nrelevance: 90\nreferenced_filenames:\n    - /usr/share/common-licenses/GPL\n---\n\nLicense:\n  text\n",
        )
        .unwrap();
        assert_eq!(r.license_expression.as_deref(), Some("gpl-2.0-plus"));
        assert!(r.is_license_notice && !r.is_license_text);
        assert_eq!(r.relevance, Some(90));
        assert_eq!(r.text.trim_start(), "License:\n  text\n");
        let l = parse_license(
            "mit",
            "---\nkey: mit\nshort_name: MIT License\ncategory: Permissive\nspdx_license_key: MIT\nnotes: |\n    a\n    b\n---\nPermission is hereby granted",
        )
        .unwrap();
        assert_eq!(l.spdx_license_key.as_deref(), Some("MIT"));
        assert_eq!(l.text, "Permission is hereby granted");
    }
}
