-- Which people have the app open on which node, so that presence `auto` ("online while the app
-- is open") holds across several nodes. A node beats by pushing `alive_until` forward; the
-- connections of a node whose time ran out no longer count, and any node then forgets them.
CREATE TABLE nodes (
    id          uuid PRIMARY KEY,
    alive_until bigint NOT NULL
);
CREATE TABLE node_connections (
    node_id   uuid NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id    uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    PRIMARY KEY (node_id, person_id)
);
CREATE INDEX node_connections_by_person ON node_connections (org_id, person_id);
