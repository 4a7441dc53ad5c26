"""Drives a simulated FlashArray through the official Python SDK (py-pure-client).

Provisioning and data protection as a storage admin's script does them; every response must
decode into the SDK's models, and every refusal must come back as the SDK's ErrorResponse.
Run by tests/it/python_sdk.rs with the target and credentials in the environment.
"""

import os
import sys
import time

import urllib3
from pypureclient import flasharray
from pypureclient.responses import ErrorResponse, ValidResponse

urllib3.disable_warnings()

GIB = 1024 ** 3
MIB = 1024 ** 2


def client():
    target = os.environ["FA_TARGET"]
    if os.environ["FA_AUTH"] == "api_token":
        return flasharray.Client(target, api_token=os.environ["FA_API_TOKEN"], verify_ssl=False)
    return flasharray.Client(
        target,
        private_key_file=os.environ["FA_KEY_FILE"],
        username=os.environ["FA_USERNAME"],
        client_id=os.environ["FA_CLIENT_ID"],
        key_id=os.environ["FA_KEY_ID"],
        issuer=os.environ["FA_ISSUER"],
        verify_ssl=False,
    )


def ok(response, what):
    if not isinstance(response, ValidResponse):
        errors = [(e.context, e.message) for e in response.errors]
        sys.exit(f"{what}: expected success, got {response.status_code} {errors}")
    return list(getattr(response, "items", None) or [])


def refused(response, what, words):
    if not isinstance(response, ErrorResponse):
        sys.exit(f"{what}: expected a refusal, got {response.status_code}")
    message = " ".join(e.message for e in response.errors)
    if words.lower() not in message.lower():
        sys.exit(f"{what}: refusal {message!r} does not mention {words!r}")


def check(condition, what):
    if not condition:
        sys.exit(f"check failed: {what}")


def advance_clock(ms):
    """Moves the simulator's clock (a harness call, not part of the array's API)."""
    http = urllib3.PoolManager(cert_reqs="CERT_NONE")
    reply = http.request("POST", f"https://{os.environ['FA_TARGET']}/sim/clock",
                         json={"advance_ms": ms})
    check(reply.status == 200, "clock advanced")


def history(fa):
    """Space and performance history, on and off sample boundaries."""
    advance_clock(3 * 3600 * 1000)
    now = ok(fa.get_arrays_space(), "array space now")[0].time
    start = now - 2 * 3600 * 1000
    space = ok(fa.get_arrays_space(start_time=start, end_time=now, resolution=300000), "space history")
    times = [item.time for item in space]
    check(len(times) in (24, 25) and times == sorted(times), f"24 five-minute samples, got {len(times)}")
    check(all(t % 300000 == 0 and start <= t <= now for t in times), "samples on boundaries inside the window")
    check(all(item.capacity > 0 and item.space.unique is not None for item in space), "samples hold space")
    off = ok(fa.get_arrays_space(start_time=start + 7, end_time=now - 7, resolution=1800000), "off-boundary window")
    check(len(off) in (3, 4) and all(start + 7 <= i.time <= now - 7 for i in off), "off-boundary samples")
    latest = ok(fa.get_arrays_performance(end_time=now, resolution=30000), "latest performance sample")
    check(len(latest) == 1, "without start_time, only the latest sample")
    load = ok(fa.get_arrays_performance(start_time=start, end_time=now, resolution=30000), "performance history")
    check(len(load) in (240, 241), f"240 thirty-second samples, got {len(load)}")
    vol_space = ok(fa.get_volumes_space(names=["vol2"], start_time=start, end_time=now, resolution=1800000),
                   "volume space history")
    check(len(vol_space) in (4, 5) and all(v.name == "vol2" for v in vol_space), "vol2 space samples")
    vol_load = ok(fa.get_volumes_performance(names=["vol2"], start_time=start, end_time=now, resolution=300000),
                  "volume performance history")
    check(len(vol_load) in (24, 25), f"24 vol2 load samples, got {len(vol_load)}")
    refused(fa.get_arrays_space(start_time=start, resolution=1000), "space at 1 s", "resolution")
    refused(fa.get_volumes_performance(start_time=now, end_time=start), "backwards window", "start_time")


