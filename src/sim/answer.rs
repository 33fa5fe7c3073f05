//! Answers that conform to the request's JSON schema, filled so that they are useful to tailor:
//! `text` echoes the section (an optimization is then faithful by construction), `id` names the
//! section, `score` is drawn within its bounds, string lists take words of the job, and an array
//! of objects with an `id` gets one item per section of the request.

use crate::resilience::retry::SplitMix;
use serde_json::{json, Map, Value};

/// A `<section>` block of the prompt.
pub struct Section {
    pub id: String,
    pub text: String,
}

/// The sections and job words of a user message.
pub struct Prompt {
    pub sections: Vec<Section>,
    pub job_words: Vec<String>,
    /// The `<task>` tag's text.
    pub task: String,
}

impl Prompt {
    pub fn parse(user: &str) -> Prompt {
        let job = between(user, "<job>", "</job>").unwrap_or("");
        let job_words = job.split_whitespace().filter(|w| w.len() > 3 && w.chars().all(char::is_alphabetic)).take(50).map(str::to_string).collect();
        let mut sections = Vec::new();
        let mut rest = user;
        while let Some(start) = rest.find("<section") {
            let after = &rest[start..];
            let Some(open_end) = after.find('>') else { break };
            let tag = &after[..open_end];
            let id = between(tag, "id=\"", "\"").unwrap_or("0").to_string();
            let body = &after[open_end + 1..];
            let Some(close) = body.find("</section>") else { break };
            sections.push(Section { id, text: body[..close].trim_matches('\n').to_string() });
            rest = &body[close..];
        }
        let task = between(user, "<task>", "</task>").unwrap_or("").to_string();
        Prompt { sections, job_words, task }
    }

    /// The random stream for one section's answer: it depends on the section, the task and the
    /// `base` seed only, so a section gets the same answer alone or in any batch.
    fn rng_for(&self, base: u64, section: usize) -> SplitMix {
        let mut h = blake3::Hasher::new();
        h.update(&base.to_le_bytes());
        h.update(self.task.as_bytes());
        h.update(self.sections.get(section).map_or("", |s| s.text.as_str()).as_bytes());
        SplitMix::new(u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().expect("8 bytes")))
    }
}

/// The answer to a request: `schema` filled for the prompt's sections, each section's values drawn
/// from its own stream under `base`.
pub fn answer(schema: &Value, prompt: &Prompt, base: u64) -> Value {
    let mut rng = prompt.rng_for(base, 0);
    generate(schema, prompt, 0, base, &mut rng)
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let s = text.find(open)? + open.len();
    let e = text[s..].find(close)? + s;
    Some(&text[s..e])
}

/// A value for `schema`; `section` is the section the value is about.
fn generate(schema: &Value, prompt: &Prompt, section: usize, base: u64, rng: &mut SplitMix) -> Value {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("object");
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        return options.first().cloned().unwrap_or(Value::Null);
    }
    match kind {
        "object" => {
            let mut obj = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    obj.insert(name.clone(), property(name, prop, prompt, section, base, rng));
                }
            }
            Value::Object(obj)
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(json!({"type": "string"}));
            let per_section = items.get("properties").and_then(|p| p.get("id")).is_some();
            if per_section {
                Value::Array((0..prompt.sections.len()).map(|i| generate(&items, prompt, i, base, &mut prompt.rng_for(base, i))).collect())
            } else {
                let n = (rng.next_u64() % 4) as usize;
                Value::Array((0..n).map(|_| generate(&items, prompt, section, base, rng)).collect())
            }
        }
        "number" | "integer" => {
            let lo = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
            let hi = schema.get("maximum").and_then(Value::as_f64).unwrap_or(100.0);
            let v = lo + (hi - lo) * rng.next_f64();
            if kind == "integer" { json!(v.round() as i64) } else { json!((v * 10.0).round() / 10.0) }
        }
        "boolean" => json!(rng.next_u64().is_multiple_of(2)),
        _ => {
            let words = &prompt.job_words;
            if words.is_empty() {
                json!("term")
            } else {
                json!(words[(rng.next_u64() % words.len() as u64) as usize])
            }
        }
    }
}

fn property(name: &str, schema: &Value, prompt: &Prompt, section: usize, base: u64, rng: &mut SplitMix) -> Value {
    let s = prompt.sections.get(section);
    match name {
        "text" => json!(s.map_or("", |s| s.text.as_str())),
        "id" => json!(s.map_or("0", |s| s.id.as_str())),
        _ => generate(schema, prompt, section, base, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_follow_the_schema_and_echo_sections() {
        let user = "<job>\nSenior Python Engineer building services\n</job>\n<task>optimize</task>\n<section id=\"0\" type=\"skills\">\nPython, Go\n</section>\n<section id=\"1\" type=\"summary\">\nBuilds.\n</section>";
        let p = Prompt::parse(user);
        assert_eq!(p.sections.len(), 2);
        let single = answer(&json!({"type": "object", "properties": {"text": {"type": "string"}}}), &p, 1);
        assert_eq!(single, json!({"text": "Python, Go"}));
        let item = json!({"type": "object", "properties": {"id": {"type": "string"}, "score": {"type": "number", "minimum": 0, "maximum": 100}, "matched": {"type": "array", "items": {"type": "string"}}}});
        let batch = answer(&json!({"type": "object", "properties": {"items": {"type": "array", "items": item.clone()}}}), &p, 1);
        let items = batch["items"].as_array().expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(items[1]["id"], "1");
        assert!(items.iter().all(|i| (0.0..=100.0).contains(&i["score"].as_f64().expect("score"))));
        // The second section alone gets the same score as inside the batch.
        let alone = Prompt::parse("<job>\nSenior Python Engineer building services\n</job>\n<task>optimize</task>\n<section id=\"1\" type=\"summary\">\nBuilds.\n</section>");
        let single = answer(&json!({"type": "object", "properties": {"items": {"type": "array", "items": item}}}), &alone, 1);
        assert_eq!(single["items"][0]["score"], items[1]["score"]);
    }
}
