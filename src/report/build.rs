//! The numbers of the page ([`Report`]), from the records and the typed
//! summary: the totals, the ranked entities and their evidence, the
//! commenters, the camps and the stance over time.

use super::html::type_name;
use super::*;

/// A `YYYY-MM-DD` date (or the first 10 characters of a longer timestamp),
/// when valid.
pub(super) fn day_of(date: Option<&str>) -> Option<&str> {
    valid_date(date?.get(..10)?)
}

/// The first day of the bin holding `date`.
pub(super) fn bin_start(unit: Unit, date: &str) -> String {
    match unit {
        Unit::Day => date.to_string(),
        // 1970-01-01 was a Thursday: Monday-based weeks.
        Unit::Week => {
            let d = days_from_date(date);
            date_from_days(d - (d + 3).rem_euclid(7))
        }
        Unit::Month => format!("{}-01", &date[..7]),
        Unit::Year => format!("{}-01-01", &date[..4]),
    }
}

/// The first day of the bin after the one starting at `start`.
pub(super) fn next_bin(unit: Unit, start: &str) -> String {
    match unit {
        Unit::Day => date_from_days(days_from_date(start) + 1),
        Unit::Week => date_from_days(days_from_date(start) + 7),
        Unit::Month => {
            let (y, m): (i64, i64) = (start[..4].parse().unwrap_or(1), start[5..7].parse().unwrap_or(1));
            if m == 12 {
                format!("{:04}-01-01", y + 1)
            } else {
                format!("{y:04}-{:02}-01", m + 1)
            }
        }
        Unit::Year => format!("{:04}-01-01", start[..4].parse::<i64>().unwrap_or(1) + 1),
    }
}

/// The unit for a span of dates: days up to about two months, weeks up to
/// about 14 months, months up to 10 years, else years.
pub(super) fn unit_for(first: &str, last: &str) -> Unit {
    match days_from_date(last) - days_from_date(first) {
        s if s <= 62 => Unit::Day,
        s if s <= 430 => Unit::Week,
        s if s <= 3660 => Unit::Month,
        _ => Unit::Year,
    }
}

