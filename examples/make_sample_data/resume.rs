//! The JSON Resume document model (schema v1, plus the older field names the FRESH test resumes
//! use: `company`, `website`, `gpa`, `level`), read leniently: every field is optional and an
//! empty string counts as missing.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::files::read_sources;

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct JsonResume {
    pub basics: Basics,
    pub work: Vec<Work>,
    pub volunteer: Vec<Work>,
    pub education: Vec<Education>,
    pub awards: Vec<Award>,
    pub certificates: Vec<Certificate>,
    pub publications: Vec<Publication>,
    pub skills: Vec<Skill>,
    pub languages: Vec<Language>,
    pub interests: Vec<Interest>,
    pub references: Vec<Reference>,
    pub projects: Vec<Project>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Basics {
    pub name: String,
    pub label: String,
    pub email: String,
    pub phone: String,
    #[serde(alias = "website")]
    pub url: String,
    pub summary: String,
    pub location: Location,
    pub profiles: Vec<Profile>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Location {
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub region: String,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Profile {
    pub network: String,
    pub username: String,
    pub url: String,
}

/// A job (`work`) or a volunteer role (`volunteer`): the same shape under different names.
#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Work {
    #[serde(alias = "company", alias = "organization")]
    pub name: String,
    pub position: String,
    pub location: String,
    pub description: String,
    pub start_date: String,
    pub end_date: String,
    pub summary: String,
    pub highlights: Vec<String>,
    pub keywords: Vec<String>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Education {
    pub institution: String,
    pub area: String,
    pub study_type: String,
    pub start_date: String,
    pub end_date: String,
    #[serde(alias = "gpa")]
    pub score: String,
    pub courses: Vec<String>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Award {
    pub title: String,
    pub date: String,
    pub awarder: String,
    pub summary: String,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Certificate {
    pub name: String,
    pub date: String,
    pub issuer: String,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Publication {
    pub name: String,
    pub publisher: String,
    pub release_date: String,
    pub summary: String,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Skill {
    pub name: String,
    pub level: String,
    pub keywords: Vec<String>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Language {
    pub language: String,
    #[serde(alias = "level")]
    pub fluency: String,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Interest {
    pub name: String,
    pub summary: String,
    pub keywords: Vec<String>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Reference {
    pub name: String,
    pub reference: String,
}

#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Project {
    pub name: String,
    pub description: String,
    pub highlights: Vec<String>,
    pub keywords: Vec<String>,
    pub start_date: String,
    pub end_date: String,
    pub roles: Vec<String>,
    pub entity: String,
}

/// Reads every `*.json` document of `dir` in name order, as (file stem, resume).
pub fn load_resumes(dir: &Path) -> Result<Vec<(String, JsonResume)>> {
    read_sources(dir, "json")?
        .into_iter()
        .map(|(stem, text)| {
            let resume = serde_json::from_str(&text)
                .with_context(|| format!("parsing JSON Resume {}/{stem}.json", dir.display()))?;
            Ok((stem, resume))
        })
        .collect()
}

/// The non-empty, trimmed strings of a list (the empty template has `"highlights": [""]`).
pub fn present(items: &[String]) -> Vec<&str> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}
