"""The official SDK's Pure1 client against the simulator: sign in with an application id and
a private key file, list arrays, filter volumes, page with continuation tokens, read metric
history and alerts. Run by tests/it/python_sdk.rs; prints "scenario passed" on success."""

import os
import time

import pypureclient.pure1.client as pure1_client
from pypureclient import pure1

TARGET = os.environ["PURE1_TARGET"]
EXPECTED_VOLUMES = int(os.environ["EXPECTED_VOLUMES"])

# The SDK always aims at api.pure1.purestorage.com; aim it at the simulator instead, as a
# DNS entry or proxy would.
_create = pure1_client.create_transport_config
pure1_client.create_transport_config = lambda target, **kwargs: _create(target=TARGET, **kwargs)


def ok(response):
    assert isinstance(response, pure1.ValidResponse), f"{response}"
    return response


client = pure1.Client(
    app_id=os.environ["PURE1_APP_ID"],
    private_key_file=os.environ["PURE1_PRIVATE_KEY_FILE"],
)

arrays = list(ok(client.get_arrays()).items)
names = sorted(array.name for array in arrays)
assert names == ["fa-sdk-01", "fa-sdk-02"], names
assert all(array.os == "Purity//FA" for array in arrays)

response = ok(client.get_volumes(filter="contains(name,'sql')"))
sql = list(response.items)
assert sql and all("sql" in volume.name for volume in sql), [v.name for v in sql]
assert all(volume.arrays[0].name == "fa-sdk-01" for volume in sql)

# Page by page, three at a time, with the continuation token each page gives.
paged = []
token = None
while True:
    response = ok(client.get_volumes(limit=3, continuation_token=token))
    page = list(response.items)
    assert len(page) <= 3
    paged.extend(page)
    token = response.continuation_token
    if token is None:
        break
assert len(paged) == EXPECTED_VOLUMES, (len(paged), EXPECTED_VOLUMES)
assert len({volume.id for volume in paged}) == EXPECTED_VOLUMES
# Without a limit the SDK reads every page itself.
assert len(list(ok(client.get_volumes()).items)) == EXPECTED_VOLUMES

by_name = ok(client.get_volumes(names=[sql[0].name]))
assert [volume.serial for volume in by_name.items] == [sql[0].serial]

now = int(time.time() * 1000)
history = ok(
    client.get_metrics_history(
        aggregation="avg",
        names=["array_total_load", "array_volume_space"],
        resource_names=["fa-sdk-01"],
        start_time=now - 24 * 3600 * 1000,
        end_time=now,
        resolution=300000,
    )
)
series = {item.name: item for item in history.items}
assert set(series) == {"array_total_load", "array_volume_space"}, set(series)
load = series["array_total_load"].data
assert len(load) >= 280, len(load)
assert all(0 <= value < 2 for _, value in load)
assert series["array_volume_space"].data[-1][1] > 0

# Weekly and hourly points, as fleet reports ask for them: rolled up from the kept points.
week = 7 * 24 * 3600 * 1000
weekly = ok(
    client.get_metrics_history(
        aggregation="max",
        names=["array_total_load"],
        resource_names=["fa-sdk-01"],
        start_time=now - 8 * week,
        end_time=now,
        resolution=week,
    )
)
weekly = list(weekly.items)[0]
points = weekly.data
assert weekly.resolution == week, weekly.resolution
assert points and all(time % week == 0 for time, _ in points), points
hourly = ok(
    client.get_metrics_history(
        aggregation="avg",
        names=["array_total_load"],
        resource_names=["fa-sdk-01"],
        start_time=now - 24 * 3600 * 1000,
        end_time=now,
        resolution=3600 * 1000,
    )
)
hourly = list(hourly.items)[0].data
assert 23 <= len(hourly) <= 24, len(hourly)
odd = client.get_metrics_history(
    aggregation="avg",
    names=["array_total_load"],
    resource_names=["fa-sdk-01"],
    start_time=now - 3600 * 1000,
    end_time=now,
    resolution=45000,
)
assert isinstance(odd, pure1.ErrorResponse) and odd.status_code == 400, odd

metrics = ok(client.get_metrics(resource_types=["arrays"]))
assert "array_total_load" in {metric.name for metric in metrics.items}

alerts = list(ok(client.get_alerts(filter="state='open'")).items)
assert alerts and all(alert.state == "open" for alert in alerts)
assert any(alert.origin == "array" for alert in alerts)

snapshots = list(ok(client.get_protection_group_snapshots()).items)
assert snapshots and snapshots[0].on.name == "fa-sdk-01"

refused = client.get_volumes(names=["no-such-volume"])
assert isinstance(refused, pure1.ErrorResponse), refused
assert refused.status_code == 400

print("scenario passed")
