//! The Flashdeck web UI, mounted on the page's body.

mod api;
mod app;
mod components;
mod on_demand;
mod pages;
mod session;

fn main() {
    // A panic's message in the browser's console, so a bug report can say what broke; the
    // message alone, which costs the bundle far less than a stack-trace hook.
    std::panic::set_hook(Box::new(|panic| {
        web_sys::console::error_1(&panic.to_string().into());
    }));
    leptos::mount::mount_to_body(app::App);
}
