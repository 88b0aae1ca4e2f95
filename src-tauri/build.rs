include!("src/command_names.rs");

fn main() {
    let attrs = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES));
    if let Err(e) = tauri_build::try_build(attrs) {
        // Most often: ui/dist is missing. Say how to make it.
        println!("cargo::error=tauri-build 失败（先在 ui/ 运行 npm ci && npm run build）：{e:#}");
        std::process::exit(1);
    }
}
