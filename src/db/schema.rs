//! Diesel table definitions, kept in step with `migrations/` by hand.

diesel::table! {
    server_secrets (name) {
        name -> Text,
        value -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    org_levels (id) {
        id -> Uuid,
        code -> Text,
        name_vi -> Text,
        name_en -> Text,
        rank -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    org_units (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        unit_type -> Text,
        level_id -> Uuid,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    org_unit_parents (id) {
        id -> Uuid,
        unit_id -> Uuid,
        parent_id -> Uuid,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
    }
}

diesel::table! {
    restructurings (id) {
        id -> Uuid,
        kind -> Text,
        effective_date -> Date,
        decision_ref -> Nullable<Text>,
        note -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    unit_successions (predecessor_id, successor_id) {
        restructuring_id -> Uuid,
        predecessor_id -> Uuid,
        successor_id -> Uuid,
    }
}

diesel::table! {
    org_groups (id) {
        id -> Uuid,
        owner_unit_id -> Uuid,
        year -> Int4,
        code -> Text,
        label_vi -> Text,
        label_en -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    org_group_members (group_id, unit_id) {
        group_id -> Uuid,
        unit_id -> Uuid,
    }
}

diesel::table! {
    cadres (id) {
        id -> Uuid,
        personnel_code -> Nullable<Text>,
        full_name -> Text,
        gender -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        email -> Nullable<Text>,
        managing_unit_id -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    posts (id) {
        id -> Uuid,
        cadre_id -> Uuid,
        unit_id -> Uuid,
        kind -> Text,
        title -> Text,
        acting -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        end_reason -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    accounts (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Text,
        kind -> Text,
        secret_hash -> Nullable<Text>,
        cadre_id -> Nullable<Uuid>,
        home_unit_id -> Uuid,
        external_subject -> Nullable<Text>,
        disabled -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    role_bindings (id) {
        id -> Uuid,
        account_id -> Uuid,
        role -> Text,
        unit_id -> Uuid,
        include_subtree -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Int8,
        at -> Timestamptz,
        username -> Text,
        client_addr -> Text,
        success -> Bool,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        at -> Timestamptz,
        actor_account_id -> Nullable<Uuid>,
        request_id -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Uuid>,
        unit_id -> Nullable<Uuid>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
    }
}

diesel::table! {
    idempotency_keys (account_id, key) {
        account_id -> Uuid,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Text,
        status -> Nullable<Int4>,
        response_body -> Nullable<Bytea>,
        response_headers -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(org_units -> org_levels (level_id));
diesel::joinable!(posts -> cadres (cadre_id));
diesel::joinable!(posts -> org_units (unit_id));
diesel::joinable!(role_bindings -> accounts (account_id));
diesel::joinable!(org_group_members -> org_groups (group_id));

diesel::allow_tables_to_appear_in_same_query!(
    org_levels,
    org_units,
    org_unit_parents,
    restructurings,
    unit_successions,
    org_groups,
    org_group_members,
    cadres,
    posts,
    accounts,
    role_bindings,
    audit_events,
);