def alerts(fa):
    """An alert raised from the array's state, flagged, then closed when the state clears."""
    ok(fa.post_protection_groups(names=["pg-unscheduled"]), "create pg-unscheduled")
    ok(fa.post_protection_groups_volumes(group_names=["pg-unscheduled"], member_names=["vol2"]), "member")
    raised = [a for a in ok(fa.get_alerts(filter="state='open'"), "open alerts")
              if a.component_name == "pg-unscheduled"]
    check(len(raised) == 1 and raised[0].severity == "warning", "an unscheduled group raises a warning")
    ok(fa.patch_alerts(names=[raised[0].name], alert=flasharray.Alert(flagged=True)), "flag the alert")
    flagged = ok(fa.get_alerts(flagged=True), "flagged alerts")
    check([a.name for a in flagged] == [raised[0].name], "the flagged alert is listed as flagged")
    refused(fa.patch_alerts(names=["999999"], alert=flasharray.Alert(flagged=True)), "unknown alert", "does not exist")
    ok(fa.patch_protection_groups(names=["pg-unscheduled"], protection_group=flasharray.ProtectionGroup(
        snapshot_schedule=flasharray.SnapshotSchedule(enabled=True))), "schedule it")
    after = ok(fa.get_alerts(names=[raised[0].name]), "the alert again")[0]
    check(after.state == "closed" and after.closed >= after.created, "the alert closed with its cause")
    newest = ok(fa.get_alerts(sort=["created-"], limit=1), "newest alert")
    check(len(newest) == 1, "alerts sort and page")
    ok(fa.patch_protection_groups(names=["pg-unscheduled"], protection_group=flasharray.ProtectionGroup(
        destroyed=True)), "destroy pg-unscheduled")
    ok(fa.delete_protection_groups(names=["pg-unscheduled"]), "eradicate pg-unscheduled")


def inventory(fa):
    """What scripts read of the array's administration, its hosts' load and its pods."""
    admins = ok(fa.get_admins(), "get admins")
    check("pureuser" in [a.name for a in admins], "pureuser is listed among the admins")
    loads = ok(fa.get_hosts_performance(names=["host1"]), "host1's load")
    check([load.name for load in loads] == ["host1"], "host1's figures")
    check(ok(fa.get_pods(), "get pods") == [], "the array holds no pods yet")
    refused(fa.get_volume_groups(names=["vg1"]), "an unknown volume group", "does not exist")


