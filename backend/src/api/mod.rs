//! The portal's JSON API under `/api`.

mod arrays;
mod audit;
mod connections;
mod fleet;
mod hosts;
mod planning;
mod protection;
mod pure1;
mod recycle;
mod rest;
mod snapshots;
mod tokens;
mod users;
mod volumes;

use axum::extract::{FromRequest, Request};
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, get, on, post};
use axum::{Json, Router, middleware};
use flasharray::{ArrayClient, ListParams};
use serde::de::DeserializeOwned;
use shared::api::{ApiError, Identity, Role};

use crate::auth::{self, CurrentUser};
use crate::error::AppError;
use crate::guard::{self, Access, RoutePolicy};
use crate::state::AppState;

pub use rest::API_TOKEN_HEADER as REST_API_TOKEN_HEADER;

/// One route of the API and who may call it. The router is built from [`endpoints`] alone,
/// so every route has a policy, and the role matrix test walks the same list.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The audited action of a change; reads have none.
    pub action: Option<&'static str>,
    route: MethodRouter<AppState>,
}

/// A read: `GET`, never audited.
fn read<H, T>(path: &'static str, role: Role, handler: H) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Endpoint {
        method: Method::GET,
        path,
        access: Access::Role(role),
        action: None,
        route: get(handler),
    }
}

/// A change, recorded in the audit log as `action`.
fn change<H, T>(
    method: Method,
    path: &'static str,
    role: Role,
    action: &'static str,
    handler: H,
) -> Endpoint
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("changes use standard methods");
    Endpoint {
        method,
        path,
        access: Access::Role(role),
        action: Some(action),
        route: on(filter, handler),
    }
}

