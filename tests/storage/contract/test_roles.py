"""The roles role (RoleStore, issue 12), run against every backend: roles and invitations."""

from __future__ import annotations

from datetime import timedelta

from bot.core.keys import PersonKey
from bot.core.state import ConversationState
from bot.storage.base import Storage, TurnWrite
from bot.storage.roles import role_store_for
from tests.storage.conftest import START

SAM = PersonKey("telegram", "111")
ALEX = PersonKey("telegram", "222")
LATER = START + timedelta(days=7)


class TestRoles:
    """Roles and invitations: granted, redeemed, revoked, gone with the person."""

    async def test_everyone_is_a_person_and_roles_are_granted_and_taken_away(
            self, storage: Storage) -> None:
        roles = role_store_for(storage)
        assert await roles.roles_of(SAM) == {"person"}
        assert await roles.grant(SAM, "mentor", START)
        assert not await roles.grant(SAM, "mentor", START)
        assert await roles.grant(SAM, "staff", START)
        assert await roles.roles_of(SAM) == {"person", "mentor", "staff"}
        assert await roles.holds(SAM, "mentor") and not await roles.holds(ALEX, "mentor")
        assert await roles.people_with("mentor") == [SAM]
        assert await roles.revoke_role(SAM, "mentor")
        assert not await roles.revoke_role(SAM, "mentor")
        assert await roles.roles_of(SAM) == {"person", "staff"}

    async def test_a_code_gives_its_role_and_cohort_until_its_uses_run_out(
            self, storage: Storage) -> None:
        roles = role_store_for(storage)
        invite, code = await roles.create_invite("person", START, LATER, uses=1, cohort="north")
        assert (await roles.redeem(SAM, code, START)).outcome == "granted"
        assert await roles.cohort_of(SAM) == "north"
        assert (await roles.redeem(SAM, code, START)).outcome == "invalid"  # used up
        assert (await roles.redeem(ALEX, code, START)).outcome == "invalid"
        assert (await roles.invites())[0].status(START) == "used"
        assert invite.uses_left == 1

    async def test_expired_revoked_and_unknown_codes_give_nothing(self, storage: Storage) -> None:
        roles = role_store_for(storage)
        _, old = await roles.create_invite("mentor", START, START + timedelta(hours=1))
        revoked, withdrawn = await roles.create_invite("staff", START, LATER)
        assert await roles.revoke_invite(revoked.id, START)
        assert not await roles.revoke_invite(revoked.id, START)
        for code in (old, withdrawn, "not-a-code", ""):
            assert (await roles.redeem(SAM, code, START + timedelta(hours=2))).outcome == "invalid"
        assert await roles.roles_of(SAM) == {"person"}

    async def test_a_second_use_by_the_same_person_is_already_and_costs_nothing(
            self, storage: Storage) -> None:
        roles = role_store_for(storage)
        _, code = await roles.create_invite("mentor", START, LATER, uses=2)
        assert (await roles.redeem(SAM, code, START)).outcome == "granted"
        assert (await roles.redeem(SAM, code, START)).outcome == "already"
        assert (await roles.invites())[0].uses_left == 1

    async def test_deleting_a_person_takes_their_roles(self, storage: Storage) -> None:
        roles = role_store_for(storage)
        await storage.commit_turn(TurnWrite(SAM, ConversationState(vars={"consent": "yes"}), (),
                                            START))
        await roles.grant(SAM, "mentor", START)
        await storage.delete_person(SAM)
        assert await roles.roles_of(SAM) == {"person"}
        assert await roles.people_with("mentor") == []

    async def test_a_role_granted_before_the_first_turn_survives_it(self, storage: Storage) -> None:
        roles = role_store_for(storage)
        await roles.grant(ALEX, "staff", START)
        await storage.commit_turn(TurnWrite(ALEX, ConversationState(), (), START))
        assert await roles.holds(ALEX, "staff")
