//! The static reader of `prisma.config.ts`: any text is read without a panic (and without
//! running `node`), and every error it gives renders.

#![no_main]

use std::path::Path;

use drydock_engine::read_config_static;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let env = |name: &str| match name {
        "DATABASE_URL" => Some("postgresql://u:p@localhost/db".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let Ok(config) = read_config_static(Path::new("prisma.config.ts"), text, &env) else {
        return;
    };
    for setting in [
        &config.schema,
        &config.migrations_path,
        &config.url,
        &config.shadow_database_url,
        &config.seed(&env),
    ] {
        match setting {
            Some(Ok(value)) => {
                let _ = config.resolve(value);
            }
            Some(Err(error)) => {
                let _ = error.to_string();
            }
            None => {}
        }
    }
});
