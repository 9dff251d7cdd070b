//! Presence `auto` ("online while the app is open") across several nodes. A person's sockets
//! may be open on any node, so with a change feed each node records in the store whom it holds
//! (and beats, so that a node that dies stops counting), and the matcher counts a person as
//! connected if any live node holds them. The store announces every such change as a change of
//! the person, which every node's index follows. A single node knows its own sockets and writes
//! nothing.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use askaround_core::ids::{NodeId, OrgId, PersonId};
use askaround_store::StoreResult;

use super::matchers::Matchers;

/// How often a node says it is alive...
const BEAT: Duration = Duration::from_secs(5);
/// ...and how long each beat counts: a node killed without warning stops holding anyone after
/// this, and the next beat of any other node announces the people it held.
const ALIVE_FOR: SignedDuration = SignedDuration::from_secs(20);
/// Locks shared by people, so the writes for one person's sockets on this node happen in order.
const STRIPES: usize = 64;

/// This node's identity among the nodes, and the order of its presence writes.
pub struct NodePresence {
    pub node: NodeId,
    stripes: Vec<tokio::sync::Mutex<()>>,
    /// Whom this node has recorded as connected to it, to record again should the other nodes
    /// have forgotten this one (a beat that came too late).
    recorded: std::sync::Mutex<HashMap<PersonId, OrgId>>,
}

impl Default for NodePresence {
    fn default() -> Self {
        Self {
            node: NodeId::generate(),
            stripes: (0..STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            recorded: std::sync::Mutex::new(HashMap::new()),
        }
    }
}

impl NodePresence {
    fn stripe(&self, person: PersonId) -> &tokio::sync::Mutex<()> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        person.hash(&mut hasher);
        &self.stripes[(hasher.finish() as usize) % self.stripes.len()]
    }
}

impl Matchers {
    /// Records this node as alive, before it records anyone connected to it.
    pub(crate) async fn join_nodes(&self) -> StoreResult<()> {
        self.store
            .node_alive(self.presence.node, Timestamp::now() + ALIVE_FOR)
            .await
            .map(drop)
    }

    /// Keeps this node alive, and forgets the nodes that stopped beating (announcing the people
    /// they held, so every node's index sees them go). Runs until the node stops.
    pub(crate) async fn beat(&self) {
        let mut tick = tokio::time::interval(BEAT);
        loop {
            tick.tick().await;
            let now = Timestamp::now();
            match self
                .store
                .node_alive(self.presence.node, now + ALIVE_FOR)
                .await
            {
                Ok(true) => {}
                Ok(false) => self.record_again().await,
                Err(e) => tracing::warn!(error = %e, "could not record this node as alive"),
            }
            match self.store.forget_nodes(now, None).await {
                Ok(people) if !people.is_empty() => {
                    tracing::info!(
                        people = people.len(),
                        "forgot the connections of a stopped node"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not forget stopped nodes"),
            }
        }
    }

    /// The other nodes forgot this one (its beat came too late): says again whom it holds.
    async fn record_again(&self) {
        let held: Vec<(PersonId, OrgId)> = self
            .presence
            .recorded
            .lock()
            .map(|r| r.iter().map(|(p, o)| (*p, *o)).collect())
            .unwrap_or_default();
        tracing::warn!(
            people = held.len(),
            "this node had been forgotten; recording its connections again"
        );
        for (person, org) in held {
            let _turn = self.presence.stripe(person).lock().await;
            if self.hub.is_connected(person)
                && let Err(e) = self
                    .store
                    .set_connected(self.presence.node, org, person, true)
                    .await
            {
                tracing::warn!(error = %e, "could not record a connection for other nodes");
            }
        }
    }

    /// This node is stopping: whoever it held is no longer connected through it.
    pub(crate) async fn leave_nodes(&self) {
        if let Err(e) = self
            .store
            .forget_nodes(Timestamp::now(), Some(self.presence.node))
            .await
        {
            tracing::warn!(error = %e, "could not forget this node's connections");
        }
    }

    /// A socket of `person` opened or closed on this node. Their presence `auto` may change.
    /// With several nodes the store announces the change to every node, this one included, and
    /// each index follows it from there; a single node applies it itself.
    pub async fn socket_changed(&self, org: OrgId, person: PersonId) {
        if self.is_followed() {
            // In order per person: the last write says what the hub says now.
            let _turn = self.presence.stripe(person).lock().await;
            let connected = self.hub.is_connected(person);
            let changed = self.presence.recorded.lock().is_ok_and(|mut recorded| {
                if connected {
                    recorded.insert(person, org).is_none()
                } else {
                    recorded.remove(&person).is_some()
                }
            });
            // A second tab, or the last of several closing early: nothing to tell.
            if !changed {
                return;
            }
            if let Err(e) = self
                .store
                .set_connected(self.presence.node, org, person, connected)
                .await
            {
                tracing::warn!(error = %e, "could not record a connection for other nodes");
            }
            return;
        }
        match self.store.person(org, person).await {
            Ok(profile) => self.person_changed(&profile).await,
            Err(e) => tracing::debug!(error = %e, "a connection of someone who is gone"),
        }
    }

    /// Whether `person` has the app open on this node or, with several nodes, on any live one.
    pub(super) async fn connected(&self, org: OrgId, person: PersonId) -> bool {
        if self.hub.is_connected(person) {
            return true;
        }
        if !self.is_followed() {
            return false;
        }
        self.store
            .is_connected(org, person, Timestamp::now())
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not read connections; taking as offline");
                false
            })
    }

    /// The people of `org` connected to other live nodes (empty for a single node).
    pub(super) async fn connected_elsewhere(&self, org: OrgId) -> StoreResult<HashSet<PersonId>> {
        if !self.is_followed() {
            return Ok(HashSet::new());
        }
        let people = self.store.connected_people(org, Timestamp::now()).await?;
        Ok(people.into_iter().collect())
    }
}
