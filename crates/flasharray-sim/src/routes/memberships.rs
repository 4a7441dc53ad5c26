//! Group memberships, answered from both sides as arrays do (`protection-groups/volumes` and
//! `volumes/protection-groups` are one relation): one handler for every kind of group.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{MethodRouter, Router, get};
use serde::Deserialize;
use shared::flasharray::Membership;

use crate::error::ApiFault;
use crate::memberships::Relation;
use crate::records::MemberKind;
use crate::routes::change::Items;
use crate::routes::extract::{ApiQuery, Call, named_in, required_names, single_name, split_names};
use crate::routes::list::{ListQuery, page};
use crate::simulator::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    let mut router = Router::new()
        .route(
            "/api/{version}/host-groups/hosts",
            changes(Relation::HostGroupHosts),
        )
        .route(
            "/api/{version}/hosts/host-groups",
            listing(Relation::HostGroupHosts),
        );
    for (kind, members) in [
        (MemberKind::Volume, "volumes"),
        (MemberKind::Host, "hosts"),
        (MemberKind::HostGroup, "host-groups"),
    ] {
        let relation = Relation::Protection(kind);
        router = router
            .route(
                &format!("/api/{{version}}/protection-groups/{members}"),
                changes(relation),
            )
            .route(
                &format!("/api/{{version}}/{members}/protection-groups"),
                changes(relation),
            );
    }
    router
}

/// `?group_names=…&member_names=…`.
#[derive(Debug, Deserialize)]
struct MemberQuery {
    group_names: Option<String>,
    member_names: Option<String>,
}

impl MemberQuery {
    /// The groups a change is for: one host group, or any number of protection groups.
    fn groups(&self, relation: Relation) -> Result<Vec<String>, ApiFault> {
        match relation {
            Relation::HostGroupHosts => Ok(vec![single_name(
                self.group_names.as_deref(),
                "group name",
            )?]),
            Relation::Protection(_) => split_names(self.group_names.as_deref())
                .ok_or_else(|| ApiFault::invalid("Missing required parameter: group_names.")),
        }
    }

    fn members(&self, relation: Relation) -> Result<Vec<String>, ApiFault> {
        match relation {
            Relation::HostGroupHosts => required_names(self.member_names.as_deref()),
            Relation::Protection(_) => split_names(self.member_names.as_deref())
                .ok_or_else(|| ApiFault::invalid("Missing required parameter: member_names.")),
        }
    }
}

/// `GET`: the memberships, optionally of the named groups and members.
fn listing(relation: Relation) -> MethodRouter<Simulator> {
    get(
        move |call: Call,
              ApiQuery(selection): ApiQuery<MemberQuery>,
              ApiQuery(query): ApiQuery<ListQuery>| async move {
            list(&call, relation, &selection, &query)
        },
    )
}

/// `GET`, `POST` (add the members to the groups) and `DELETE` (remove them).
fn changes(relation: Relation) -> MethodRouter<Simulator> {
    listing(relation)
        .post(
            move |call: Call, ApiQuery(selection): ApiQuery<MemberQuery>| async move {
                add(&call, relation, &selection)
            },
        )
        .delete(
            move |call: Call, ApiQuery(selection): ApiQuery<MemberQuery>| async move {
                remove(&call, relation, &selection)
            },
        )
}

fn list(
    call: &Call,
    relation: Relation,
    selection: &MemberQuery,
    query: &ListQuery,
) -> Result<Response, ApiFault> {
    let groups = split_names(selection.group_names.as_deref());
    let members = split_names(selection.member_names.as_deref());
    let memberships: Vec<Membership> = call
        .lock()
        .memberships_of(relation)
        .into_iter()
        .filter(|membership| named_in(groups.as_deref(), membership.group.name.as_deref()))
        .filter(|membership| named_in(members.as_deref(), membership.member.name.as_deref()))
        .collect();
    page(memberships, query, "Membership")
}

fn add(call: &Call, relation: Relation, selection: &MemberQuery) -> Items<Membership> {
    call.change(|state, user, now| {
        let groups = selection.groups(relation)?;
        let members = selection.members(relation)?;
        let mut added = Vec::new();
        for group in &groups {
            added.extend(state.add_members(relation, user, group, &members, now)?);
        }
        Ok(added)
    })
}

fn remove(
    call: &Call,
    relation: Relation,
    selection: &MemberQuery,
) -> Result<StatusCode, ApiFault> {
    call.remove(|state, user, now| {
        let groups = selection.groups(relation)?;
        let members = selection.members(relation)?;
        for group in &groups {
            state.remove_members(relation, user, group, &members, now)?;
        }
        Ok(())
    })
}
