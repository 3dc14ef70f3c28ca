//! Structural mutation of a component: `wasm-mutate` rewrites one of its core modules (a peephole rewrite, an
//! item added or removed, a data segment changed, ...) and every other section is kept byte for byte. Most mutants
//! still parse, validate and link, so they reach compilation and the guest's run, where random bytes rarely get
//! past the header.

use wasm_encoder::{Component, ComponentSectionId, RawSection};
use wasm_mutate::WasmMutate;
use wasmparser::{Parser, Payload, Validator};

/// How much work one mutation may do: wasm-mutate's e-graph rewrites are otherwise unbounded.
const FUEL: u64 = 1_000;

/// `component` with one of its core modules, chosen by `seed`, mutated; `None` when `component` does not parse,
/// has no core module, or the chosen one is invalid or none of wasm-mutate's mutations applies to it.
pub fn mutate(component: &[u8], seed: u64) -> Option<Vec<u8>> {
    let sections = sections(component)?;
    let modules: Vec<usize> = (0..sections.len())
        .filter(|&i| sections[i].0 == ComponentSectionId::CoreModule as u8)
        .collect();
    let chosen = *modules.get(usize::try_from(seed).ok()? % modules.len().max(1))?;
    let module = sections[chosen].1;
    // wasm-mutate expects a valid module and may panic on another, such as one that a byte-level mutation left.
    Validator::new().validate_all(module).ok()?;
    let mut wasm_mutate = WasmMutate::default();
    wasm_mutate.seed(seed).fuel(FUEL);
    let module = wasm_mutate.run(module).ok()?.next()?.ok()?;
    let mut mutant = Component::new();
    for (i, &(id, data)) in sections.iter().enumerate() {
        let data = if i == chosen { &module } else { data };
        mutant.section(&RawSection { id, data });
    }
    Some(mutant.finish())
}

/// The id and contents of each top-level section of `component`, nested modules and components whole.
fn sections(component: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut sections = Vec::new();
    // Each module or component, the outer one too, starts with `Version` and ends with `End`.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        let payload = payload.ok()?;
        if depth == 1
            && let Some((id, range)) = payload.as_section()
        {
            // A nested module's range is the size its section claims, which a cut component may not have.
            sections.push((id, component.get(range.start as usize..range.end as usize)?));
        }
        match payload {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            _ => {}
        }
    }
    Some(sections)
}
