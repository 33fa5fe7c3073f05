//! Answers that conform to the request's JSON schema (object, properties, array, items, string,
//! number, integer, boolean, null, enum, const, minimum, maximum, minItems, maxItems; only declared
//! properties, so `additionalProperties: false` holds), filled so that they are useful to tailor:
//!
//! - a string `text` is the exact inner text of the section block, so an "optimize" answer is
//!   faithful by construction;
//! - `id` is the section's `id` attribute (its index when it has none);
//! - numbers, such as `score`, are drawn within their `minimum`/`maximum`;
//! - arrays of strings hold 0 to 3 distinct words of the `<job>` block;
//! - an array of objects whose items have an `id` gets one item per section block, in order: that
//!   is how a batched request is answered;
//! - other strings are a word of the job.
//!
//! Each section's values come from a stream seeded by the base seed, the `<task>` and the
//! section's text, so a section gets the same answer alone, in any batch and in any order.

use crate::resilience::retry::SplitMix;
use serde_json::{json, Map, Value};

/// A `<section>` block of the prompt.
#[derive(Debug, PartialEq)]
pub struct Section {
    pub id: String,
    pub text: String,
}

/// The sections, task and job words of a user message.
#[derive(Debug)]
pub struct Prompt {
    pub sections: Vec<Section>,
    /// Distinct words of the `<job>` block, in order, for keyword lists.
    pub job_words: Vec<String>,
    /// The `<task>` block's text.
    pub task: String,
}

impl Prompt {
    pub fn parse(user: &str) -> Prompt {
        let job = between(user, "<job>", "</job>").unwrap_or("");
        let mut job_words: Vec<String> = Vec::new();
        for word in job.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())) {
            if word.len() > 3 && word.chars().all(char::is_alphabetic) && !job_words.iter().any(|w| w == word) && job_words.len() < 50 {
                job_words.push(word.to_string());
            }
        }
        let mut sections = Vec::new();
        let mut rest = user;
        while let Some(start) = rest.find("<section") {
            let after = &rest[start + "<section".len()..];
            // `<sections>` or `<section-x>` are other tags.
            if !after.starts_with(|c: char| c == '>' || c.is_whitespace()) {
                rest = after;
                continue;
            }
            let Some(open_end) = after.find('>') else { break };
            let body = &after[open_end + 1..];
            let Some(close) = body.find("</section>") else { break };
            // The block puts its text on lines of its own: the framing newlines are not the text.
            let text = body[..close].strip_prefix('\n').unwrap_or(&body[..close]);
            let text = text.strip_suffix('\n').unwrap_or(text);
            let id = attribute(&after[..open_end], "id").map_or_else(|| sections.len().to_string(), str::to_string);
            sections.push(Section { id, text: text.to_string() });
            rest = &body[close..];
        }
        let task = between(user, "<task>", "</task>").unwrap_or("").to_string();
        Prompt { sections, job_words, task }
    }

    /// The random stream for one section's values.
    fn rng_for(&self, base: u64, section: usize) -> SplitMix {
        let mut h = blake3::Hasher::new();
        h.update(&base.to_le_bytes());
        h.update(self.task.as_bytes());
        h.update(&[0]);
        h.update(self.sections.get(section).map_or("", |s| s.text.as_str()).as_bytes());
        SplitMix::new(u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().expect("8 bytes")))
    }
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let s = text.find(open)? + open.len();
    let e = text[s..].find(close)? + s;
    Some(&text[s..e])
}

/// The value of `name="…"` in a tag's attributes.
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let pattern = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = attrs[from..].find(&pattern) {
        let at = from + i;
        if attrs[..at].ends_with(char::is_whitespace) {
            let value = &attrs[at + pattern.len()..];
            return value.find('"').map(|end| &value[..end]);
        }
        from = at + pattern.len();
    }
    None
}

/// The answer to a request: `schema` filled for the prompt's sections.
pub fn answer(schema: &Value, prompt: &Prompt, base: u64) -> Value {
    Generator { prompt, base }.value(schema, 0, &mut prompt.rng_for(base, 0))
}

struct Generator<'a> {
    prompt: &'a Prompt,
    base: u64,
}