/// Every route under `/api`, with its policy.
pub fn endpoints() -> Vec<Endpoint> {
    use Role::{Admin, Operator, Viewer};
    const ARRAY_VOLUMES: &str = "/arrays/{array}/volumes";
    const VOLUME: &str = "/arrays/{array}/volumes/{volume}";
    const HOST: &str = "/arrays/{array}/hosts/{host}";
    const MEMBER: &str = "/arrays/{array}/host-groups/{group}/hosts/{host}";
    const SNAPSHOT: &str = "/arrays/{array}/volume-snapshots/{snapshot}";
    const GROUP: &str = "/arrays/{array}/protection-groups/{group}";
    const GROUP_MEMBERS: &str = "/arrays/{array}/protection-groups/{group}/members";
    const GROUP_SNAPSHOTS: &str = "/arrays/{array}/protection-groups/{group}/snapshots";
    const GROUP_SNAPSHOT: &str = "/arrays/{array}/protection-group-snapshots/{snapshot}";
    const CONNECTIONS: &str = "/arrays/{array}/connections";
    const REST_VERSIONS: &str = "/arrays/{array}/rest/api/api_version";
    const REST_LOGIN: &str = "/arrays/{array}/rest/api/{version}/login";
    const REST_LOGOUT: &str = "/arrays/{array}/rest/api/{version}/logout";
    const REST_CALL: &str = "/arrays/{array}/rest/api/{version}/{*path}";
    let login = Endpoint {
        method: Method::POST,
        path: "/auth/login",
        access: Access::Public,
        // Audited by the handler itself: the user is whoever the body names.
        action: None,
        route: post(auth::login),
    };
    vec![
        login,
        change(
            Method::POST,
            "/auth/logout",
            Viewer,
            "session.logout",
            auth::logout,
        ),
        read("/auth/me", Viewer, auth::me),
        read("/arrays", Viewer, arrays::list),
        change(
            Method::POST,
            "/arrays",
            Admin,
            "array.register",
            arrays::register,
        ),
        change(
            Method::DELETE,
            "/arrays/{array}",
            Admin,
            "array.remove",
            arrays::remove,
        ),
        change(
            Method::POST,
            "/arrays/{array}/connection-test",
            Admin,
            "array.test",
            arrays::test_registered,
        ),
        change(
            Method::POST,
            "/connection-test",
            Admin,
            "array.test_unsaved",
            arrays::test_unsaved,
        ),
        read(ARRAY_VOLUMES, Viewer, volumes::list),
        change(
            Method::POST,
            ARRAY_VOLUMES,
            Operator,
            "volume.create",
            volumes::create,
        ),
        read(VOLUME, Viewer, volumes::get_one),
        change(
            Method::PATCH,
            VOLUME,
            Operator,
            "volume.change",
            volumes::change,
        ),
        change(
            Method::DELETE,
            VOLUME,
            Admin,
            "volume.eradicate",
            volumes::eradicate,
        ),
        read("/arrays/{array}/hosts", Viewer, hosts::list),
        change(
            Method::POST,
            "/arrays/{array}/hosts",
            Operator,
            "host.create",
            hosts::create,
        ),
        read(HOST, Viewer, hosts::get_one),
        change(Method::PATCH, HOST, Operator, "host.change", hosts::change),
        change(Method::DELETE, HOST, Operator, "host.delete", hosts::delete),
        read("/arrays/{array}/host-groups", Viewer, hosts::list_groups),
        change(
            Method::POST,
            "/arrays/{array}/host-groups",
            Operator,
            "host_group.create",
            hosts::create_group,
        ),
        change(
            Method::DELETE,
            "/arrays/{array}/host-groups/{group}",
            Operator,
            "host_group.delete",
            hosts::delete_group,
        ),
        change(
            Method::PUT,
            MEMBER,
            Operator,
            "host_group.add_host",
            hosts::add_member,
        ),
        change(
            Method::DELETE,
            MEMBER,
            Operator,
            "host_group.remove_host",
            hosts::remove_member,
        ),
        read("/arrays/{array}/volume-snapshots", Viewer, snapshots::list),
        change(
            Method::POST,
            "/arrays/{array}/volume-snapshots",
            Operator,
            "snapshot.create",
            snapshots::create,
        ),
        change(
            Method::PATCH,
            SNAPSHOT,
            Operator,
            "snapshot.change",
            snapshots::change,
        ),
        change(
            Method::DELETE,
            SNAPSHOT,
            Admin,
            "snapshot.eradicate",
            snapshots::eradicate,
        ),
        change(
            Method::POST,
            "/arrays/{array}/volumes/copy",
            Operator,
            "volume.copy",
            snapshots::copy,
        ),
        change(
            Method::POST,
            "/arrays/{array}/volumes/{volume}/restore",
            Operator,
            "volume.restore",
            snapshots::restore,
        ),
        read(
            "/arrays/{array}/protection-groups",
            Viewer,
            protection::list,
        ),
        change(
            Method::POST,
            "/arrays/{array}/protection-groups",
            Operator,
            "protection_group.create",
            protection::create,
        ),
        read(GROUP, Viewer, protection::get_one),
        change(
            Method::PATCH,
            GROUP,
            Operator,
            "protection_group.change",
            protection::change,
        ),
        change(
            Method::DELETE,
            GROUP,
            Admin,
            "protection_group.eradicate",
            protection::eradicate,
        ),
        change(
            Method::POST,
            GROUP_MEMBERS,
            Operator,
            "protection_group.add_members",
            protection::add_members,
        ),
        change(
            Method::DELETE,
            GROUP_MEMBERS,
            Operator,
            "protection_group.remove_members",
            protection::remove_members,
        ),
        read(GROUP_SNAPSHOTS, Viewer, protection::snapshots),
        change(
            Method::POST,
            GROUP_SNAPSHOTS,
            Operator,
            "protection_group.snapshot",
            protection::snapshot_now,
        ),
        change(
            Method::PATCH,
            GROUP_SNAPSHOT,
            Operator,
            "protection_group_snapshot.change",
            protection::change_snapshot,
        ),
        change(
            Method::DELETE,
            GROUP_SNAPSHOT,
            Admin,
            "protection_group_snapshot.eradicate",
            protection::eradicate_snapshot,
        ),
        read("/fleet/summary", Viewer, fleet::summary),
        read("/fleet/alerts", Viewer, fleet::alerts),
        read("/fleet/search", Viewer, fleet::search),
        change(
            Method::PUT,
            "/arrays/{array}/alerts/{alert}/flag",
            Operator,
            "alert.flag",
            fleet::flag_alert,
        ),
        change(
            Method::POST,
            "/fleet/snapshots",
            Operator,
            "fleet.snapshot",
            fleet::snapshot_volumes,
        ),
        change(
            Method::POST,
            "/fleet/destroy",
            Operator,
            "fleet.destroy",
            fleet::destroy_volumes,
        ),
        read("/fleet/pure1", Viewer, pure1::fleet),
        read("/fleet/placement", Viewer, planning::placement),
        read("/arrays/{array}/forecast", Viewer, planning::array_forecast),
        read("/pure1", Admin, pure1::status),
        change(
            Method::POST,
            "/pure1/key-pair",
            Admin,
            "pure1.generate_key_pair",
            pure1::generate_key_pair,
        ),
        change(
            Method::POST,
            "/pure1/test",
            Admin,
            "pure1.test",
            pure1::test,
        ),
        change(
            Method::PUT,
            "/pure1",
            Admin,
            "pure1.connect",
            pure1::connect,
        ),
        change(
            Method::DELETE,
            "/pure1",
            Admin,
            "pure1.disconnect",
            pure1::disconnect,
        ),
        read("/arrays/{array}/history", Viewer, fleet::array_history),
        read(
            "/arrays/{array}/volumes/{volume}/history",
            Viewer,
            fleet::volume_history,
        ),
        read("/recycle-bin", Viewer, recycle::list),
        change(
            Method::POST,
            "/recycle-bin/recover",
            Operator,
            "recycle_bin.recover",
            recycle::recover,
        ),
        change(
            Method::POST,
            "/recycle-bin/eradicate",
            Admin,
            "recycle_bin.eradicate",
            recycle::eradicate,
        ),
        read(CONNECTIONS, Viewer, connections::list),
        change(
            Method::POST,
            CONNECTIONS,
            Operator,
            "connection.create",
            connections::create,
        ),
        change(
            Method::DELETE,
            CONNECTIONS,
            Operator,
            "connection.delete",
            connections::delete,
        ),
        read("/users", Admin, users::list),
        change(Method::POST, "/users", Admin, "user.create", users::create),
        change(
            Method::PATCH,
            "/users/{user}",
            Admin,
            "user.change",
            users::change,
        ),
        change(
            Method::DELETE,
            "/users/{user}/sessions",
            Admin,
            "user.end_sessions",
            users::end_sessions,
        ),
        read("/tokens", Viewer, tokens::list_own),
        read("/tokens/all", Admin, tokens::list_all),
        change(
            Method::POST,
            "/tokens",
            Viewer,
            "token.create",
            tokens::create,
        ),
        change(
            Method::DELETE,
            "/tokens/{token}",
            Viewer,
            "token.revoke",
            tokens::revoke,
        ),
        Endpoint {
            method: Method::GET,
            path: REST_VERSIONS,
            // Arrays list their versions to anyone, and the SDK asks before signing in.
            access: Access::Public,
            action: None,
            route: get(rest::api_version),
        },
        Endpoint {
            method: Method::POST,
            path: REST_LOGIN,
            // The `api-token` header is checked by the handler, as the portal's own sign-in.
            access: Access::Public,
            action: None,
            route: post(rest::login),
        },
        read(REST_CALL, Viewer, rest::call),
        change(
            Method::POST,
            REST_LOGOUT,
            Viewer,
            "rest.logout",
            rest::logout,
        ),
        change(Method::POST, REST_CALL, Viewer, "rest.post", rest::call),
        change(Method::PATCH, REST_CALL, Viewer, "rest.patch", rest::call),
        change(Method::PUT, REST_CALL, Viewer, "rest.put", rest::call),
        change(Method::DELETE, REST_CALL, Viewer, "rest.delete", rest::call),
        read("/audit", Admin, audit::list),
        read("/audit.csv", Admin, audit::export_csv),
    ]
}