/// `Some(text)` unless it is empty.
pub(super) fn text_field(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// Computes the report from the records and the summary (which gives the
/// run, the coverage, the skipped inputs and the duplicate ids).
pub fn build(e: &Exports, summary: &Summary) -> Report {
    // Unsure records are counted apart and nowhere else (as in the graph).
    let kept: Vec<&StanceRecord> = e.stances.iter().filter(|s| !s.unsure).collect();
    let mut totals = totals(e, &kept);
    let mut entities_by_type: BTreeMap<String, usize> = BTreeMap::new();
    for en in e.entities {
        *entities_by_type.entry(type_name(en.kind).to_string()).or_insert(0) += 1;
    }

    // Documents: dates.
    let mut doc_day: HashMap<&str, &str> = HashMap::new();
    let mut dated: BTreeSet<&str> = BTreeSet::new();
    for d in e.documents {
        if let Some(day) = day_of(d.date.as_deref()) {
            doc_day.entry(d.id.as_str()).or_insert(day);
            dated.insert(day);
        }
    }
    let dated_documents = e.documents.iter().filter(|d| day_of(d.date.as_deref()).is_some()).count();

    let ranking = Ranking::of(e, &kept);
    let people = activity(e, &kept);
    totals.commenters = people.len();
    let context = Context::new(e.documents);
    let camps = CampsPanel::of(e, &kept, &people, &context);
    let commenters = commenter_rows(&people, &camps.camp_of);
    let timeline = timeline(&kept, &doc_day, &ranking.ranked);

    let run = summary.run.as_ref();
    let skipped = run
        .map(|r| {
            r.skipped
                .iter()
                .map(|s| SkippedRow { path: s.path.clone(), line: s.line.map(|l| l as u64), reason: s.reason.clone() })
                .collect()
        })
        .unwrap_or_default();
    let duplicate_ids = run.map(|r| r.duplicate_ids.clone()).unwrap_or_default();
    let files = export::FILES
        .iter()
        .filter(|f| **f != FILE)
        .map(|f| FileLink { name: f.to_string(), what: describe(f), bytes: None })
        .collect();
    let Ranking { measured_entities, top_entities, contested, favoured, opposed, .. } = ranking;
    Report {
        run_id: Some(summary.run_id),
        coverage: text_field(&summary.coverage.text),
        graph_left_out: summary.graphs.left_out_text.clone(),
        run_started: text_field(&summary.run_started),
        version: text_field(&summary.version),
        stance_method: run.and_then(|r| text_field(r.stance_method)),
        totals,
        entities_by_type,
        dated_documents,
        first_date: dated.first().map(|d| d.to_string()),
        last_date: dated.last().map(|d| d.to_string()),
        measured_entities,
        evidence: entity_evidence(
            top_entities.iter().chain(&contested).chain(&favoured).chain(&opposed),
            &kept,
            &context,
        ),
        top_entities,
        contested,
        favoured,
        opposed,
        commenters,
        camps_found: camps.found,
        commenters_in_camps: camps.members,
        camps: camps.rows,
        commenters_with_side: camps.commenters_with_side,
        camp_commenters_capped: camps.capped,
        timeline,
        skipped,
        duplicate_ids,
        files,
    }
}

/// The corpus totals but the commenters (counted with their activity).
fn totals(e: &Exports, kept: &[&StanceRecord]) -> Totals {
    let mut totals = Totals {
        documents: e.documents.len(),
        comments: e.documents.iter().map(|d| d.comments.len()).sum(),
        mentions: e.mentions.iter().map(|m| m.count).sum(),
        entities: e.entities.len(),
        stance_pairs: e.stances.len(),
        unsure: e.stances.iter().filter(|s| s.unsure).count(),
        implicit: e.stances.iter().filter(|s| s.implicit).count(),
        ..Totals::default()
    };
    for s in kept {
        match s.stance {
            Stance::Favour => totals.favour += 1,
            Stance::Against => totals.against += 1,
            Stance::Neutral => totals.neutral += 1,
        }
    }
    totals
}

/// The entity panels: every ranked entity, and the rows of each panel.
struct Ranking {
    ranked: Vec<EntityRow>,
    measured_entities: usize,
    top_entities: Vec<EntityRow>,
    contested: Vec<EntityRow>,
    favoured: Vec<EntityRow>,
    opposed: Vec<EntityRow>,
}

impl Ranking {
    fn of(e: &Exports, kept: &[&StanceRecord]) -> Ranking {
        // Entities and their stance.
        let mut per_entity: HashMap<&str, Counts> = HashMap::new();
        for s in kept {
            per_entity.entry(s.entity_id.as_str()).or_default().add(s.stance);
        }
        let mut seen_ids: BTreeSet<&str> = BTreeSet::new();
        let mut ranked: Vec<EntityRow> = e
            .entities
            .iter()
            .filter(|en| RANKED_TYPES.contains(&en.kind) && seen_ids.insert(en.id.as_str()))
            .map(|en| EntityRow {
                id: en.id.clone(),
                label: en.label.clone(),
                kind: en.kind,
                mentions: en.mentions,
                stance: per_entity.get(en.id.as_str()).copied().unwrap_or_default(),
            })
            .collect();
        ranked.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.label.cmp(&b.label)).then(a.id.cmp(&b.id)));
        let measured_entities = ranked.iter().filter(|r| r.stance.total() > 0).count();
        let top_entities: Vec<EntityRow> = ranked.iter().take(TOP_ENTITIES).cloned().collect();
        let mut contested: Vec<EntityRow> = ranked.iter().filter(|r| r.stance.contest() > 0.0).cloned().collect();
        contested.sort_by(|a, b| {
            b.stance
                .contest()
                .total_cmp(&a.stance.contest())
                .then(b.stance.total().cmp(&a.stance.total()))
                .then_with(|| a.label.cmp(&b.label))
        });
        contested.truncate(TOP_CONTESTED);
        let one_sided = |side: fn(&Counts) -> usize, other: fn(&Counts) -> usize| {
            let mut rows: Vec<EntityRow> = ranked
                .iter()
                .filter(|r| r.stance.total() >= ONE_SIDED_MIN && side(&r.stance) > other(&r.stance))
                .cloned()
                .collect();
            let share = |r: &EntityRow| side(&r.stance) as f64 / r.stance.total() as f64;
            rows.sort_by(|a, b| {
                share(b)
                    .total_cmp(&share(a))
                    .then(b.stance.total().cmp(&a.stance.total()))
                    .then_with(|| a.label.cmp(&b.label))
            });
            rows.truncate(TOP_ONE_SIDED);
            rows
        };
        let favoured = one_sided(|c| c.favour, |c| c.against);
        let opposed = one_sided(|c| c.against, |c| c.favour);
        Ranking { ranked, measured_entities, top_entities, contested, favoured, opposed }
    }
}

