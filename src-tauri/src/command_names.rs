// The IPC commands the main window may call. Shared by build.rs (which generates one
// `allow-<command>` permission per entry) and the crate (a test proves it equals the command list
// and capabilities/main.json), so a command cannot exist without being granted, or the reverse.
pub const COMMAND_NAMES: &[&str] = &[
    "app_info",
    "list_staff",
    "login",
    "logout",
    "lock",
    "unlock",
    "current_actor",
    "list_cases",
    "search_cases",
    "light_counts",
    "case_detail",
    "act",
    "check_id",
    "catalog_items",
    "catalog_item",
    "reusable_materials",
    "new_case",
    "save_draft",
    "load_draft",
    "clear_draft",
    "status",
    "import_calendar",
];
