//! `/api/2.x/protection-groups` and `/api/2.x/protection-group-snapshots`: groups, their
//! schedules and retention, and the snapshots they take.

use axum::response::Response;
use axum::routing::{Router, get};
use serde::Deserialize;
use shared::flasharray::{
    ProtectionGroup, ProtectionGroupPatch, ProtectionGroupSnapshot, ProtectionGroupSnapshotPatch,
    ProtectionGroupSnapshotPost,
};

use crate::error::ApiFault;
use crate::history::{HistoryQuery, Series};
use crate::routes::change::Items;
use crate::routes::eradicate::eradicate;
use crate::routes::extract::{
    ApiJson, ApiQuery, Call, NamesQuery, OptionalJson, named_in, split_names,
};
use crate::routes::list::{ListQuery, list, page};
use crate::routes::snapshots::SourceQuery;
use crate::simulator::Simulator;
use crate::state::ArrayState;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/api/{version}/protection-groups",
            eradicate(ArrayState::eradicate_protection_groups)
                .get(list_protection_groups)
                .post(create_protection_groups)
                .patch(patch_protection_groups),
        )
        .route(
            "/api/{version}/protection-group-snapshots",
            eradicate(ArrayState::eradicate_group_snapshots)
                .get(list_group_snapshots)
                .post(create_group_snapshots)
                .patch(patch_group_snapshots),
        )
        .route(
            "/api/{version}/protection-group-snapshots/transfer",
            get(list_transfers),
        )
        .route(
            "/api/{version}/protection-groups/performance/replication",
            get(replication_performance),
        )
}

/// `GET /protection-groups/performance/replication`: each group's replication bytes a second,
/// now or over a window of history.
async fn replication_performance(
    call: Call,
    ApiQuery(names): ApiQuery<NamesQuery>,
    ApiQuery(history): ApiQuery<HistoryQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let now = call.now();
    let state = call.lock();
    let groups = state.protection_groups.len() + state.replicated_here.len();
    let times = history.sample_times(
        Series::ObjectPerformance,
        now,
        state.installed_ms,
        groups.max(1),
    )?;
    let mut rows =
        state.replication_performance(&times, history.resolution(Series::ObjectPerformance), now);
    drop(state);
    let wanted = split_names(names.names.as_deref());
    rows.retain(|row| named_in(wanted.as_deref(), Some(&row.name)));
    page(rows, &query, "Protection group")
}

/// `GET /protection-groups`.
async fn list_protection_groups(
    call: Call,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut groups = call.lock().protection_groups_view();
    groups.retain(|group| query.shows(group.destroyed));
    list(groups, &query, "Protection group", |group| {
        (&group.name, &group.id)
    })
}

/// `POST /protection-groups?names=...`.
async fn create_protection_groups(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
) -> Items<ProtectionGroup> {
    call.change(|state, user, now| state.create_protection_groups(user, &query.required()?, now))
}

/// `PATCH /protection-groups?names=...`: rename, schedule, retention, destroy, recover.
async fn patch_protection_groups(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<ProtectionGroupPatch>,
) -> Items<ProtectionGroup> {
    call.change(|state, user, now| {
        let names = query.required()?;
        if names.len() > 1 && patch.name.is_some() {
            return Err(ApiFault::invalid("Rename one protection group at a time."));
        }
        names
            .iter()
            .map(|name| state.patch_protection_group(user, name, &patch, now))
            .collect::<Result<Vec<_>, _>>()
    })
}

/// `GET /protection-group-snapshots`.
async fn list_group_snapshots(
    call: Call,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let mut snapshots = call.lock().group_snapshots_view();
    snapshots.retain(|snapshot| query.shows(snapshot.destroyed));
    sources.keep(&mut snapshots, |snapshot: &ProtectionGroupSnapshot| {
        &snapshot.source
    })?;
    list(snapshots, &query, "Protection group snapshot", |snapshot| {
        (&snapshot.name, &snapshot.id)
    })
}

#[derive(Debug, Deserialize)]
struct GroupSnapshotQuery {
    apply_retention: Option<bool>,
    replicate: Option<bool>,
    replicate_now: Option<bool>,
}

/// `POST /protection-group-snapshots?source_names=...[&apply_retention=true]` and with
/// `replicate_now=true` (or `replicate=true`, which the simulator sends as soon, having no
/// earlier transfer to wait for) sent to each target that allows the group.
async fn create_group_snapshots(
    call: Call,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(options): ApiQuery<GroupSnapshotQuery>,
    OptionalJson(post): OptionalJson<ProtectionGroupSnapshotPost>,
) -> Items<ProtectionGroupSnapshot> {
    let replicate_now = options.replicate_now.unwrap_or(false);
    let replicate = options.replicate.unwrap_or(false);
    if replicate && replicate_now {
        return Err(ApiFault::invalid(
            "The replicate and replicate_now parameters cannot be used together.",
        ));
    }
    let created = call.change(|state, user, now| {
        state.create_group_snapshots(
            user,
            &sources.required()?,
            post.suffix.as_deref(),
            options.apply_retention.unwrap_or(false),
            replicate || replicate_now,
            now,
        )
    });
    if replicate || replicate_now {
        call.simulator().replication_due.notify_one();
    }
    created
}

/// `GET /protection-group-snapshots/transfer`: how each snapshot sent or received travelled.
async fn list_transfers(
    call: Call,
    ApiQuery(sources): ApiQuery<SourceQuery>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiFault> {
    let now = call.now();
    let (mut transfers, mut snapshots) = {
        let state = call.lock();
        (state.transfers_view(now), state.group_snapshots_view())
    };
    sources.keep(&mut snapshots, |snapshot: &ProtectionGroupSnapshot| {
        &snapshot.source
    })?;
    transfers.retain(|transfer| {
        query.shows(transfer.destroyed) && snapshots.iter().any(|kept| kept.id == transfer.id)
    });
    list(transfers, &query, "Protection group snapshot", |transfer| {
        (&transfer.name, &transfer.id)
    })
}

/// `PATCH /protection-group-snapshots?names=...`: destroy or recover.
async fn patch_group_snapshots(
    call: Call,
    ApiQuery(query): ApiQuery<NamesQuery>,
    ApiJson(patch): ApiJson<ProtectionGroupSnapshotPatch>,
) -> Items<ProtectionGroupSnapshot> {
    call.change(|state, user, now| {
        state.patch_group_snapshots(user, &query.required()?, patch.destroyed, now)
    })
}