/// One commenter's activity.
#[derive(Default)]
struct Activity<'a> {
    comments: usize,
    threads: BTreeSet<&'a str>,
    stance: Counts,
}

/// Every commenter's activity, by name.
fn activity<'a>(e: &Exports<'a>, kept: &[&StanceRecord]) -> BTreeMap<String, Activity<'a>> {
    let mut people: BTreeMap<String, Activity> = BTreeMap::new();
    for d in e.documents {
        for c in &d.comments {
            let a = people.entry(commenter_name(&c.author).to_string()).or_default();
            a.comments += 1;
            a.threads.insert(d.id.as_str());
        }
    }
    for s in kept {
        people.entry(commenter_name(&s.author).to_string()).or_default().stance.add(s.stance);
    }
    people
}

/// The camps panel.
struct CampsPanel {
    rows: Vec<CampRow>,
    /// All camps found, and the commenters in them.
    found: usize,
    members: usize,
    camp_of: HashMap<String, usize>,
    commenters_with_side: usize,
    capped: bool,
}

impl CampsPanel {
    /// Camps, over the stance toward the ranked types, among the
    /// CAMP_COMMENTERS commenters with the most sides taken.
    fn of(e: &Exports, kept: &[&StanceRecord], people: &BTreeMap<String, Activity>, context: &Context) -> CampsPanel {
        let ranked_stances: Vec<StanceRecord> =
            kept.iter().filter(|s| RANKED_TYPES.contains(&s.entity_type)).map(|s| (*s).clone()).collect();
        let positions = camps::positions(&ranked_stances);
        let (camp_stances, camp_commenters_capped) = camps::of_most_sided(&ranked_stances, CAMP_COMMENTERS);
        let pairs = camps::agreement(&camp_stances);
        let found = camps::find(&pairs);
        let camp_of: HashMap<&str, usize> =
            found.iter().flat_map(|c| c.members.iter().map(move |m| (m.as_str(), c.id))).collect();
        let labels: HashMap<&str, &str> = e.entities.iter().map(|en| (en.id.as_str(), en.label.as_str())).collect();
        let activity = |name: &str| people.get(name).map_or(0, |a| a.comments);
        let commenters_with_side: BTreeSet<&str> =
            positions.iter().filter(|(_, p)| p.side().is_some()).map(|((who, _), _)| who.as_str()).collect();
        let mut camp_rows = Vec::new();
        for c in found.iter().take(TOP_CAMPS) {
            let mut members = c.members.clone();
            members.sort_by(|a, b| activity(b).cmp(&activity(a)).then_with(|| a.cmp(b)));
            let stands = camps::stands(&c.members, &positions, |id| labels.get(id).map_or(id, |l| *l).to_string());
            let pairs = |list: &[camps::Stand]| list.iter().map(|s| (s.label.clone(), s.members)).collect();
            camp_rows.push(CampRow {
                id: c.id,
                agree: c.agree,
                disagree: c.disagree,
                favours: pairs(&stands.favours),
                opposes: pairs(&stands.opposes),
                evidence: camp_evidence(&c.members, &stands, kept, context),
                members,
            });
        }
        CampsPanel {
            rows: camp_rows,
            found: found.len(),
            members: found.iter().map(|c| c.members.len()).sum(),
            camp_of: camp_of.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            commenters_with_side: commenters_with_side.len(),
            capped: camp_commenters_capped,
        }
    }
}

/// The most active commenters' rows.
fn commenter_rows(people: &BTreeMap<String, Activity>, camp_of: &HashMap<String, usize>) -> Vec<CommenterRow> {
    let mut commenters: Vec<CommenterRow> = people
        .iter()
        .filter(|(_, a)| a.comments > 0)
        .map(|(name, a)| CommenterRow {
            name: name.clone(),
            comments: a.comments,
            threads: a.threads.len(),
            stance: a.stance,
            camp: camp_of.get(name).copied(),
        })
        .collect();
    commenters.sort_by(|a, b| {
        b.comments.cmp(&a.comments).then(b.stance.total().cmp(&a.stance.total())).then_with(|| a.name.cmp(&b.name))
    });
    commenters.truncate(TOP_COMMENTERS);

    commenters
}

