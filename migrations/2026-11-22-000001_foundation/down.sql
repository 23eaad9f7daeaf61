DROP TABLE idempotency_keys, audit_events, login_attempts, role_bindings, accounts, posts, cadres,
    org_group_members, org_groups, unit_successions, restructurings, org_unit_parents, org_units,
    org_levels, server_secrets;
