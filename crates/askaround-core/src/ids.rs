//! Opaque identifiers. Each kind of id is its own type so a person id can never be passed where a
//! skill id is expected. Ids are UUIDv7 (time-ordered, so indexes stay compact); the store or the
//! server mints them, the core only carries them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered id. Reads the clock, so only edges (store, server) call it.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// An organisation (tenant). Every other row belongs to exactly one.
    OrgId
);
id_type!(
    /// A person in an organisation.
    PersonId
);
id_type!(
    /// A skill in an organisation's taxonomy.
    SkillId
);
id_type!(
    /// A learner's request for help, routed to colleagues.
    AskId
);
id_type!(
    /// One offer of one ask to one colleague.
    OfferId
);
id_type!(
    /// The conversation between a learner and the colleagues helping them with one ask.
    ConversationId
);
id_type!(
    /// One message in a conversation. Time-ordered, so ids page history.
    MessageId
);
id_type!(
    /// One running askaround process (a node), new at every start.
    NodeId
);