/// Every `/api` route behind its gate. Unknown paths get a JSON 404, never the frontend's
/// `index.html`.
pub fn router(state: &AppState) -> Router<AppState> {
    endpoints()
        .into_iter()
        .fold(Router::new(), |router, endpoint| {
            let policy = RoutePolicy {
                state: state.clone(),
                access: endpoint.access,
                action: endpoint.action,
            };
            let route = endpoint
                .route
                .layer(middleware::from_fn_with_state(policy, guard::gate));
            let route = if endpoint.path.starts_with(rest::ROOT) {
                route.layer(middleware::from_fn(rest::array_envelope))
            } else {
                route
            };
            router.route(endpoint.path, route)
        })
        .fallback(|| async { AppError::NotFound("No such API endpoint.".into()) })
        .layer(middleware::from_fn(auth::require_csrf_header))
}

/// A JSON body whose rejection is an [`ApiError`] like every other error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(|rejection| {
                AppError::Invalid(ApiError::new(format!(
                    "Invalid request body: {}",
                    rejection.body_text()
                )))
            })
    }
}

/// The registered array `name` as `user` reaches it: refused outside the user's scope, a
/// 404 that names it if there is none, and acting as the user on an array set up for
/// per-user identity.
/// The most items one page of a list may hold.
const MAX_PAGE: u32 = 1000;