/// The schema's type; the first non-null one of a list, else guessed from its keywords.
fn type_of(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if schema.get("items").is_some() => "array",
        _ => "object",
    }
}

fn bound(schema: &Value, key: &str) -> Option<f64> {
    schema.get(key).and_then(Value::as_f64)
}

impl Generator<'_> {
    /// A value for `schema` about section number `section`.
    fn value(&self, schema: &Value, section: usize, rng: &mut SplitMix) -> Value {
        if let Some(c) = schema.get("const") {
            return c.clone();
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array).filter(|o| !o.is_empty()) {
            return options[(rng.next_u64() % options.len() as u64) as usize].clone();
        }
        let kind = type_of(schema);
        match kind {
            "object" => {
                let mut obj = Map::new();
                for (name, prop) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                    obj.insert(name.clone(), self.property(name, prop, section, rng));
                }
                Value::Object(obj)
            }
            "array" => self.array(schema, section, rng),
            "number" | "integer" => {
                let lo = bound(schema, "minimum").unwrap_or(0.0);
                let hi = bound(schema, "maximum").unwrap_or(lo.max(0.0) + 100.0);
                if kind == "integer" {
                    let (lo, hi) = (lo.ceil() as i64, hi.floor() as i64);
                    let span = hi.saturating_sub(lo).max(0) as u64 + 1;
                    json!(lo + (rng.next_u64() % span) as i64)
                } else {
                    let v = ((lo + (hi - lo) * rng.next_f64()) * 10.0).round() / 10.0;
                    json!(v.clamp(lo, hi.max(lo)))
                }
            }
            "boolean" => json!(rng.next_u64() & 1 == 1),
            "null" => Value::Null,
            _ => json!(self.words(rng, 1).pop().unwrap_or_else(|| "term".to_string())),
        }
    }

    fn property(&self, name: &str, schema: &Value, section: usize, rng: &mut SplitMix) -> Value {
        let s = self.prompt.sections.get(section);
        match (name, type_of(schema)) {
            ("text", "string") => json!(s.map_or("", |s| s.text.as_str())),
            ("id", "string") => json!(s.map_or_else(|| section.to_string(), |s| s.id.clone())),
            ("id", "integer" | "number") => json!(s.and_then(|s| s.id.parse::<i64>().ok()).unwrap_or(section as i64)),
            _ => self.value(schema, section, rng),
        }
    }

    fn array(&self, schema: &Value, section: usize, rng: &mut SplitMix) -> Value {
        let default_items = json!({"type": "string"});
        let items = schema.get("items").unwrap_or(&default_items);
        if items.pointer("/properties/id").is_some() {
            let n = self.prompt.sections.len();
            return Value::Array((0..n).map(|i| self.value(items, i, &mut self.prompt.rng_for(self.base, i))).collect());
        }
        let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX).max(min);
        let n = (rng.next_u64() % 4).clamp(min, max) as usize;
        let plain_strings = type_of(items) == "string" && items.get("enum").is_none() && items.get("const").is_none();
        if plain_strings && n <= self.prompt.job_words.len() {
            return json!(self.words(rng, n));
        }
        Value::Array((0..n).map(|_| self.value(items, section, rng)).collect())
    }

    /// `n` distinct consecutive words of the job from a drawn start (fewer if it has fewer).
    fn words(&self, rng: &mut SplitMix, n: usize) -> Vec<String> {
        let words = &self.prompt.job_words;
        if words.is_empty() {
            return Vec::new();
        }
        let start = (rng.next_u64() % words.len() as u64) as usize;
        (0..n.min(words.len())).map(|i| words[(start + i) % words.len()].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = "<job>\nSenior Python Engineer building services, Python again\n</job>\n<task>optimize</task>\n";

    fn batch_item() -> Value {
        json!({"type": "object", "properties": {
            "id": {"type": "string"},
            "score": {"type": "number", "minimum": 0, "maximum": 100},
            "matched": {"type": "array", "items": {"type": "string"}}
        }, "required": ["id", "score", "matched"], "additionalProperties": false})
    }

    #[test]
    fn sections_are_read_with_ids_and_exact_text() {
        let p = Prompt::parse(&format!("{JOB}<sections>\n<section type=\"skills\">\n  Python, Go\n\n</section>\n<section type=\"x\" id=\"b7\">\nBuilds.\n</section>"));
        assert_eq!(p.sections, vec![Section { id: "0".into(), text: "  Python, Go\n".into() }, Section { id: "b7".into(), text: "Builds.".into() }]);
        assert_eq!(p.task, "optimize");
        assert_eq!(p.job_words, ["Senior", "Python", "Engineer", "building", "services", "again"]);
        assert_eq!(attribute(" data-id=\"x\" id=\"y\"", "id"), Some("y"));
    }

    #[test]
    fn answers_follow_the_schema_and_echo_sections() {
        let p = Prompt::parse(&format!("{JOB}<section id=\"0\" type=\"skills\">\nPython, Go\n</section>\n<section id=\"1\" type=\"summary\">\nBuilds.\n</section>"));
        assert_eq!(answer(&json!({"type": "object", "properties": {"text": {"type": "string"}}}), &p, 1), json!({"text": "Python, Go"}));
        let batch = answer(&json!({"type": "object", "properties": {"items": {"type": "array", "items": batch_item()}}}), &p, 1);
        let items = batch["items"].as_array().expect("items");
        assert_eq!(items.iter().map(|i| i["id"].as_str().expect("id")).collect::<Vec<_>>(), ["0", "1"]);
        for item in items {
            assert_eq!(item.as_object().expect("object").len(), 3, "declared properties only: {item}");
            assert!((0.0..=100.0).contains(&item["score"].as_f64().expect("score")));
            let matched = item["matched"].as_array().expect("matched");
            assert!(matched.len() <= 3 && matched.iter().all(|w| p.job_words.contains(&w.as_str().expect("word").to_string())), "{matched:?}");
        }
        // The second section alone gets the same values as inside the batch.
        let alone = Prompt::parse(&format!("{JOB}<section id=\"1\" type=\"summary\">\nBuilds.\n</section>"));
        let single = answer(&json!({"type": "object", "properties": {"items": {"type": "array", "items": batch_item()}}}), &alone, 1);
        assert_eq!(single["items"][0], items[1]);
    }

    #[test]
    fn every_supported_keyword_is_respected() {
        let p = Prompt::parse(&format!("{JOB}<section id=\"4\">\nx\n</section>"));
        let schema = json!({"type": "object", "properties": {
            "grade": {"type": "integer", "minimum": 3, "maximum": 5},
            "ratio": {"type": "number", "minimum": 0.25, "maximum": 0.3},
            "level": {"type": "string", "enum": ["low", "high"]},
            "ok": {"type": "boolean"},
            "note": {"type": ["string", "null"]},
            "id": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
            "fixed": {"const": "v1"},
            "text": {"type": "integer", "minimum": 7, "maximum": 7}
        }});
        for base in 0..200 {
            let a = answer(&schema, &p, base);
            assert!((3..=5).contains(&a["grade"].as_i64().expect("integer")), "{a}");
            assert!((0.25..=0.3).contains(&a["ratio"].as_f64().expect("number")), "{a}");
            assert!(["low", "high"].contains(&a["level"].as_str().expect("enum")), "{a}");
            assert!(a["ok"].is_boolean() && a["note"].is_string());
            assert_eq!((a["id"].clone(), a["fixed"].clone(), a["text"].clone()), (json!(4), json!("v1"), json!(7)), "a non-string text is drawn, not echoed");
            let tags = a["tags"].as_array().expect("tags");
            assert!(tags.len() == 2 && tags[0] != tags[1], "{a}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_answer_and_another_seed_may_not() {
        let p = Prompt::parse(&format!("{JOB}<section>\nPython\n</section>"));
        let schema = json!({"type": "object", "properties": {"score": {"type": "number"}, "missing": {"type": "array", "items": {"type": "string"}}}});
        assert_eq!(answer(&schema, &p, 9), answer(&schema, &p, 9));
        assert!((0..20).any(|b| answer(&schema, &p, b) != answer(&schema, &p, 9)));
    }
}