def replication(fa):
    """Connecting to another array for replication, as the Ansible collection's purefa_connect
    does: the other array's management address and connection key."""
    peer, key = os.environ.get("FA_PEER"), os.environ.get("FA_PEER_KEY")
    if not peer:
        return
    own = ok(fa.get_array_connections_connection_key(), "own connection key")[0]
    check(own.connection_key and own.connection_key != key, "each array has its own key")
    refused(fa.post_array_connections(array_connection=flasharray.ArrayConnectionPost(
        management_address=peer, connection_key="not-the-key")), "a wrong key", "connection key")
    made = ok(fa.post_array_connections(array_connection=flasharray.ArrayConnectionPost(
        management_address=peer, connection_key=key, type="async-replication")), "connect")[0]
    listed = ok(fa.get_array_connections(names=[made.name]), "the connection")[0]
    check(listed.status == "connected" and listed.type == "async-replication",
          f"connected for async replication, not {listed.status} {listed.type}")
    ok(fa.patch_array_connections(names=[made.name], array_connection=flasharray.ArrayConnectionPatch(
        throttle=flasharray.Throttle(default_limit=GIB))), "throttle the connection")
    throttled = ok(fa.get_array_connections(names=[made.name]), "the connection")[0]
    check(throttled.throttle.default_limit == GIB, "throttled to 1 GiB/s")
    ok(fa.post_protection_groups(names=["pg-dr"]), "create pg-dr")
    ok(fa.post_protection_groups_targets(group_names=["pg-dr"], member_names=[made.name]),
       "replicate pg-dr to the connected array")
    targets = ok(fa.get_protection_groups_targets(group_names=["pg-dr"]), "pg-dr's targets")
    # `status` came with REST 2.37; older levels' models have no such attribute.
    check([(t.member.name, t.allowed, t.status if hasattr(t, "status") else "replicating")
           for t in targets] == [(made.name, True, "replicating")],
          f"pg-dr replicates to {made.name}")
    hour = 3600 * 1000
    ok(fa.patch_protection_groups(names=["pg-dr"], protection_group=flasharray.ProtectionGroup(
        replication_schedule=flasharray.ReplicationSchedule(
            enabled=True, frequency=4 * hour, blackout=flasharray.TimeWindow(start=8 * hour, end=18 * hour)),
        target_retention=flasharray.RetentionPolicy(all_for_sec=86400, per_day=2, days=14))),
        "replicate pg-dr every 4 hours outside office hours")
    group = ok(fa.get_protection_groups(names=["pg-dr"]), "pg-dr")[0]
    check(group.replication_schedule.blackout.start == 8 * hour and group.target_retention.days == 14,
          "the replication schedule and target retention stay as set")
    sent = ok(fa.post_protection_group_snapshots(source_names=["pg-dr"], replicate_now=True),
              "replicate pg-dr now")[0]
    for _ in range(100):
        transfer = ok(fa.get_protection_group_snapshots_transfer(names=[sent.name]), "its transfer")[0]
        # Fields an array leaves out of its answer are missing attributes in the SDK's models.
        if getattr(transfer, "completed", None):
            break
        time.sleep(0.1)
    check(transfer.progress == 1.0 and transfer.completed >= transfer.started,
          f"{sent.name} reached {made.name}")
    activedr(fa, made.name)
    refused(fa.delete_array_connections(names=[made.name]), "disconnect a target", "target")
    ok(fa.delete_protection_groups_targets(group_names=["pg-dr"], member_names=[made.name]),
       "stop replicating pg-dr")
    ok(fa.delete_array_connections(names=[made.name]), "disconnect")
    check(ok(fa.get_array_connections(), "connections") == [], "no connection is left")


def activedr(fa, peer_name):
    """A pod linked to a demoted pod on the connected array, as ActiveDR scripts do it."""
    peer = flasharray.Client(os.environ["FA_PEER"], api_token=os.environ["FA_PEER_API_TOKEN"],
                             verify_ssl=False)
    ok(fa.post_pods(names=["app"], pod=flasharray.PodPost()), "create pod app")
    ok(fa.post_volumes(names=["app::db"], volume=flasharray.VolumePost(provisioned=GIB)),
       "a volume in pod app")
    ok(peer.post_pods(names=["dr-pod"], pod=flasharray.PodPost()), "create dr-pod on the other array")
    link = dict(local_pod_names=["app"], remote_pod_names=["dr-pod"])
    refused(fa.post_pod_replica_links(remote_names=[peer_name], **link), "link to a promoted pod",
            "demoted")
    ok(peer.patch_pods(names=["dr-pod"], pod=flasharray.PodPatch(requested_promotion_state="demoted")),
       "demote dr-pod")
    made = ok(fa.post_pod_replica_links(remote_names=[peer_name], **link), "link app to dr-pod")[0]
    check(made.direction == "outbound", "the source sends")
    for _ in range(200):
        inbound = ok(peer.get_pod_replica_links(local_pod_names=["dr-pod"]), "dr-pod's link")[0]
        if inbound.status == "replicating":
            break
        time.sleep(0.1)
    check(inbound.status == "replicating" and inbound.direction == "inbound" and inbound.lag < 10000,
          f"dr-pod is seconds behind app, not {inbound.status} {getattr(inbound, 'lag', None)}")
    copies = ok(peer.get_volumes(names=["dr-pod::db"]), "the copy of app::db")
    check(copies[0].provisioned == GIB, "the copy has its source's size")
    refused(peer.post_volumes(names=["dr-pod::mine"], volume=flasharray.VolumePost(provisioned=GIB)),
            "a write to the demoted pod", "demoted")
    paused = ok(fa.patch_pod_replica_links(pod_replica_link=flasharray.PodReplicaLinkPatch(paused=True),
                                           **link), "pause the link")[0]
    check(paused.status == "paused", f"paused, not {paused.status}")
    ok(fa.get_pod_replica_links_lag(), "the link's lag history")
    ok(fa.delete_pod_replica_links(**link), "delete the link")
    check(ok(peer.get_pod_replica_links(), "dr-pod's links") == [], "the link is gone on both arrays")


