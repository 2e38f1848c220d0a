//! The one XML reader: quick-xml events into a small element tree, with every bound an
//! untrusted document needs in one place.
//!
//! Poms in a scanned tree and CycloneDX XML given to `--from` are both untrusted input:
//! - no DTD is read and no declared entity is ever expanded (internal or external: no XXE,
//!   no "billion laughs"); only the five predefined entities and character references are
//!   resolved, and what becomes of any other `&name;` is the caller's choice ([`Entities`]);
//! - element nesting and the number of elements are bounded ([`Limits`]), so a hostile
//!   document cannot exhaust the stack or memory; the text size is bounded by whoever
//!   read the file;
//! - end tags must match their start tags: a truncated or garbled document is an error,
//!   not half a tree.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// An element: its local name (namespace prefix dropped), attributes, text and children.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    /// (name as written, normalized value); only read with [`Limits::attributes`].
    pub attrs: Vec<(String, String)>,
    /// Text and CDATA directly inside the element, concatenated, untrimmed.
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child element named `name`, in document order.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child element named `name`; None when absent or empty.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    /// The value of attribute `k`.
    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }

    /// The element's own text, trimmed.
    pub fn text(&self) -> String {
        self.text.trim().to_string()
    }
}

/// What becomes of a reference to an entity that is not predefined (`&xxe;`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entities {
    /// Kept as the literal text `&xxe;` (a pom is read for what it says, even if odd).
    KeepLiteral,
    /// The document is refused.
    Refuse,
}

/// The bounds of one kind of document.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest element nesting accepted (the root is depth 1).
    pub max_depth: usize,
    /// Most elements accepted in one document.
    pub max_elements: usize,
    /// Read attributes (an attribute that cannot be read is then an error).
    pub attributes: bool,
    pub entities: Entities,
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Byte offset in the text where it was noticed.
    pub offset: usize,
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not well-formed XML (quick-xml's own error).
    Syntax,
    /// Over one of the [`Limits`].
    Limit,
    /// Well-formed events, but not one document: no root, two roots, unbalanced tags.
    Structure,
}

impl Error {
    fn new(offset: usize, kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            offset,
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn start(e: &BytesStart, limits: &Limits) -> Result<Node, String> {
    let mut attrs = Vec::new();
    if limits.attributes {
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            attrs.push((
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                v.into_owned(),
            ));
        }
    }
    Ok(Node {
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        attrs,
        ..Default::default()
    })
}

/// Parse one document into its root element.
pub fn parse(text: &str, limits: &Limits) -> Result<Node, Error> {
    use ErrorKind::{Limit, Structure, Syntax};
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut count = 0usize;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| Error::new(reader.error_position() as usize, Syntax, e.to_string()))?;
        let at = reader.buffer_position() as usize;
        let text_err = |e: &dyn std::fmt::Display| Error::new(at, Syntax, e.to_string());
        match ev {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(Error::new(at, Structure, "content after the root element"));
            }
            Event::Start(_) | Event::Empty(_) if count >= limits.max_elements => {
                return Err(Error::new(
                    at,
                    Limit,
                    format!("too many elements (over {})", limits.max_elements),
                ));
            }
            Event::Start(_) | Event::Empty(_) if stack.len() >= limits.max_depth => {
                return Err(Error::new(
                    at,
                    Limit,
                    format!("too deeply nested (over {} levels)", limits.max_depth),
                ));
            }
            Event::Start(e) => {
                count += 1;
                stack.push(start(&e, limits).map_err(|m| Error::new(at, Syntax, m))?);
            }
            Event::Empty(e) => {
                count += 1;
                let n = start(&e, limits).map_err(|m| Error::new(at, Syntax, m))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::End(_) => {
                let n = stack
                    .pop()
                    .ok_or_else(|| Error::new(at, Structure, "unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(p) => p.children.push(n),
                    None => root = Some(n),
                }
            }
            Event::Text(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.decode().map_err(|e| text_err(&e))?);
                }
            }
            Event::CData(t) => {
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&t.decode().map_err(|e| text_err(&e))?);
                }
            }
            Event::GeneralRef(r) => {
                let Some(n) = stack.last_mut() else { continue };
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    n.text.push(c);
                    continue;
                }
                let name = r.decode().map_err(|e| text_err(&e))?;
                // Only the five predefined entities: DTD-declared (possibly external)
                // entities are deliberately never expanded.
                match (resolve_predefined_entity(&name), limits.entities) {
                    (Some(s), _) => n.text.push_str(s),
                    (None, Entities::KeepLiteral) => {
                        n.text.push('&');
                        n.text.push_str(&name);
                        n.text.push(';');
                    }
                    (None, Entities::Refuse) => {
                        return Err(Error::new(
                            at,
                            Syntax,
                            format!("undeclared entity &{name};"),
                        ));
                    }
                }
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions, DOCTYPE: nothing to read.
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Error::new(
            text.len(),
            Structure,
            format!("unexpected end of file inside <{}>", open.name),
        ));
    }
    root.ok_or_else(|| Error::new(0, Structure, "no root element"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits {
        max_depth: 4,
        max_elements: 10,
        attributes: true,
        entities: Entities::Refuse,
    };

    #[test]
    fn a_tree_with_attributes_and_text() {
        let n = parse(
            "<?xml version=\"1.0\"?><a x=\"1\"><b>t &amp; &#65;</b><b/><![CDATA[c]]></a>",
            &L,
        )
        .unwrap();
        assert_eq!(n.name, "a");
        assert_eq!(n.attr("x"), Some("1"));
        assert_eq!(n.text_of("b").as_deref(), Some("t & A"));
        assert_eq!(n.children("b").count(), 2);
        assert_eq!(n.text(), "c");
    }

    #[test]
    fn bounds_and_structure() {
        let deep = format!("{}{}", "<a>".repeat(5), "</a>".repeat(5));
        assert_eq!(parse(&deep, &L).unwrap_err().kind, ErrorKind::Limit);
        let ok = format!("{}{}", "<a>".repeat(4), "</a>".repeat(4));
        assert!(parse(&ok, &L).is_ok());
        let many = format!("<r>{}</r>", "<x/>".repeat(10));
        assert_eq!(parse(&many, &L).unwrap_err().kind, ErrorKind::Limit);
        assert!(parse("<a><b></a>", &L).is_err());
        assert!(parse("<a>", &L).is_err());
        assert!(parse("", &L).is_err());
        assert!(parse("<a/><b/>", &L).is_err());
    }

    #[test]
    fn declared_entities_are_never_expanded() {
        let doc = "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>";
        assert!(parse(doc, &L)
            .unwrap_err()
            .message
            .contains("undeclared entity"));
        let keep = Limits {
            entities: Entities::KeepLiteral,
            ..L
        };
        assert_eq!(parse(doc, &keep).unwrap().text, "&xxe;");
    }
}
