-- Which people have the app open on which node, so that presence `auto` ("online while the app
-- is open") holds across several nodes. A node beats by pushing `alive_until` forward; the
-- connections of a node whose time ran out no longer count, and any node then forgets them.
-- (One node on this embedded database knows its own sockets; the tables exist so that both
-- backends keep the same schema and pass the same conformance suite.)
CREATE TABLE nodes (
    id          TEXT PRIMARY KEY,
    alive_until INTEGER NOT NULL
);
CREATE TABLE node_connections (
    node_id   TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id    TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    PRIMARY KEY (node_id, person_id)
);
CREATE INDEX node_connections_by_person ON node_connections (org_id, person_id);
