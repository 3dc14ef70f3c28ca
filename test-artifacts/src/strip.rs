//! `wasm-tools strip -a` in-process: the same component or module without any custom section (names,
//! producers, component-type records), so that sizes compare what a host actually has to load.

use anyhow::Result;
use wasm_encoder::{ComponentSectionId, Encode, RawSection, Section};
use wasmparser::{Encoding, Parser, Payload};

/// Removes every custom section, in nested modules and components too.
pub fn strip_custom_sections(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut output = Vec::new();
    // The outputs of the enclosing components while a nested module or component is being rewritten.
    let mut enclosing = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        match &payload {
            Payload::Version { encoding, .. } => {
                output.extend_from_slice(&match encoding {
                    Encoding::Component => wasm_encoder::Component::HEADER,
                    Encoding::Module => wasm_encoder::Module::HEADER,
                });
                continue;
            }
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                enclosing.push(std::mem::take(&mut output));
                continue;
            }
            Payload::End(_) => {
                let Some(mut parent) = enclosing.pop() else { break };
                let id = if output.starts_with(&wasm_encoder::Component::HEADER) {
                    ComponentSectionId::Component
                } else {
                    ComponentSectionId::CoreModule
                };
                parent.push(id as u8);
                output.encode(&mut parent);
                output = parent;
                continue;
            }
            Payload::CustomSection(_) => continue,
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            // Offsets into a slice we hold, so they fit in usize.
            RawSection {
                id,
                data: &wasm[range.start as usize..range.end as usize],
            }
            .append_to(&mut output);
        }
    }
    Ok(output)
}