def main():
    fa = client()
    expected = os.environ.get("FA_EXPECT_VERSION")
    if expected:
        check(fa.get_rest_version() == expected,
              f"the SDK speaks REST {fa.get_rest_version()}, not the array's newest {expected}")
    array = ok(fa.get_arrays(), "get arrays")[0]
    print(f"connected to {array.name} with {os.environ['FA_AUTH']}")

    # Provisioning, as the classic quick start does it.
    ok(fa.post_volumes(names=["vol1"], volume=flasharray.VolumePost(provisioned=GIB)), "create vol1")
    ok(fa.post_volumes(names=["vol2"], volume=flasharray.VolumePost(provisioned=5 * MIB)), "create vol2")
    refused(fa.post_volumes(names=["vol1"], volume=flasharray.VolumePost(provisioned=GIB)),
            "duplicate vol1", "already exists")
    refused(fa.post_volumes(names=["bad_name"], volume=flasharray.VolumePost(provisioned=GIB)),
            "bad name", "bad_name")
    volumes = ok(fa.get_volumes(filter="name='vol*'", sort=["name-"]), "filtered list")
    check([v.name for v in volumes] == ["vol2", "vol1"], f"sorted filter gave {[v.name for v in volumes]}")
    ok(fa.patch_volumes(names=["vol2"], volume=flasharray.VolumePatch(provisioned=10 * MIB)), "grow vol2")
    refused(fa.patch_volumes(names=["vol2"], volume=flasharray.VolumePatch(provisioned=5 * MIB)),
            "shrink without truncate", "truncat")

    ok(fa.post_hosts(names=["host1"], host=flasharray.HostPost(
        iqns=["iqn.2001-04.com.example:host1-a", "iqn.2001-04.com.example:host1-b"])), "create host1")
    ok(fa.post_hosts(names=["host2"], host=flasharray.HostPost(wwns=["21:00:00:24:FF:4C:C5:6A"])), "create host2")
    ok(fa.post_host_groups(names=["hgroup1"]), "create hgroup1")
    ok(fa.post_host_groups_hosts(group_names=["hgroup1"], member_names=["host2"]), "host2 into hgroup1")
    ok(fa.post_connections(host_names=["host1"], volume_names=["vol1"],
                           connection=flasharray.ConnectionPost(lun=10)), "connect vol1 to host1")
    inventory(fa)
    replication(fa)
    ok(fa.post_connections(host_group_names=["hgroup1"], volume_names=["vol2"]), "connect vol2 to hgroup1")
    connections = ok(fa.get_connections(host_names=["host1"]), "host1 connections")
    check([(c.volume.name, c.lun) for c in connections] == [("vol1", 10)], "vol1 at LUN 10")
    refused(fa.patch_volumes(names=["vol1"], volume=flasharray.VolumePatch(destroyed=True)),
            "destroy a connected volume", "connection")

    # Snapshots, copies and a restore.
    ok(fa.post_volume_snapshots(source_names=["vol1", "vol2"],
                                volume_snapshot=flasharray.VolumeSnapshotPost(suffix="before")), "snapshot")
    snapshots = ok(fa.get_volume_snapshots(source_names=["vol1"]), "vol1 snapshots")
    check([s.name for s in snapshots] == ["vol1.before"], f"vol1 snapshots {[s.name for s in snapshots]}")
    ok(fa.patch_volumes(names=["vol1"], volume=flasharray.VolumePatch(provisioned=2 * GIB)), "grow vol1")
    refused(fa.post_volumes(names=["vol1"], volume=flasharray.VolumePost(
        source=flasharray.Reference(name="vol1.before"))), "restore without overwrite", "overwrite")
    ok(fa.post_volumes(names=["vol1"], overwrite=True, volume=flasharray.VolumePost(
        source=flasharray.Reference(name="vol1.before"))), "restore vol1")
    check(ok(fa.get_volumes(names=["vol1"]), "vol1")[0].provisioned == GIB, "restore brought back 1 GiB")
    ok(fa.post_volumes(names=["vol1-copy"], volume=flasharray.VolumePost(
        source=flasharray.Reference(name="vol1.before"))), "copy snapshot")

    # A protection group with a schedule, and a snapshot of it.
    ok(fa.post_protection_groups(names=["pg1"]), "create pg1")
    ok(fa.post_protection_groups_volumes(group_names=["pg1"], member_names=["vol1", "vol2"]), "pg1 members")
    refused(fa.post_protection_groups_hosts(group_names=["pg1"], member_names=["host1"]),
            "mixed members", "one kind")
    ok(fa.patch_protection_groups(names=["pg1"], protection_group=flasharray.ProtectionGroup(
        snapshot_schedule=flasharray.SnapshotSchedule(enabled=True, frequency=3600000),
        source_retention=flasharray.RetentionPolicy(all_for_sec=86400, per_day=4, days=7))), "schedule pg1")
    group = ok(fa.get_protection_groups(names=["pg1"]), "pg1")[0]
    check(group.volume_count == 2 and group.snapshot_schedule.enabled, "pg1 has 2 volumes and a schedule")
    ok(fa.post_protection_group_snapshots(source_names=["pg1"],
                                          protection_group_snapshot=flasharray.ProtectionGroupSnapshotPost(
                                              suffix="manual")), "snapshot pg1")
    inside = ok(fa.get_volume_snapshots(names=["pg1.manual.vol1"]), "pg1.manual.vol1")
    check(inside[0].source.name == "vol1", "group snapshot holds vol1")
    ok(fa.post_volumes(names=["vol1-from-pg"], volume=flasharray.VolumePost(
        source=flasharray.Reference(name="pg1.manual.vol1"))), "copy out of a group snapshot")
    # Without a body, as scripts most often call it: the array names the snapshot itself.
    taken = ok(fa.post_protection_group_snapshots(source_names=["pg1"]), "snapshot pg1 without a body")
    check(taken[0].name.startswith("pg1.") and taken[0].name != "pg1.manual",
          "a group snapshot without a body gets a generated suffix")

    # Space and performance decode.
    ok(fa.get_arrays_space(), "array space")
    ok(fa.get_arrays_performance(), "array performance")
    ok(fa.get_volumes_space(names=["vol1"]), "volume space")
    ok(fa.get_volumes_performance(names=["vol1"]), "volume performance")
    history(fa)
    alerts(fa)

    # Tear down: disconnect, destroy, recover, rename, eradicate.
    ok(fa.delete_connections(host_names=["host1"], volume_names=["vol1"]), "disconnect vol1")
    ok(fa.patch_volumes(names=["vol1"], volume=flasharray.VolumePatch(destroyed=True)), "destroy vol1")
    pending = ok(fa.get_volumes(destroyed=True), "pending eradication")
    check([v.name for v in pending] == ["vol1"] and pending[0].time_remaining > 0, "vol1 pending")
    ok(fa.patch_volumes(names=["vol1"], volume=flasharray.VolumePatch(destroyed=False)), "recover vol1")
    ok(fa.patch_volumes(names=["vol1"], volume=flasharray.VolumePatch(name="vol1-renamed")), "rename vol1")
    ok(fa.patch_volumes(names=["vol1-renamed"], volume=flasharray.VolumePatch(destroyed=True)), "destroy again")
    ok(fa.delete_volumes(names=["vol1-renamed"]), "eradicate")
    refused(fa.delete_volumes(names=["vol1-renamed"]), "eradicate twice", "does not exist")
    print("scenario passed")


if __name__ == "__main__":
    main()
