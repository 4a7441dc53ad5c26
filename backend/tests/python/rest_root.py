"""py-pure-client aimed at an array's REST root seen through the portal, signed in with a
personal API token of the portal: what a team's existing scripts do once their keys leave
the laptops. Prints 'scenario passed' when every step went as the role allows."""

import os
import sys

from pypureclient import flasharray
from pypureclient.configuration import Configuration
from pypureclient.flasharray import Reference, VolumePatch, VolumePost, VolumeSnapshotPost
from pypureclient.responses import ErrorResponse, ValidResponse


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}")
        sys.exit(1)


def messages(response):
    return " ".join(error.message for error in getattr(response, "errors", []) or [])


# The portal's certificate is checked against its CA, as a script should.
configuration = Configuration(ssl_ca_cert=os.environ["PORTAL_CA"])
configuration.verify_ssl = True
client = flasharray.Client(
    os.environ["PORTAL_TARGET"],
    api_token=os.environ["PORTAL_TOKEN"],
    configuration=configuration,
)
role = os.environ["PORTAL_ROLE"]
name = os.environ["VOLUME"]

stolen = client.get_admins_api_tokens(expose_api_token=True)
check(isinstance(stolen, ErrorResponse) and stolen.status_code == 403, f"credentials never passed: {stolen}")
check("never passes" in messages(stolen), f"the refusal says why: {messages(stolen)}")

listed = client.get_volumes()
check(isinstance(listed, ValidResponse), f"volumes listed: {listed}")
before = [volume.name for volume in listed.items]

created = client.post_volumes(names=[name], volume=VolumePost(provisioned=1048576))
if role == "viewer":
    check(isinstance(created, ErrorResponse) and created.status_code == 403, f"viewer refused: {created}")
    check("operator" in messages(created), f"the refusal says why: {messages(created)}")
    print("scenario passed")
    sys.exit(0)
check(isinstance(created, ValidResponse), f"volume created: {created}")

found = client.get_volumes(names=[name])
check(isinstance(found, ValidResponse) and len(list(found.items)) == 1, f"read back: {found}")
check(len(list(client.get_volumes().items)) == len(before) + 1, "one more volume")

snapshot = client.post_volume_snapshots(
    source_names=[name], volume_snapshot=VolumeSnapshotPost(suffix="before-upgrade")
)
check(isinstance(snapshot, ValidResponse), f"snapshot taken: {snapshot}")
check(list(snapshot.items)[0].name == f"{name}.before-upgrade", f"named: {snapshot}")

restored = client.post_volumes(
    names=[name],
    volume=VolumePost(source=Reference(name=f"{name}.before-upgrade")),
    overwrite=True,
)
check(isinstance(restored, ValidResponse), f"overwritten from its snapshot: {restored}")

missing = client.get_volumes(names=["no-such-volume"])
check(isinstance(missing, ErrorResponse) and missing.status_code == 400, f"the array's refusal: {missing}")
check("does not exist" in messages(missing), f"in the array's words: {messages(missing)}")

destroyed = client.patch_volumes(names=[name], volume=VolumePatch(destroyed=True))
check(isinstance(destroyed, ValidResponse), f"destroyed: {destroyed}")
eradicated = client.delete_volumes(names=[name])
check(isinstance(eradicated, ErrorResponse) and eradicated.status_code == 403, f"eradication refused: {eradicated}")
check("admin" in messages(eradicated), f"the refusal says why: {messages(eradicated)}")
print("scenario passed")
