//! `berth init`: scaffold a new Cargo project from handlebars templates.

use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use serde_json::json;

use crate::cli::{InitArgs, InitTemplate};
use crate::commands::Ctx;
use crate::error::CliError;
use crate::exit;

/// Files every project gets: (template name, path in the project).
const COMMON: &[(&str, &str, &str)] = &[
    (
        "Cargo.toml",
        "Cargo.toml",
        include_str!("../../templates/common/Cargo.toml.hbs"),
    ),
    (
        "berth.toml",
        "berth.toml",
        include_str!("../../templates/common/berth.toml.hbs"),
    ),
    (
        "gitignore",
        ".gitignore",
        include_str!("../../templates/common/gitignore.hbs"),
    ),
    (
        "main.rs",
        "src/main.rs",
        include_str!("../../templates/common/main.rs.hbs"),
    ),
    (
        "README.md",
        "README.md",
        include_str!("../../templates/common/README.md.hbs"),
    ),
    (
        "cargo-config.toml",
        ".cargo/config.toml",
        include_str!("../../templates/common/cargo-config.toml.hbs"),
    ),
];

fn kind_files(kind: InitTemplate) -> [(&'static str, &'static str, &'static str); 2] {
    match kind {
        InitTemplate::Web => [
            (
                "lib.rs",
                "src/lib.rs",
                include_str!("../../templates/web/lib.rs.hbs"),
            ),
            (
                "stack.rs",
                "tests/stack.rs",
                include_str!("../../templates/web/stack.rs.hbs"),
            ),
        ],
        InitTemplate::Worker => [
            (
                "lib.rs",
                "src/lib.rs",
                include_str!("../../templates/worker/lib.rs.hbs"),
            ),
            (
                "stack.rs",
                "tests/stack.rs",
                include_str!("../../templates/worker/stack.rs.hbs"),
            ),
        ],
        InitTemplate::Scheduled => [
            (
                "lib.rs",
                "src/lib.rs",
                include_str!("../../templates/scheduled/lib.rs.hbs"),
            ),
            (
                "stack.rs",
                "tests/stack.rs",
                include_str!("../../templates/scheduled/stack.rs.hbs"),
            ),
        ],
    }
}

/// A crate name from a directory name: lower case, `-` between words.
pub fn crate_name(dir_name: &str) -> String {
    let mut name = String::new();
    for c in dir_name.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_string();
    match name.chars().next() {
        None => "berth-app".into(),
        Some(c) if c.is_ascii_digit() => format!("app-{name}"),
        Some(_) => name,
    }
}

/// A stack name from a crate name: `my-web-app` → `MyWebApp`.
pub fn stack_name(crate_name: &str) -> String {
    crate_name
        .split('-')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Renders the project files for `kind` as (relative path, contents). `cli_install` is
/// the command that installs the matching `berth` CLI (the project's README names it).
pub fn render(
    kind: InitTemplate,
    crate_name: &str,
    berth_dependency: &str,
    cli_install: &str,
) -> Result<Vec<(PathBuf, String)>, CliError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    let template = match kind {
        InitTemplate::Web => "web",
        InitTemplate::Worker => "worker",
        InitTemplate::Scheduled => "scheduled",
    };
    let data = json!({
        "crate_name": crate_name,
        "crate_ident": crate_name.replace('-', "_"),
        "stack_name": stack_name(crate_name),
        "berth_dependency": berth_dependency,
        "cli_install": cli_install,
        "template": template,
        "image": match kind {
            InitTemplate::Web => "public.ecr.aws/nginx/nginx:stable",
            _ => "public.ecr.aws/docker/library/busybox:stable",
        },
    });
    let mut files = Vec::new();
    for (name, path, text) in COMMON.iter().copied().chain(kind_files(kind)) {
        let rendered = hb
            .render_template(text, &data)
            .map_err(|source| CliError::Render {
                file: name.to_string(),
                source: Box::new(source),
            })?;
        files.push((PathBuf::from(path), rendered));
    }
    Ok(files)
}

/// A path as one shell word (quoted when it has spaces or quotes).
fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    if s.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)) {
        format!("'{}'", s.replace('\'', r"'\''"))
    } else {
        s
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => true,
    }
}

/// Runs `berth init`.
pub fn run(ctx: &mut Ctx<'_>, args: &InitArgs) -> Result<u8, CliError> {
    let dir = match &args.dir {
        Some(d) => ctx.cwd.join(d),
        None => ctx.cwd.clone(),
    };
    if !is_empty_dir(&dir) {
        return Err(CliError::InitNotEmpty(dir));
    }
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = crate_name(&dir_name);
    // The facade without its `cli` feature: the app links no AWS SDK.
    let (dependency, install) = match &args.berth_path {
        Some(p) => {
            let p = ctx.cwd.join(p);
            (
                format!(
                    "{{ path = {:?}, default-features = false }}",
                    p.display().to_string()
                ),
                format!(
                    "cargo install --locked --path {}",
                    shell_word(&p.join("cli"))
                ),
            )
        }
        None => (
            format!(
                "{{ version = \"{}\", default-features = false }}",
                env!("CARGO_PKG_VERSION")
            ),
            format!(
                "cargo install --locked berth-cli --version {}",
                env!("CARGO_PKG_VERSION")
            ),
        ),
    };
    let files = render(args.template, &name, &dependency, &install)?;
    for (path, text) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CliError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&full, text).map_err(|source| CliError::Write {
            path: full.clone(),
            source,
        })?;
    }
    ctx.out.line(&format!(
        "Created {name} ({:?} template) in {}:",
        args.template,
        dir.display()
    ));
    for (path, _) in &files {
        ctx.out.line(&format!("  {}", path.display()));
    }
    ctx.out.line(&format!(
        "Next: cargo test; cargo run (synthesizes); with the CLI installed ({install}): \
         cargo run -- diff / cargo run -- deploy"
    ));
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(crate_name("My Web_App"), "my-web-app");
        assert_eq!(crate_name("9lives"), "app-9lives");
        assert_eq!(crate_name("---"), "berth-app");
        assert_eq!(stack_name("my-web-app"), "MyWebApp");
    }
}
