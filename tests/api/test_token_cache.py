"""The service's cache of verified tokens: bounded, short-lived, and a revocation made
elsewhere (the CLI, another worker) takes effect within the stated bound."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import select

from fraudwall.api import create_app
from fraudwall.api.settings import Settings
from fraudwall.auth import set_active
from fraudwall.auth.cache import TokenCache
from fraudwall.auth.tokens import ApiToken, hash_token, revoke_token

from .conftest import running, seed


def test_entries_expire_and_the_cache_stays_bounded() -> None:
    now = [0.0]
    cache: TokenCache[str] = TokenCache(ttl_s=2, max_entries=3, clock=lambda: now[0])
    for i in range(5):
        cache.put(f"fw_{i}", f"user{i}")
    assert len(cache) == 3
    assert cache.get("fw_0") is None and cache.get("fw_1") is None  # oldest dropped
    assert cache.get("fw_4") == "user4"
    cache.put("fw_short", "s", valid_s=0.5)  # the token itself expires sooner
    now[0] = 0.6
    assert cache.get("fw_short") is None and cache.get("fw_4") == "user4"
    now[0] = 2.1
    assert cache.get("fw_4") is None
    cache.put("fw_expired", "x", valid_s=-1)
    assert cache.get("fw_expired") is None


def test_a_zero_ttl_never_caches() -> None:
    cache: TokenCache[str] = TokenCache(ttl_s=0)
    cache.put("fw_a", "ann")
    assert cache.get("fw_a") is None and len(cache) == 0


def test_revocation_from_another_process_takes_effect_within_the_bound(db, tmp_path) -> None:
    tokens = seed(db)
    bound = 0.5
    app = create_app(Settings(database_url=db.url, token_cache_s=bound))
    try:
        with running(app) as url:
            headers = {"Authorization": f"Bearer {tokens['ann']}"}
            with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
                assert c.get("/v1/lists").status_code == 200
                # Revoked as `fraudwall token revoke` does it: straight in the database.
                with db.session() as s:
                    t = s.scalars(
                        select(ApiToken).where(ApiToken.token_sha256 == hash_token(tokens["ann"]))
                    ).one()
                    revoke_token(s, token_id=t.id, actor="boss")
                revoked_at = time.monotonic()
                while (r := c.get("/v1/lists")).status_code == 200:
                    assert time.monotonic() - revoked_at <= bound + 0.2, "still served"
                    time.sleep(0.05)
                assert r.status_code == 401
            # Deactivation from another process: refused within the bound too.
            headers = {"Authorization": f"Bearer {tokens['aud']}"}
            with httpx.Client(base_url=url, headers=headers, timeout=30) as c:
                assert c.get("/v1/audit").status_code == 200
                with db.session() as s:
                    set_active(s, name="aud", active=False, actor="boss")
                time.sleep(bound + 0.1)
                assert c.get("/v1/audit").status_code == 401
    finally:
        app.state.db.dispose()


def test_revocation_over_the_api_takes_effect_at_once(service) -> None:
    with service.client("ann") as c:
        assert c.get("/v1/lists").status_code == 200  # now cached
        mine = [t for t in c.get("/v1/tokens").json() if t["user"] == "ann"]
        assert c.post(f"/v1/tokens/{mine[0]['id']}/revoke").status_code == 200
        r = c.get("/v1/lists")
        assert r.status_code == 401 and r.json()["error"] == "Unauthorized"
