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
        token_epoch -> Int8,
        sessions_ended_at -> Nullable<Timestamptz>,
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
    refresh_token_families (id) {
        id -> Uuid,
        account_id -> Uuid,
        started_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        replaced_by -> Nullable<Uuid>,
    }
}

diesel::joinable!(refresh_tokens -> refresh_token_families (family_id));
diesel::allow_tables_to_appear_in_same_query!(refresh_token_families, refresh_tokens);

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
        chain_position -> Nullable<Int8>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    audit_checkpoints (id) {
        id -> Uuid,
        position -> Int8,
        head_hash -> Text,
        at -> Timestamptz,
        signature -> Text,
        public_key -> Text,
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

diesel::table! {
    progress_reports (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        period_code -> Text,
        period_start -> Date,
        period_end -> Date,
        due_date -> Date,
        state -> Text,
        revision -> Int4,
        content -> Jsonb,
        actual_value -> Nullable<Float8>,
        first_submitted_at -> Nullable<Timestamptz>,
        submitted_at -> Nullable<Timestamptz>,
        reviewed_at -> Nullable<Timestamptz>,
        reviewed_by -> Nullable<Uuid>,
        review_comment -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        source_document -> Nullable<Text>,
    }
}

diesel::table! {
    progress_report_history (id) {
        id -> Int8,
        report_id -> Uuid,
        revision -> Int4,
        state -> Text,
        content -> Jsonb,
        actual_value -> Nullable<Float8>,
        review_comment -> Nullable<Text>,
        recorded_at -> Timestamptz,
        recorded_by -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        source_document -> Nullable<Text>,
    }
}

diesel::table! {
    obstacles (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        report_id -> Nullable<Uuid>,
        description -> Text,
        support_requested -> Nullable<Text>,
        state -> Text,
        raised_by -> Uuid,
        raised_at -> Timestamptz,
        response -> Nullable<Text>,
        responded_by -> Nullable<Uuid>,
        responded_at -> Nullable<Timestamptz>,
        resolution_note -> Nullable<Text>,
        resolved_by -> Nullable<Uuid>,
        resolved_at -> Nullable<Timestamptz>,
        objective_cause -> Bool,
        certification_note -> Nullable<Text>,
        certified_by -> Nullable<Uuid>,
        certified_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    opinions (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        author_id -> Uuid,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    feed_licences (id) {
        id -> Uuid,
        account_id -> Uuid,
        indicator_code -> Text,
        unit_id -> Uuid,
        include_subtree -> Bool,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamptz,
        version -> Int4,
        end_reason -> Nullable<Text>,
    }
}

diesel::table! {
    observations (id) {
        id -> Uuid,
        client_id -> Uuid,
        external_id -> Text,
        assignment_id -> Uuid,
        indicator_code -> Text,
        unit_id -> Uuid,
        observed_on -> Date,
        value -> Float8,
        source_ref -> Nullable<Text>,
        provenance -> Text,
        mismatch -> Bool,
        received_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    spot_checks (id) {
        id -> Uuid,
        round_id -> Uuid,
        share -> Float8,
        seed -> Text,
        candidate_ids -> Array<Uuid>,
        drawn_ids -> Array<Uuid>,
        drawn_by -> Uuid,
        drawn_at -> Timestamptz,
    }
}

diesel::table! {
    spot_check_findings (id) {
        id -> Uuid,
        spot_check_id -> Uuid,
        assignment_id -> Uuid,
        outcome -> Text,
        note -> Text,
        evidence_ids -> Array<Uuid>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    evidence_blobs (sha256) {
        sha256 -> Text,
        size_bytes -> Int8,
        media_type -> Text,
        first_stored_at -> Timestamptz,
    }
}

diesel::table! {
    evidence (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        report_id -> Nullable<Uuid>,
        milestone_index -> Nullable<Int4>,
        kind -> Text,
        title -> Text,
        description -> Nullable<Text>,
        sha256 -> Nullable<Text>,
        file_name -> Nullable<Text>,
        media_type -> Nullable<Text>,
        size_bytes -> Nullable<Int8>,
        url -> Nullable<Text>,
        document_number -> Nullable<Text>,
        document_date -> Nullable<Date>,
        document_issuer -> Nullable<Text>,
        submitted_by -> Uuid,
        submitted_at -> Timestamptz,
        verification -> Text,
        verified_by -> Nullable<Uuid>,
        verified_at -> Nullable<Timestamptz>,
        verification_comment -> Nullable<Text>,
        integrity -> Text,
        integrity_checked_at -> Nullable<Timestamptz>,
        retracted_by -> Nullable<Uuid>,
        retracted_at -> Nullable<Timestamptz>,
        retraction_reason -> Nullable<Text>,
        version -> Int4,
        idempotency_key -> Nullable<Text>,
    }
}

diesel::table! {
    evidence_marks (id) {
        id -> Uuid,
        evidence_id -> Uuid,
        mark -> Text,
        comment -> Text,
        marked_by -> Uuid,
        marked_at -> Timestamptz,
    }
}

diesel::table! {
    evidence_integrity_checks (id) {
        id -> Uuid,
        evidence_id -> Uuid,
        intact -> Bool,
        expected -> Text,
        actual -> Nullable<Text>,
        actual_size -> Nullable<Int8>,
        checked_by -> Uuid,
        checked_at -> Timestamptz,
    }
}

diesel::table! {
    rule_sets (code, version) {
        code -> Text,
        version -> Int4,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        definition -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        period_code -> Text,
        period_end -> Date,
        state -> Text,
        rule_set_code -> Text,
        rule_set_version -> Int4,
        facts -> Jsonb,
        suggestion -> Jsonb,
        self_grade -> Nullable<Text>,
        self_score -> Nullable<Float8>,
        self_narrative -> Nullable<Text>,
        evidence_ids -> Array<Uuid>,
        self_assessed_by -> Nullable<Uuid>,
        self_assessed_at -> Nullable<Timestamptz>,
        appraised_grade -> Nullable<Text>,
        appraised_score -> Nullable<Float8>,
        appraisal_remarks -> Nullable<Text>,
        appraised_by -> Nullable<Uuid>,
        appraised_at -> Nullable<Timestamptz>,
        decided_grade -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        quota_exception_reason -> Nullable<Text>,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        return_comment -> Nullable<Text>,
        supersedes_id -> Nullable<Uuid>,
        override_reason -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        departure_reason -> Nullable<Text>,
    }
}

diesel::table! {
    evaluation_reopenings (id) {
        id -> Uuid,
        evaluation_id -> Uuid,
        reason -> Text,
        reopened_by -> Uuid,
        reopened_at -> Timestamptz,
        closed_by -> Nullable<Uuid>,
        closed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    evaluation_attributions (evaluation_id, post_id) {
        evaluation_id -> Uuid,
        cadre_id -> Uuid,
        post_id -> Uuid,
        held_from -> Date,
        held_to -> Date,
        share -> Float8,
    }
}

diesel::table! {
    consequences (id) {
        id -> Uuid,
        evaluation_id -> Uuid,
        cadre_id -> Uuid,
        kind -> Text,
        decision_number -> Text,
        decision_date -> Date,
        issuer -> Text,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    evaluation_paper_sources (evaluation_id) {
        evaluation_id -> Uuid,
        source_document -> Text,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    person_evaluations (id) {
        id -> Uuid,
        cadre_id -> Nullable<Uuid>,
        collective_unit_id -> Nullable<Uuid>,
        evaluating_unit_id -> Uuid,
        group_id -> Nullable<Uuid>,
        period_code -> Text,
        period_end -> Date,
        state -> Text,
        rule_set_code -> Text,
        rule_set_version -> Int4,
        basis -> Jsonb,
        suggestion -> Jsonb,
        self_grade -> Nullable<Text>,
        self_narrative -> Nullable<Text>,
        self_assessed_by -> Nullable<Uuid>,
        self_assessed_at -> Nullable<Timestamptz>,
        appraised_grade -> Nullable<Text>,
        appraisal_remarks -> Nullable<Text>,
        appraised_by -> Nullable<Uuid>,
        appraised_at -> Nullable<Timestamptz>,
        decided_grade -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        departure_reason -> Nullable<Text>,
        quota_exception_reason -> Nullable<Text>,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        return_comment -> Nullable<Text>,
        supersedes_id -> Nullable<Uuid>,
        override_reason -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    events (position) {
        position -> Int8,
        id -> Uuid,
        #[sql_name = "type"]
        type_ -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Uuid>,
        unit_id -> Nullable<Uuid>,
        version -> Nullable<Int4>,
        time -> Timestamptz,
    }
}

diesel::table! {
    round_publications (id) {
        id -> Uuid,
        round_id -> Uuid,
        version -> Int4,
        snapshot -> Jsonb,
        published_at -> Timestamptz,
        published_by -> Uuid,
        reason -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamptz>,
        withdrawn_by -> Nullable<Uuid>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::joinable!(org_units -> org_levels (level_id));
diesel::joinable!(round_publications -> rounds (round_id));
diesel::joinable!(evaluations -> assignments (assignment_id));
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
    audit_checkpoints,
    rounds,
    round_group_rules,
    assignments,
    assignment_accountables,
    assignment_terms,
    assignment_decisions,
    signing_delegations,
    commitments,
    plans,
    amendments,
    progress_reports,
    progress_report_history,
    obstacles,
    opinions,
    feed_licences,
    observations,
    spot_checks,
    spot_check_findings,
    evidence_blobs,
    evidence,
    evidence_marks,
    evidence_integrity_checks,
    rule_sets,
    evaluations,
    evaluation_reopenings,
    evaluation_attributions,
    evaluation_paper_sources,
    consequences,
    person_evaluations,
    events,
    round_publications,
);

diesel::table! {
    rounds (id) {
        id -> Uuid,
        assigning_unit_id -> Uuid,
        year -> Int4,
        term_label -> Nullable<Text>,
        title -> Text,
        decision_number -> Nullable<Text>,
        decision_date -> Nullable<Date>,
        signer_title -> Nullable<Text>,
        signer_name -> Nullable<Text>,
        state -> Text,
        issued_at -> Nullable<Timestamptz>,
        issued_by -> Nullable<Uuid>,
        override_reason -> Nullable<Text>,
        override_breaches -> Nullable<Jsonb>,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        reporting_cadence -> Text,
        report_due_days -> Int4,
        published_at -> Nullable<Timestamptz>,
        published_by -> Nullable<Uuid>,
        quarterly_evaluation -> Bool,
    }
}

diesel::table! {
    round_group_rules (round_id, group_id) {
        round_id -> Uuid,
        group_id -> Uuid,
        min_tasks -> Int4,
        max_tasks -> Nullable<Int4>,
        required_content_areas -> Array<Text>,
        growth_target_required -> Bool,
    }
}

diesel::table! {
    assignments (id) {
        id -> Uuid,
        round_id -> Uuid,
        assigning_unit_id -> Uuid,
        assignee_unit_id -> Uuid,
        code -> Nullable<Text>,
        title -> Text,
        description -> Nullable<Text>,
        content_area -> Text,
        kind -> Text,
        product_description -> Nullable<Text>,
        flags -> Array<Text>,
        growth_target -> Bool,
        start_date -> Date,
        end_date -> Date,
        target -> Nullable<Jsonb>,
        rollup -> Text,
        weight -> Float8,
        milestones -> Jsonb,
        parent_id -> Nullable<Uuid>,
        carried_from_id -> Nullable<Uuid>,
        state -> Text,
        terms_version -> Int4,
        commitment_id -> Nullable<Uuid>,
        commitment_invalidated_at -> Nullable<Timestamptz>,
        withdrawn_reason -> Nullable<Text>,
        search_text -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        objective_cause -> Bool,
        indicator_code -> Nullable<Text>,
        feed_mismatch_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    assignment_accountables (assignment_id, unit_id, post_kind) {
        assignment_id -> Uuid,
        unit_id -> Uuid,
        post_kind -> Text,
        role -> Text,
    }
}

diesel::table! {
    assignment_terms (assignment_id, terms_version) {
        assignment_id -> Uuid,
        terms_version -> Int4,
        terms -> Jsonb,
        terms_hash -> Text,
        amendment_id -> Nullable<Uuid>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    assignment_decisions (id) {
        id -> Uuid,
        round_id -> Uuid,
        assignee_unit_id -> Uuid,
        decision_number -> Nullable<Text>,
        decision_date -> Nullable<Date>,
        assignment_ids -> Array<Uuid>,
        terms_hash -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    signing_delegations (id) {
        id -> Uuid,
        unit_id -> Uuid,
        cadre_id -> Uuid,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        decision_ref -> Nullable<Text>,
        reason -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    commitments (id) {
        id -> Uuid,
        round_id -> Uuid,
        assignee_unit_id -> Uuid,
        signer_account_id -> Uuid,
        signer_cadre_id -> Uuid,
        signer_post_id -> Nullable<Uuid>,
        delegation_id -> Nullable<Uuid>,
        signed_at -> Timestamptz,
        terms -> Jsonb,
        terms_hash -> Text,
        signature_algorithm -> Nullable<Text>,
        signature -> Nullable<Text>,
        signer_key_pem -> Nullable<Text>,
        signature_check -> Nullable<Text>,
        signature_detail -> Nullable<Text>,
        invalidated_at -> Nullable<Timestamptz>,
        invalidated_reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plans (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        state -> Text,
        solutions -> Text,
        general_objective -> Text,
        specific_objectives -> Jsonb,
        roadmap -> Jsonb,
        revision -> Int4,
        submitted_at -> Nullable<Timestamptz>,
        submitted_by -> Nullable<Uuid>,
        reviewed_at -> Nullable<Timestamptz>,
        reviewed_by -> Nullable<Uuid>,
        review_comment -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    amendments (id) {
        id -> Uuid,
        assignment_id -> Uuid,
        kind -> Text,
        justification -> Text,
        objective_cause -> Bool,
        proposed -> Jsonb,
        state -> Text,
        requested_by -> Uuid,
        requested_at -> Timestamptz,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_comment -> Nullable<Text>,
        resulting_terms_version -> Nullable<Int4>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        owner_account_id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Array<Text>,
        unit_id -> Nullable<Uuid>,
        status -> Text,
        disabled_at -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        cursor -> Int8,
        failing_since -> Nullable<Timestamptz>,
        last_success_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_secrets (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        secret -> Text,
        created_at -> Timestamptz,
        expires_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        event_position -> Int8,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Int4,
        schedule_step -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
        dead_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Uuid,
        delivery_id -> Uuid,
        number -> Int4,
        started_at -> Timestamptz,
        duration_ms -> Int4,
        response_status -> Nullable<Int4>,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    webhook_subscriptions,
    webhook_secrets,
    webhook_deliveries,
    webhook_attempts,
);
diesel::allow_tables_to_appear_in_same_query!(webhook_subscriptions, events);
diesel::allow_tables_to_appear_in_same_query!(webhook_subscriptions, accounts);
diesel::allow_tables_to_appear_in_same_query!(webhook_subscriptions, org_units);
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, events);
