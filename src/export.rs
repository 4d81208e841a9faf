//! Exports: writes the graph as GEXF 1.3 (and GraphML, CSV) and the records
//! as JSON Lines, each file written to a temporary name and renamed.