/// Stance over time of the ranked entities with the most dated records.
fn timeline(kept: &[&StanceRecord], doc_day: &HashMap<&str, &str>, ranked: &[EntityRow]) -> Timeline {
    let mut undated = 0;
    let mut dated_per_entity: HashMap<&str, usize> = HashMap::new();
    for s in kept {
        if doc_day.contains_key(s.doc_id.as_str()) {
            *dated_per_entity.entry(s.entity_id.as_str()).or_insert(0) += 1;
        } else {
            undated += 1;
        }
    }
    let mut chosen: Vec<&EntityRow> =
        ranked.iter().filter(|r| dated_per_entity.get(r.id.as_str()).is_some_and(|&n| n > 0)).collect();
    chosen.sort_by_key(|r| std::cmp::Reverse(dated_per_entity[r.id.as_str()]));
    chosen.truncate(TIMELINE_ENTITIES);
    let record_days: BTreeSet<&str> = kept
        .iter()
        .filter(|s| chosen.iter().any(|r| r.id == s.entity_id))
        .filter_map(|s| doc_day.get(s.doc_id.as_str()).copied())
        .collect();
    match (record_days.first(), record_days.last()) {
        (Some(first), Some(last)) => {
            let unit = unit_for(first, last);
            let mut bins = vec![bin_start(unit, first)];
            let end = bin_start(unit, last);
            while bins.last().is_some_and(|b| *b < end) {
                bins.push(next_bin(unit, bins.last().expect("a bin")));
            }
            let index: HashMap<&str, usize> = bins.iter().enumerate().map(|(i, b)| (b.as_str(), i)).collect();
            let series = chosen
                .iter()
                .map(|r| {
                    let mut counts = vec![Counts::default(); bins.len()];
                    for s in kept.iter().filter(|s| s.entity_id == r.id) {
                        if let Some(day) = doc_day.get(s.doc_id.as_str()) {
                            if let Some(&i) = index.get(bin_start(unit, day).as_str()) {
                                counts[i].add(s.stance);
                            }
                        }
                    }
                    ((*r).clone(), counts)
                })
                .collect();
            Timeline { unit, bins, series, undated }
        }
        _ => Timeline { unit: Unit::Day, bins: Vec::new(), series: Vec::new(), undated },
    }
}

/// What a quote shows of its document: the title (else the id), cut, and
/// the valid date.
pub(super) struct Context<'a> {
    documents: HashMap<&'a str, (String, Option<&'a str>)>,
}

impl<'a> Context<'a> {
    fn new(documents: &'a [crate::corpus::Document]) -> Context<'a> {
        let mut map = HashMap::new();
        for d in documents {
            let title = match d.title.as_deref().map(str::trim) {
                Some(t) if !t.is_empty() => t,
                _ => d.id.as_str(),
            };
            map.entry(d.id.as_str()).or_insert_with(|| (clip(title, TITLE_CHARS), day_of(d.date.as_deref())));
        }
        Context { documents: map }
    }

    fn quote(&self, s: &StanceRecord) -> QuoteRow {
        let (title, date) = self.documents.get(s.doc_id.as_str()).cloned().unwrap_or_default();
        QuoteRow {
            comment_id: s.comment_id.clone(),
            author: clip(commenter_name(&s.author), AUTHOR_CHARS),
            entity: s.entity.clone(),
            title,
            date: date.map(str::to_string),
            stance: s.stance,
            confidence: s.confidence,
            implicit: s.implicit,
            quote: s.quote.clone(),
        }
    }
}

/// Most confident first; ties by document, comment and entity.
pub(super) fn by_confidence(a: &&StanceRecord, b: &&StanceRecord) -> std::cmp::Ordering {
    b.confidence
        .total_cmp(&a.confidence)
        .then_with(|| (&a.doc_id, a.comment, &a.entity_id).cmp(&(&b.doc_id, b.comment, &b.entity_id)))
}

/// The first `cap` of `records` by confidence, quoted, and how many more.
pub(super) fn most_confident(mut records: Vec<&StanceRecord>, cap: usize, context: &Context) -> (Vec<QuoteRow>, usize) {
    records.sort_by(by_confidence);
    let more = records.len().saturating_sub(cap);
    (records.iter().take(cap).map(|s| context.quote(s)).collect(), more)
}

/// The evidence of each of `rows` (by entity id).
pub(super) fn entity_evidence<'a>(
    rows: impl Iterator<Item = &'a EntityRow>,
    kept: &[&StanceRecord],
    context: &Context,
) -> BTreeMap<String, Evidence> {
    let wanted: BTreeSet<&str> = rows.map(|r| r.id.as_str()).collect();
    let mut by_entity: HashMap<&str, Vec<&StanceRecord>> = HashMap::new();
    for s in kept.iter().filter(|s| wanted.contains(s.entity_id.as_str())) {
        by_entity.entry(s.entity_id.as_str()).or_default().push(s);
    }
    let mut out = BTreeMap::new();
    for id in wanted {
        let records = by_entity.remove(id).unwrap_or_default();
        let side = |stance: Stance| records.iter().copied().filter(|s| s.stance == stance).collect::<Vec<_>>();
        let (favour, favour_more) = most_confident(side(Stance::Favour), QUOTES_PER_SIDE, context);
        let (against, against_more) = most_confident(side(Stance::Against), QUOTES_PER_SIDE, context);
        out.insert(id.to_string(), Evidence { favour, favour_more, against, against_more });
    }
    out
}

