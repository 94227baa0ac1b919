"""Thousands of member organisations with positions and fields of work, written straight into a node's database
(no geocoding, no signals): for the map's benchmark (bench/map.py) and its browser test at that size."""

from tests.nodes import Node

SCRIPT = """
import random
from actors.models import Actor
from community.models import FieldOfWork, FederalState, MemberProfile
random.seed(7)
states = FederalState.values
fields = list(FieldOfWork.objects.all())
actors = Actor.objects.bulk_create([
    Actor(uri=f'https://members.example/users/org{{i}}', username=f'org{{i}}', domain='members.example', local=False,
          type='Organization', display_name=f'Organisation {{i}} e.V.', inbox_url=f'https://members.example/i/{{i}}')
    for i in range({members})
], batch_size=1000)
profiles = MemberProfile.objects.bulk_create([
    MemberProfile(actor=a, state=random.choice(states), city=f'Ort {{i % 400}}', search_text=f'organisation {{i}} e.v.',
                  latitude=random.uniform(47.5, 54.8), longitude=random.uniform(6.0, 14.8))
    for i, a in enumerate(actors)
], batch_size=1000)
Through = MemberProfile.fields_of_work.through
Through.objects.bulk_create([Through(memberprofile_id=p.id, fieldofwork_id=f.id)
                             for p in profiles for f in random.sample(fields, 2)], batch_size=2000)
print(MemberProfile.objects.count())
"""


def members_seed(*, node: Node, members: int) -> int:
    """Store `members` organisations in the (not yet started) node's migrated database; returns how many it holds."""
    node.database_from_template()
    return int(node.cli("shell", "-c", SCRIPT.format(members=members)).splitlines()[-1])
