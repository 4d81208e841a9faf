//! The run: wires corpus → ner → link → stance → graph → export.
