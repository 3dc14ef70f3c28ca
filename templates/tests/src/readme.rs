//! The commands of a generated README, found by their markers: a line `<!-- template-test: NAME -->` right before
//! a fenced `sh` block (each flavor's README in templates/component/kinds/ has them).

use anyhow::{Context, Result, bail};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::path::Path;

pub struct Readme {
    blocks: HashMap<String, String>,
}

impl Readme {
    pub fn read(path: &Path) -> Result<Readme> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Readme::parse(&text).with_context(|| format!("{}", path.display()))
    }

    fn parse(text: &str) -> Result<Readme> {
        let mut blocks = HashMap::new();
        let mut marked: Option<String> = None;
        let mut events = Parser::new(text);
        while let Some(event) = events.next() {
            match event {
                Event::Html(html) => {
                    if let Some(name) = marker(&html)
                        && let Some(earlier) = marked.replace(name.to_string())
                    {
                        bail!("the marker `{earlier}` has no fenced sh block after it");
                    }
                }
                Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language)))
                    if language.as_ref() == "sh" && marked.is_some() =>
                {
                    let mut block = String::new();
                    for event in events.by_ref() {
                        match event {
                            Event::Text(text) => block.push_str(&text),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    let name = marked.take().expect("checked by the guard");
                    if blocks.insert(name.clone(), block).is_some() {
                        bail!("two blocks are marked `{name}`");
                    }
                }
                _ => {
                    if let Some(name) = marked {
                        bail!("the marker `{name}` is not right before a fenced sh block");
                    }
                }
            }
        }
        if let Some(name) = marked {
            bail!("the marker `{name}` has no fenced sh block after it");
        }
        Ok(Readme { blocks })
    }

    /// The block marked `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.blocks.get(name).map(String::as_str)
    }

    /// The block marked `name`.
    pub fn block(&self, name: &str) -> Result<&str> {
        self.get(name)
            .with_context(|| format!("the README has no block marked <!-- template-test: {name} -->"))
    }
}

/// `NAME` of a line `<!-- template-test: NAME -->`.
fn marker(html: &str) -> Option<&str> {
    let name = html.trim().strip_prefix("<!-- template-test:")?.strip_suffix("-->")?;
    Some(name.trim())
}
