//! Seeded variants of a source resume, for variety beyond the few source documents: an optional
//! section dropped, sections reordered, older jobs or some highlights left out. A variant only
//! removes or moves what the document says; it never adds a fact.

use crate::labels::Section;
use crate::prng::SplitMix64;
use crate::resume::JsonResume;

/// The usual order of sections on a resume.
pub const DEFAULT_ORDER: [Section; 13] = [
    Section::Contact,
    Section::Summary,
    Section::Experience,
    Section::Education,
    Section::Skills,
    Section::Projects,
    Section::Certifications,
    Section::Awards,
    Section::Publications,
    Section::Volunteering,
    Section::Languages,
    Section::Interests,
    Section::References,
];

/// Sections from this index of `DEFAULT_ORDER` on (projects to references) are optional: a
/// variant may drop one.
const FIRST_OPTIONAL: usize = 5;

/// A source document as one variant renders it: possibly trimmed, with its section order.
pub struct Variant {
    pub resume: JsonResume,
    pub order: Vec<Section>,
}

/// Variant 0 is the document as it is, in the usual order; others apply two or three seeded edits.
pub fn make_variant(source: &JsonResume, index: usize, rng: &mut SplitMix64) -> Variant {
    let mut resume = source.clone();
    let mut order = DEFAULT_ORDER.to_vec();
    if index == 0 {
        return Variant { resume, order };
    }
    let mut edits = [
        Edit::DropSection,
        Edit::Reorder,
        Edit::FewerJobs,
        Edit::FewerHighlights,
    ];
    rng.shuffle(&mut edits);
    for edit in &edits[..2 + rng.below(2)] {
        match edit {
            Edit::DropSection => {
                let mut optional = DEFAULT_ORDER[FIRST_OPTIONAL..].to_vec();
                rng.shuffle(&mut optional);
                for section in optional {
                    if drop_section(&mut resume, section) {
                        break;
                    }
                }
            }
            Edit::Reorder => reorder(&mut order, rng),
            Edit::FewerJobs if resume.work.len() >= 2 => {
                // Resumes list the most recent job first, so the oldest ones are left out.
                let keep = 1 + rng.below(resume.work.len() - 1);
                resume.work.truncate(keep);
            }
            Edit::FewerHighlights => {
                for work in resume.work.iter_mut().chain(resume.volunteer.iter_mut()) {
                    if work.highlights.len() >= 3 {
                        let drop = rng.below(work.highlights.len());
                        work.highlights.remove(drop);
                    }
                }
            }
            Edit::FewerJobs => {}
        }
    }
    Variant { resume, order }
}

#[derive(Clone, Copy)]
enum Edit {
    DropSection,
    Reorder,
    FewerJobs,
    FewerHighlights,
}

/// One of the reorderings seen in real resumes: skills right under the summary, education before
/// experience (graduates), projects before education, or the minor sections shuffled.
fn reorder(order: &mut Vec<Section>, rng: &mut SplitMix64) {
    match rng.below(4) {
        0 => move_after(order, Section::Skills, Section::Summary),
        1 => move_after(order, Section::Education, Section::Summary),
        2 => move_after(order, Section::Projects, Section::Experience),
        _ => {
            let tail = order
                .iter()
                .position(|s| *s == Section::Projects)
                .unwrap_or(order.len());
            rng.shuffle(&mut order[tail..]);
        }
    }
}

fn move_after(order: &mut Vec<Section>, moved: Section, anchor: Section) {
    order.retain(|s| *s != moved);
    let at = order
        .iter()
        .position(|s| *s == anchor)
        .map_or(order.len(), |i| i + 1);
    order.insert(at, moved);
}

/// Empties an optional section; false when it was empty already.
fn drop_section(r: &mut JsonResume, section: Section) -> bool {
    fn take<T>(items: &mut Vec<T>) -> bool {
        let had = !items.is_empty();
        items.clear();
        had
    }
    match section {
        Section::Projects => take(&mut r.projects),
        Section::Certifications => take(&mut r.certificates),
        Section::Awards => take(&mut r.awards),
        Section::Publications => take(&mut r.publications),
        Section::Volunteering => take(&mut r.volunteer),
        Section::Languages => take(&mut r.languages),
        Section::Interests => take(&mut r.interests),
        Section::References => take(&mut r.references),
        _ => false,
    }
}