/// The comments that make a camp of `members` standing for `stands`.
pub(super) fn camp_evidence(
    members: &[String],
    stands: &camps::Stands,
    kept: &[&StanceRecord],
    context: &Context,
) -> CampEvidence {
    let members: BTreeSet<&str> = members.iter().map(String::as_str).collect();
    let favours: BTreeSet<&str> = stands.favours.iter().map(|s| s.entity_id.as_str()).collect();
    let opposes: BTreeSet<&str> = stands.opposes.iter().map(|s| s.entity_id.as_str()).collect();
    let records: Vec<&StanceRecord> = kept
        .iter()
        .copied()
        .filter(|s| members.contains(commenter_name(&s.author)))
        .filter(|s| match s.stance {
            Stance::Favour => favours.contains(s.entity_id.as_str()),
            Stance::Against => opposes.contains(s.entity_id.as_str()),
            Stance::Neutral => false,
        })
        .collect();
    // Each entity the camp stands for or against in turn, those with the
    // most members first, most confident comment first, so that one entity
    // does not fill the list.
    let mut order: Vec<&camps::Stand> = stands.favours.iter().chain(&stands.opposes).collect();
    order.sort_by_key(|s| std::cmp::Reverse(s.members));
    let order: Vec<&str> = order.iter().map(|s| s.entity_id.as_str()).collect();
    let mut by_entity: Vec<Vec<&StanceRecord>> = order
        .iter()
        .map(|id| {
            let mut list: Vec<&StanceRecord> = records.iter().copied().filter(|s| s.entity_id == *id).collect();
            list.sort_by(by_confidence);
            list.reverse();
            list
        })
        .collect();
    let mut quotes = Vec::new();
    while quotes.len() < CAMP_QUOTES && by_entity.iter().any(|l| !l.is_empty()) {
        for list in by_entity.iter_mut() {
            if let Some(s) = list.pop().filter(|_| quotes.len() < CAMP_QUOTES) {
                quotes.push(context.quote(s));
            }
        }
    }
    CampEvidence { more: records.len() - quotes.len(), quotes }
}

/// What a file of the set holds, in a few words.
pub(super) fn describe(name: &str) -> &'static str {
    match name {
        "graph.gexf" => "the graph for Gephi (GEXF 1.3, with its timeline)",
        "graph.graphml" => "the same graph as GraphML",
        "nodes.csv" => "nodes for Gephi's spreadsheet import",
        "edges.csv" => "edges for Gephi's spreadsheet import",
        "commenters.gexf" => "commenters linked by agreement, for finding camps",
        "entities.gexf" => "entities linked by co-mention in one comment, for what is argued about together",
        "entities.jsonl" => "one entity a line: id, label, type, aliases, mentions",
        "mentions.jsonl" => "one mention a line, with character offsets",
        "stances.jsonl" => "one stance record (comment × entity) a line",
        "stances.csv" => "the same stance records as a spreadsheet, one a row",
        "comments.jsonl" => "one comment a line, its whole text, keyed by the records' comment id",
        "summary.json" => "the run's counts, timings and skipped inputs",
        "entity-registry.json" => "entity ids kept between runs",
        _ => "",
    }
}
