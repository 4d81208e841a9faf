//! The long texts of `--help`: the epilogue of `run --help` (input formats,
//! outputs, nightly runs, exit codes) and the exit codes of the other
//! commands. `-h` shows a one-line pointer instead of the epilogue.

/// After `run -h`.
pub(crate) const RUN_SHORT: &str = "Input formats, output files and exit codes: stancegraph run --help";

/// After `run --help` (also the man page's).
pub(crate) const RUN_LONG: &str = "\
INPUT FORMATS
  Text files (.txt), one article with its reader comments per file:
    date YYYY-MM-DD <first paragraph of the article>
    <more article paragraphs, one per line>
    <comment author>
    <comment text, one or more lines>
    <next comment author>
    ...
  A file without the `date` line is read as a plain article (first short line = title).

  JSON Lines (.jsonl), one document per line:
    {\"id\": .., \"date\": \"YYYY-MM-DD\", \"title\": ..?, \"text\": ..,
     \"comments\": [{\"author\": .., \"text\": .., \"id\": ..?, \"parent\": ..?, \"date\": ..?}]}
  A document without a date takes the first YYYY-MM-DD in its file name, if any;
  a comment without a date is dated with its article.

  Directories are read recursively. A file that can't be read or parsed is
  reported with its reason and skipped; the rest of the corpus still runs.

OUTPUTS (in --out DIR; each run writes a whole set into runs/run-NNNNNN/ and then
  moves the `latest` link to it in one step; DIR/graph.gexf etc. point through latest/)
  stancegraph.db   the corpus store (SQLite; --store PATH to put it elsewhere)
  graph.gexf       GEXF 1.3 for Gephi: entities, commenters, articles; stance, mention,
                   commented and reply edges; dated spells (--types, --min-mentions,
                   --min-confidence, --max-entities, --all-nodes)
  commenters.gexf  commenters linked by how often they agree, with the camp each falls in
                   (--min-shared-entities)
  entities.gexf    entities linked when one comment mentions both, coloured by their
                   favour/against balance
  graph.graphml    the same graph as graph.gexf, as GraphML
  nodes.csv, edges.csv   graph.gexf for Gephi's spreadsheet import
  entities.jsonl, mentions.jsonl, stances.jsonl   every record, whatever the graph filters
  stances.csv      the stance records, one a row (comment id, author, quote, probabilities, …)
  comments.jsonl   every comment's whole text, author, date and parent, by the records' comment id
  summary.json     run id, this run's work, corpus counts, records per model, timings, graph filters
  report.html      the corpus at a glance in one self-contained page: top and most contested
                   entities, camps, stance over time, the comments behind each share
  The set holds the rolling window: the newest 30 days of documents, at least 1,000
  documents (--window-days, --window-min-documents; --all for the whole store).

NIGHTLY RUNS
  Point `run` at the whole growing folder (or at tonight's files only) with the same
  --out: unchanged documents cost no model work, a grown thread costs its new comments.

EXIT CODES
  0 success (also: nothing new)   1 some input files or lines were skipped
  2 fatal error                   3 another run holds the store or --out (nothing done)
  4 the store is damaged (run `stancegraph recover STORE`)
  5 not published: the store holds fewer documents than the last set (--accept-shrink publishes it)
  6 export: the --from/--to range matches no document, or the graph filters keep no entity (nothing written)";

/// After `merge --help`.
pub(crate) const MERGE_EXIT_CODES: &str = "\
EXIT CODES
  0 success                       2 fatal error
  3 another run holds the store or --out (nothing done)
  4 the store is damaged (run `stancegraph recover STORE`)
  5 not published: the store holds fewer documents than the last set (--accept-shrink publishes it)";

/// After `export --help`.
pub(crate) const EXPORT_EXIT_CODES: &str = "\
EXIT CODES
  0 success                       2 fatal error
  3 another run holds the store or --out (nothing done)
  4 the store is damaged (run `stancegraph recover STORE`)
  5 not published: the store holds fewer documents than the last set (--accept-shrink publishes it)
  6 the --from/--to range matches no document, or the graph filters keep no entity (nothing written)";

/// After `recover --help`.
pub(crate) const RECOVER_EXIT_CODES: &str = "\
EXIT CODES
  0 recovered, or the store was healthy (nothing changed)
  2 fatal error (no such store, ...)
  3 a run holds the store (nothing done)";
