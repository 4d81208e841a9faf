//! Graph building: turns documents, canonical entities, mentions and stance
//! records into the nodes and edges that the exporters write.
