-- The people who answer for an assignment: positions (a kind of post in a unit) such as the
-- district Party secretary (head of the district Party committee) and the chair of the
-- district People's Committee (head of that unit), or the deputies. A decided grade goes to
-- the record of every cadre who held one of these positions while the period ran, by days
-- held; an assignment that names none answers through the head of its assignee unit.
CREATE TABLE assignment_accountables (
    assignment_id  UUID NOT NULL REFERENCES assignments (id),
    unit_id        UUID NOT NULL REFERENCES org_units (id),
    post_kind      TEXT NOT NULL CHECK (post_kind IN ('head', 'deputy_head', 'member')),
    role           TEXT NOT NULL CHECK (role IN ('head', 'secretary', 'chair', 'deputy')),
    PRIMARY KEY (assignment_id, unit_id, post_kind)
);
