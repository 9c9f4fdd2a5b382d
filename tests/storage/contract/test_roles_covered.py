"""Every storage role has its contract class here, and each runs on every backend."""

from __future__ import annotations

import inspect

import pytest

from bot.storage import base, roles
from tests.storage.conftest import BACKENDS
from tests.storage.contract import (
    test_outbox,
    test_people,
    test_reachability,
    test_roles,
    test_schedules,
)

# Each role protocol, and the class that holds its contract.
CONTRACTS = {
    base.PersonStore: test_people.TestPeopleAndRecords,
    base.RecordReader: test_people.TestPeopleAndRecords,
    base.ScheduleStore: test_schedules.TestSchedules,
    base.Outbox: test_outbox.TestOutbox,
    base.ReachabilityStore: test_reachability.TestReachability,
    roles.RoleStore: test_roles.TestRoles,
}


def test_every_role_of_the_storage_has_a_contract_class() -> None:
    declared = {base.PersonStore, base.RecordReader}
    declared |= {inspect.get_annotations(getattr(base.Storage, name).fget, eval_str=True)
                 ["return"] for name in ("schedules", "outbox", "reachability")}
    assert declared <= set(CONTRACTS)


@pytest.mark.parametrize("contract", sorted(set(CONTRACTS.values()), key=lambda c: c.__name__))
def test_every_contract_test_takes_the_storage_of_every_backend(contract: type) -> None:
    tests = [m for name, m in vars(contract).items() if name.startswith("test_")]
    assert tests
    for method in tests:
        assert "storage" in inspect.signature(method).parameters, method.__name__
    assert len(BACKENDS) >= 2