/// The longest name part a list may be searched for: longer than any object name.
const MAX_SEARCH_LEN: usize = 255;

/// A table's page as the array's list parameters: the search as a name filter, the sort key
/// as the array's field (through `sort_field`), the page cut to at most [`MAX_PAGE`].
fn table_page(
    sort: Option<&str>,
    sort_field: fn(&str) -> Result<String, ApiError>,
    search: Option<&str>,
    limit: Option<u32>,
    offset: Option<u32>,
) -> Result<ListParams, AppError> {
    let sort = sort
        .map(sort_field)
        .transpose()
        .map_err(AppError::Invalid)?;
    let filter = search
        .filter(|search| !search.trim().is_empty())
        .map(search_filter)
        .transpose()?;
    Ok(ListParams {
        filter,
        sort,
        limit: Some(limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE)),
        offset,
        total_item_count: true,
    })
}

/// A name search as an array filter: `name='*text*'`, matched ignoring case by the array.
fn search_filter(search: &str) -> Result<String, AppError> {
    let text = search.trim();
    if text.len() > MAX_SEARCH_LEN {
        return Err(AppError::Invalid(ApiError::for_field(
            "search",
            format!("Search for at most {MAX_SEARCH_LEN} characters."),
        )));
    }
    if text.contains(['\'', '"', '*', '\\']) {
        return Err(AppError::Invalid(ApiError::for_field(
            "search",
            "Search for letters, digits and '-' only.",
        )));
    }
    Ok(format!("name='*{text}*'"))
}

fn array(state: &AppState, user: &CurrentUser, name: &str) -> Result<ArrayClient, AppError> {
    user.require_array(name)?;
    let entry = state
        .arrays
        .get(name)
        .ok_or_else(|| AppError::NotFound(format!("No array named {name} is registered.")))?;
    match entry.summary.identity {
        Identity::Service => Ok(entry.client.clone()),
        Identity::PerUser => Ok(entry.client.as_user(user.user.identity_on_arrays())?),
    }
}

/// An array's refusal, tied to `field` when the array names one of `objects` as its context
/// (arrays put the refused object's name there), so the UI shows it next to that field.
fn refusal_about(error: flasharray::Error, objects: &[String], field: &'static str) -> AppError {
    let about = error.array_errors().iter().any(|item| {
        item.context.as_deref().is_some_and(|context| {
            objects
                .iter()
                .any(|object| context.eq_ignore_ascii_case(object))
        })
    });
    AppError::Array {
        error,
        field: about.then_some(field),
    }
}
