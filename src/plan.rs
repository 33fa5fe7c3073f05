//! Planning: which parts of a resume get tasks, in what order of importance.
//!
//! A part is a subsection (each job, degree, project) where the segmenter found entries, else a
//! section's body. Every part with a non-zero section weight gets evaluate → optimize → evaluate;
//! the rest (contact details, references) pass through unchanged and are counted as skipped.

use crate::segment::{SectionType, Segmentation};
use std::ops::Range;

/// Importance of each section type for matching a job, 0 meaning "leave it alone".
#[derive(Clone, Debug, PartialEq)]
pub struct SectionWeights {
    weights: [f32; SectionType::ALL.len()],
}

impl Default for SectionWeights {
    fn default() -> Self {
        let mut weights = [0.0; SectionType::ALL.len()];
        for (i, kind) in SectionType::ALL.iter().enumerate() {
            weights[i] = match kind {
                SectionType::Experience => 1.0,
                SectionType::Skills => 0.8,
                SectionType::Summary => 0.7,
                SectionType::Projects => 0.6,
                SectionType::Education => 0.5,
                SectionType::Certifications => 0.4,
                SectionType::Awards | SectionType::Publications | SectionType::Volunteering => 0.3,
                SectionType::Languages | SectionType::Additional | SectionType::Other => 0.2,
                SectionType::Interests => 0.1,
                SectionType::Contact | SectionType::References => 0.0,
            };
        }
        SectionWeights { weights }
    }
}

impl SectionWeights {
    pub fn get(&self, kind: SectionType) -> f32 {
        self.weights[Self::slot(kind)]
    }

    pub fn set(&mut self, kind: SectionType, weight: f32) {
        self.weights[Self::slot(kind)] = weight;
    }

    fn slot(kind: SectionType) -> usize {
        SectionType::ALL.iter().position(|&k| k == kind).expect("ALL lists every section type")
    }
}

/// One unit of work in a resume.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Index of the section in the segmentation.
    pub section: usize,
    pub section_type: SectionType,
    /// "Title — Organisation — Dates" of the entry, None for a whole-section part.
    pub subsection: Option<String>,
    /// Byte range in the resume, whole lines.
    pub span: Range<usize>,
    pub importance: f32,
    /// 0..=1 from the section's metrics.
    pub complexity: f32,
}

impl Part {
    /// Whether the part gets tasks at all.
    pub fn needs_tasks(&self) -> bool {
        self.importance > 0.0
    }

    /// Dispatch priority: important and hard parts first (hard ones take longest, so starting them
    /// early shortens the tail of a run).
    pub fn priority(&self) -> f32 {
        self.importance * (0.5 + self.complexity)
    }
}

/// The parts of a segmented resume, in text order. Blank-only bodies produce no part.
pub fn plan_parts(seg: &Segmentation, resume: &str, weights: &SectionWeights) -> Vec<Part> {
    let mut parts = Vec::new();
    for (i, section) in seg.sections.iter().enumerate() {
        let importance = weights.get(section.kind);
        let complexity = section.metrics.complexity();
        let part = |span: Range<usize>, subsection: Option<String>| Part {
            section: i,
            section_type: section.kind,
            subsection,
            span,
            importance,
            complexity,
        };
        if section.entries.is_empty() {
            if !resume[section.body.clone()].trim().is_empty() {
                parts.push(part(section.body.clone(), None));
            }
            continue;
        }
        for entry in &section.entries {
            let label: Vec<&str> = [&entry.title, &entry.organisation, &entry.dates].into_iter().flatten().map(String::as_str).collect();
            let subsection = if label.is_empty() { None } else { Some(label.join(" — ")) };
            parts.push(part(entry.span.clone(), subsection));
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment;

    const RESUME: &str = "Jane Doe\njane@example.com\n\nExperience\nEngineer, Acme — 2019 – 2021\n- Built things\nAnalyst, Initech — 2017 – 2019\n- Counted things\n\nSkills\nPython, SQL\n";

    #[test]
    fn parts_cover_entries_and_bodies_in_order() {
        let seg = segment(RESUME);
        let parts = plan_parts(&seg, RESUME, &SectionWeights::default());
        let kinds: Vec<SectionType> = parts.iter().map(|p| p.section_type).collect();
        assert_eq!(kinds[0], SectionType::Contact);
        assert!(kinds.iter().filter(|&&k| k == SectionType::Experience).count() == 2, "{kinds:?}");
        assert_eq!(*kinds.last().expect("parts"), SectionType::Skills);
        assert!(parts.windows(2).all(|w| w[0].span.end <= w[1].span.start));
        assert!(!parts[0].needs_tasks(), "contact details are not tailored");
        let exp = parts.iter().find(|p| p.section_type == SectionType::Experience).expect("experience");
        assert!(exp.subsection.as_deref().is_some_and(|s| s.contains("Acme")), "{:?}", exp.subsection);
    }

    #[test]
    fn weights_are_configurable() {
        let mut w = SectionWeights::default();
        assert_eq!(w.get(SectionType::Experience), 1.0);
        w.set(SectionType::Interests, 0.0);
        assert_eq!(w.get(SectionType::Interests), 0.0);
    }
}
